/*
 * nccl-broadcast: ncclBroadcast (float) from `root`, as nccl-tests'
 * broadcast.cu: count elements; size = count x 4 B; algbw = size / t;
 * busbw = algbw (factor 1: every rank receives the whole buffer once).
 */
#include "runners/nccl_common.h"

#ifdef ANVIL_NCCL_BUILT
/* nccl-tests' GetCollByteCount and GetBw for broadcast, side by side */
static void counts(size_t count, int nranks, struct anvil_nccl_counts *c)
{
	c->send = c->recv = c->param = count;
	c->send_inplace_off = c->recv_inplace_off = 0;
}

static double alg_factor(int nranks) { return 1.0; }
static double bus_factor(int nranks) { return 1.0; }

static ncclResult_t run(const void *send, void *recv, size_t param, int root, ncclComm_t comm,
			cudaStream_t stream)
{
	return ncclBroadcast(send, recv, param, ncclFloat, root, comm, stream);
}

/* exported for tests/unit/test_nccl_data.c, which simulates it on the host */
const struct anvil_nccl_coll anvil_nccl_broadcast = {
	.name = "broadcast",
	.in_place = 1,
	.summed = 0,
	.root_only = 0,
	.expect = ANVIL_EXPECT_ROOT,
	.counts = counts,
	.alg_factor = alg_factor,
	.bus_factor = bus_factor,
	.run = run,
};

static enum anvil_status broadcast_run(struct anvil_ctx *ctx)
{
	return anvil_nccl_run(ctx, &anvil_nccl_broadcast);
}
#endif

static const struct anvil_param broadcast_params[] = {
	ANVIL_NCCL_PARAMS,
	{ "root", ANVIL_P_INT, "0", "the root rank" },
	{ NULL, 0, NULL, NULL },
};

const struct anvil_runner anvil_runner_nccl_broadcast = {
	.name = "nccl-broadcast",
	.summary = "ncclBroadcast busbw over 8 B .. 1 GiB (nccl-tests broadcast), judged at large sizes, checked",
	.needs = ANVIL_NEEDS_GPU | ANVIL_NEEDS_NCCL | ANVIL_NEEDS_2RANKS,
	.scope = ANVIL_SCOPE_ALL,
	.params = broadcast_params,
#ifdef ANVIL_NCCL_BUILT
	.available = anvil_gpu_available,
	.run = broadcast_run,
#else
	.not_built = ANVIL_NCCL_NOT_BUILT,
#endif
};
