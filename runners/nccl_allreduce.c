/*
 * nccl-allreduce: ncclAllReduce (float, sum), as nccl-tests' all_reduce.cu:
 * every rank sends and receives `count` elements; size = count x 4 B;
 * algbw = size / t; busbw = algbw x 2(n-1)/n (each byte crosses 2(n-1)/n
 * links in a ring, so busbw is comparable with one link's bandwidth).
 */
#include "runners/nccl_common.h"

#ifdef ANVIL_NCCL_BUILT
/* nccl-tests' GetBw for all_reduce (its counts are the whole-count rule) */
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
	.counts = anvil_nccl_counts_whole,
	.alg_factor = anvil_nccl_factor_one,
	.bus_factor = bus_factor,
	.run = run,
};
#endif

ANVIL_NCCL_RUNNER(allreduce, anvil_nccl_allreduce, "nccl-allreduce",
		  "ncclAllReduce busbw over 8 B .. 1 GiB (nccl-tests all_reduce), judged at large sizes, checked",
		  anvil_nccl_params);
