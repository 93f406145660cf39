/*
 * rdma-write-lat: RDMA write ping-pong latency, RC: each end polls the last
 * byte of its buffer for the peer's write; round trip / 2; min, typical
 * (median), average, 99%, 99.9%, max.
 * Defined as perftest's ib_write_lat defines it; the run is runners/rdma_run.c.
 */
#include "runners/rdma_run.h"

static const struct anvil_param params[] = {
	ANVIL_RDMA_LAT_PARAMS,
	{ NULL, 0, NULL, NULL },
};

#ifdef ANVIL_HAVE_IBVERBS
static enum anvil_status run(struct anvil_ctx *ctx)
{
	static const struct anvil_rdma_test test = { ANVIL_RDMA_WRITE, 1, "perftest ib_write_lat" };
	return anvil_rdma_run(ctx, &test);
}
#endif

const struct anvil_runner anvil_runner_rdma_write_lat = {
	.name = "rdma-write-lat",
	.summary = "RDMA write ping-pong latency (RC, 2 B .. 8 MiB) per node pair, as ib_write_lat: RTT/2 min/median/avg/p99/p99.9/max",
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
