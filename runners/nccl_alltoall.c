/*
 * nccl-alltoall: as nccl-tests' alltoall.cu: each rank sends a block of
 * part = count/n elements (rounded down to 16 B) to every rank; size =
 * n x part x 4 B; algbw = size / t; busbw = algbw x (n-1)/n. ncclAlltoAll
 * from NCCL 2.28 on, else grouped ncclSend/ncclRecv per peer, as nccl-tests
 * does. Out of place only (nccl-tests does not check it in place).
 */
#include "runners/nccl_common.h"

#ifdef ANVIL_NCCL_BUILT
/* nccl-tests' GetCollByteCount and GetBw for alltoall, side by side */
static void counts(size_t count, int nranks, struct anvil_nccl_counts *c)
{
	c->param = anvil_nccl_split(count, nranks);
	c->send = c->recv = c->param * (size_t)nranks;
	c->send_inplace_off = c->recv_inplace_off = 0;
}

static ncclResult_t run(const void *send, void *recv, size_t param, int root, ncclComm_t comm,
			cudaStream_t stream)
{
#if NCCL_VERSION_CODE >= NCCL_VERSION(2, 28, 0)
	int v = 0;
	if (ncclGetVersion(&v) == ncclSuccess && v >= NCCL_VERSION(2, 28, 0))
		return ncclAlltoAll(send, recv, param, ncclFloat, comm, stream);
#endif
	int n;
	ncclResult_t r = ncclCommCount(comm, &n);
	if (r != ncclSuccess)
		return r;
	if ((r = ncclGroupStart()) != ncclSuccess)
		return r;
	for (int peer = 0; peer < n && r == ncclSuccess; peer++) {
		size_t off = (size_t)peer * param * sizeof(float);
		r = ncclSend((const char *)send + off, param, ncclFloat, peer, comm, stream);
		if (r == ncclSuccess)
			r = ncclRecv((char *)recv + off, param, ncclFloat, peer, comm, stream);
	}
	ncclResult_t e = ncclGroupEnd();
	return r != ncclSuccess ? r : e;
}

/* exported for tests/unit/test_nccl_data.c, which simulates it on the host */
const struct anvil_nccl_coll anvil_nccl_alltoall = {
	.name = "alltoall",
	.in_place = 0,
	.summed = 0,
	.root_only = 0,
	.expect = ANVIL_EXPECT_ALLTOALL,
	.counts = counts,
	.alg_factor = anvil_nccl_factor_ranks,
	.bus_factor = anvil_nccl_factor_ring,
	.run = run,
};
#endif

ANVIL_NCCL_RUNNER(alltoall, anvil_nccl_alltoall, "nccl-alltoall",
		  "NCCL alltoall busbw over 8 B .. 1 GiB (nccl-tests alltoall), judged at large sizes, checked",
		  anvil_nccl_params);
