/*
 * nccl-sendrecv: point-to-point between neighbour pairs, as nccl-tests'
 * sendrecv.cu: every rank sends count elements to rank+1 and receives as
 * many from rank-1 (a ring of pairs, all at once, grouped); size = count x
 * 4 B; algbw = size / t; busbw = algbw (factor 1). Out of place only.
 */
#include "runners/nccl_common.h"

#ifdef ANVIL_NCCL_BUILT
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

/* nccl-tests' GetCollByteCount and GetBw are .counts and the factors;
 * exported for tests/unit/test_nccl_data.c, which simulates it on the host */
const struct anvil_nccl_coll anvil_nccl_sendrecv = {
	.name = "sendrecv",
	.in_place = 0,
	.summed = 0,
	.root_only = 0,
	.expect = ANVIL_EXPECT_PREV,
	.counts = anvil_nccl_counts_whole,
	.alg_factor = anvil_nccl_factor_one,
	.bus_factor = anvil_nccl_factor_one,
	.run = run,
};
#endif

ANVIL_NCCL_RUNNER(sendrecv, anvil_nccl_sendrecv, "nccl-sendrecv",
		  "NCCL send/recv between neighbour ranks over 8 B .. 1 GiB (nccl-tests sendrecv), checked",
		  anvil_nccl_params);
