/*
 * nccl-reduce: ncclReduce (float, sum) to `root`, as nccl-tests' reduce.cu:
 * count elements; size = count x 4 B; algbw = size / t; busbw = algbw
 * (factor 1). Only the root's output is defined, so only the root's is checked.
 */
#include "runners/nccl_common.h"

#ifdef ANVIL_NCCL_BUILT
static ncclResult_t run(const void *send, void *recv, size_t param, int root, ncclComm_t comm,
			cudaStream_t stream)
{
	return ncclReduce(send, recv, param, ncclFloat, ncclSum, root, comm, stream);
}

/* nccl-tests' GetCollByteCount and GetBw are .counts and the factors;
 * exported for tests/unit/test_nccl_data.c, which simulates it on the host */
const struct anvil_nccl_coll anvil_nccl_reduce = {
	.name = "reduce",
	.in_place = 1,
	.summed = 1,
	.root_only = 1,
	.expect = ANVIL_EXPECT_SUM,
	.counts = anvil_nccl_counts_whole,
	.alg_factor = anvil_nccl_factor_one,
	.bus_factor = anvil_nccl_factor_one,
	.run = run,
};
#endif

ANVIL_NCCL_RUNNER(reduce, anvil_nccl_reduce, "nccl-reduce",
		  "ncclReduce busbw over 8 B .. 1 GiB (nccl-tests reduce), judged at large sizes, checked",
		  anvil_nccl_root_params);
