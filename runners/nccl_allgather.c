/*
 * nccl-allgather: ncclAllGather (float), as nccl-tests' all_gather.cu: each
 * rank sends base = count/n elements (rounded down to 16 B) and receives
 * n x base; size = n x base x 4 B; algbw = size / t; busbw = algbw x (n-1)/n.
 * In place, a rank's input is its own block of the output (offset base x rank).
 */
#include "runners/nccl_common.h"

#ifdef ANVIL_NCCL_BUILT
/* nccl-tests' GetCollByteCount and GetBw for all_gather, side by side */
static void counts(size_t count, int nranks, struct anvil_nccl_counts *c)
{
	size_t base = anvil_nccl_split(count, nranks);
	c->send = base;
	c->recv = base * (size_t)nranks;
	c->param = base;
	c->send_inplace_off = base;
	c->recv_inplace_off = 0;
}

static ncclResult_t run(const void *send, void *recv, size_t param, int root, ncclComm_t comm,
			cudaStream_t stream)
{
	return ncclAllGather(send, recv, param, ncclFloat, comm, stream);
}

/* exported for tests/unit/test_nccl_data.c, which simulates it on the host */
const struct anvil_nccl_coll anvil_nccl_allgather = {
	.name = "all_gather",
	.in_place = 1,
	.summed = 0,
	.root_only = 0,
	.expect = ANVIL_EXPECT_GATHER,
	.counts = counts,
	.alg_factor = anvil_nccl_factor_ranks,
	.bus_factor = anvil_nccl_factor_ring,
	.run = run,
};
#endif

ANVIL_NCCL_RUNNER(allgather, anvil_nccl_allgather, "nccl-allgather",
		  "ncclAllGather busbw over 8 B .. 1 GiB (nccl-tests all_gather), judged at large sizes, checked",
		  anvil_nccl_params);
