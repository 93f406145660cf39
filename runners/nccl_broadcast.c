/*
 * nccl-broadcast: ncclBroadcast (float) from `root`, as nccl-tests'
 * broadcast.cu: count elements; size = count x 4 B; algbw = size / t;
 * busbw = algbw (factor 1: every rank receives the whole buffer once).
 */
#include "runners/nccl_common.h"

#ifdef ANVIL_NCCL_BUILT
static ncclResult_t run(const void *send, void *recv, size_t param, int root, ncclComm_t comm,
			cudaStream_t stream)
{
	return ncclBroadcast(send, recv, param, ncclFloat, root, comm, stream);
}

/* nccl-tests' GetCollByteCount and GetBw are .counts and the factors;
 * exported for tests/unit/test_nccl_data.c, which simulates it on the host */
const struct anvil_nccl_coll anvil_nccl_broadcast = {
	.name = "broadcast",
	.in_place = 1,
	.summed = 0,
	.root_only = 0,
	.expect = ANVIL_EXPECT_ROOT,
	.counts = anvil_nccl_counts_whole,
	.alg_factor = anvil_nccl_factor_one,
	.bus_factor = anvil_nccl_factor_one,
	.run = run,
};
#endif

ANVIL_NCCL_RUNNER(broadcast, anvil_nccl_broadcast, "nccl-broadcast",
		  "ncclBroadcast busbw over 8 B .. 1 GiB (nccl-tests broadcast), judged at large sizes, checked",
		  anvil_nccl_root_params);
