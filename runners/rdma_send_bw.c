/*
 * rdma-send-bw: two-sided send/receive bandwidth, RC, between each pair of
 * nodes in both directions; the sender measures, the receiver keeps rx_depth
 * receives posted.
 * Defined as perftest's ib_send_bw defines it; the run is runners/rdma_run.c.
 */
#include "runners/rdma_run.h"

static const struct anvil_param params[] = {
	ANVIL_RDMA_BW_PARAMS("1000"),
	ANVIL_RDMA_RX_PARAM,
	{ NULL, 0, NULL, NULL },
};

#ifdef ANVIL_HAVE_IBVERBS
static enum anvil_status run(struct anvil_ctx *ctx)
{
	static const struct anvil_rdma_test test = { ANVIL_RDMA_SEND, 0, "perftest ib_send_bw" };
	return anvil_rdma_run(ctx, &test);
}
#endif

const struct anvil_runner anvil_runner_rdma_send_bw = {
	.name = "rdma-send-bw",
	.summary = "RDMA send/receive bandwidth (RC, 2 B .. 8 MiB) per node pair and direction, as ib_send_bw; fraction of link rate",
	.needs = ANVIL_NEEDS_RDMA,
	.scope = ANVIL_SCOPE_PAIRS,
	.params = params,
#ifdef ANVIL_HAVE_IBVERBS
	.available = anvil_rdma_available,
	.run = run,
#else
	.not_built = ANVIL_RDMA_NOT_BUILT,
#endif
};
