/*
 * nccl-sendrecv: point-to-point between neighbour pairs, as nccl-tests'
 * sendrecv.cu: every rank sends count elements to rank+1 and receives as
 * many from rank-1 (a ring of pairs, all at once, grouped); size = count x
 * 4 B; algbw = size / t; busbw = algbw (factor 1). Out of place only.
 */
#include "runners/nccl_common.h"

#ifdef ANVIL_NCCL_BUILT
/* nccl-tests' GetCollByteCount and GetBw for sendrecv, side by side */
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
	int n, me;
	ncclResult_t r = ncclCommCount(comm, &n);
	if (r == ncclSuccess)
		r = ncclCommUserRank(comm, &me);
	if (r != ncclSuccess)
		return r;
	if ((r = ncclGroupStart()) != ncclSuccess)
		return r;
	r = ncclSend(send, param, ncclFloat, (me + 1) % n, comm, stream);
	if (r == ncclSuccess)
		r = ncclRecv(recv, param, ncclFloat, (me - 1 + n) % n, comm, stream);
	ncclResult_t e = ncclGroupEnd();
	return r != ncclSuccess ? r : e;
}

/* exported for tests/unit/test_nccl_data.c, which simulates it on the host */
const struct anvil_nccl_coll anvil_nccl_sendrecv = {
	.name = "sendrecv",
	.in_place = 0,
	.summed = 0,
	.root_only = 0,
	.expect = ANVIL_EXPECT_PREV,
	.counts = counts,
	.alg_factor = alg_factor,
	.bus_factor = bus_factor,
	.run = run,
};

static enum anvil_status sendrecv_run(struct anvil_ctx *ctx)
{
	return anvil_nccl_run(ctx, &anvil_nccl_sendrecv);
}
#endif

static const struct anvil_param sendrecv_params[] = {
	ANVIL_NCCL_PARAMS,
	{ NULL, 0, NULL, NULL },
};

const struct anvil_runner anvil_runner_nccl_sendrecv = {
	.name = "nccl-sendrecv",
	.summary = "NCCL send/recv between neighbour ranks over 8 B .. 1 GiB (nccl-tests sendrecv), checked",
	.needs = ANVIL_NEEDS_GPU | ANVIL_NEEDS_NCCL | ANVIL_NEEDS_2RANKS,
	.scope = ANVIL_SCOPE_ALL,
	.params = sendrecv_params,
#ifdef ANVIL_NCCL_BUILT
	.available = anvil_gpu_available,
	.run = sendrecv_run,
#else
	.not_built = ANVIL_NCCL_NOT_BUILT,
#endif
};
