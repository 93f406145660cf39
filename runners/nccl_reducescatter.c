/*
 * nccl-reducescatter: ncclReduceScatter (float, sum), as nccl-tests'
 * reduce_scatter.cu: each rank sends n x base elements (base = count/n
 * rounded down to 16 B) and receives its summed block of base; size = n x
 * base x 4 B; algbw = size / t; busbw = algbw x (n-1)/n. In place, the
 * output is the rank's block of the input (offset base x rank).
 */
#include "runners/nccl_common.h"

#ifdef ANVIL_NCCL_BUILT
/* nccl-tests' GetCollByteCount and GetBw for reduce_scatter, side by side */
static void counts(size_t count, int nranks, struct anvil_nccl_counts *c)
{
	size_t base = anvil_nccl_split(count, nranks);
	c->send = base * (size_t)nranks;
	c->recv = base;
	c->param = base;
	c->send_inplace_off = 0;
	c->recv_inplace_off = base;
}

static ncclResult_t run(const void *send, void *recv, size_t param, int root, ncclComm_t comm,
			cudaStream_t stream)
{
	return ncclReduceScatter(send, recv, param, ncclFloat, ncclSum, comm, stream);
}

/* exported for tests/unit/test_nccl_data.c, which simulates it on the host */
const struct anvil_nccl_coll anvil_nccl_reducescatter = {
	.name = "reduce_scatter",
	.in_place = 1,
	.summed = 1,
	.root_only = 0,
	.expect = ANVIL_EXPECT_SUM_BLOCK,
	.counts = counts,
	.alg_factor = anvil_nccl_factor_ranks,
	.bus_factor = anvil_nccl_factor_ring,
	.run = run,
};
#endif

ANVIL_NCCL_RUNNER(reducescatter, anvil_nccl_reducescatter, "nccl-reducescatter",
		  "ncclReduceScatter busbw over 8 B .. 1 GiB (nccl-tests reduce_scatter), judged at large sizes, checked",
		  anvil_nccl_params);
