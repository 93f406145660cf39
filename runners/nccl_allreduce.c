/*
 * nccl-allreduce: ncclAllReduce (float, sum), as nccl-tests' all_reduce.cu:
 * every rank sends and receives `count` elements; size = count x 4 B;
 * algbw = size / t; busbw = algbw x 2(n-1)/n (each byte crosses 2(n-1)/n
 * links in a ring, so busbw is comparable with one link's bandwidth).
 */
#include "runners/nccl_common.h"

#ifdef ANVIL_NCCL_BUILT
/* nccl-tests' GetCollByteCount and GetBw for all_reduce, side by side */
static void counts(size_t count, int nranks, struct anvil_nccl_counts *c)
{
	c->send = c->recv = c->param = count;
	c->send_inplace_off = c->recv_inplace_off = 0;
}

static double alg_factor(int nranks) { return 1.0; }
static double bus_factor(int nranks) { return 2.0 * (nranks - 1) / nranks; }

static ncclResult_t run(const void *send, void *recv, size_t param, int root, ncclComm_t comm,
			cudaStream_t stream)
{
	return ncclAllReduce(send, recv, param, ncclFloat, ncclSum, comm, stream);
}

/* exported for tests/unit/test_nccl_data.c, which simulates it on the host */
const struct anvil_nccl_coll anvil_nccl_allreduce = {
	.name = "all_reduce",
	.in_place = 1,
	.summed = 1,
	.root_only = 0,
	.expect = ANVIL_EXPECT_SUM,
	.counts = counts,
	.alg_factor = alg_factor,
	.bus_factor = bus_factor,
	.run = run,
};

static enum anvil_status allreduce_run(struct anvil_ctx *ctx)
{
	return anvil_nccl_run(ctx, &anvil_nccl_allreduce);
}
#endif

static const struct anvil_param allreduce_params[] = {
	ANVIL_NCCL_PARAMS,
	{ NULL, 0, NULL, NULL },
};

const struct anvil_runner anvil_runner_nccl_allreduce = {
	.name = "nccl-allreduce",
	.summary = "ncclAllReduce busbw over 8 B .. 1 GiB (nccl-tests all_reduce), judged at large sizes, checked",
	.needs = ANVIL_NEEDS_GPU | ANVIL_NEEDS_NCCL | ANVIL_NEEDS_2RANKS,
	.scope = ANVIL_SCOPE_ALL,
	.params = allreduce_params,
#ifdef ANVIL_NCCL_BUILT
	.available = anvil_gpu_available,
	.run = allreduce_run,
#else
	.not_built = ANVIL_NCCL_NOT_BUILT,
#endif
};
