/*
 * rdma-read-lat: RDMA read latency, RC: one read at a time, each end in
 * turn; a read is a round trip and is not halved.
 * Defined as perftest's ib_read_lat defines it; the run is runners/rdma_run.c.
 */
#include "runners/rdma_run.h"

static const struct anvil_param params[] = {
	ANVIL_RDMA_LAT_PARAMS,
	{ NULL, 0, NULL, NULL },
};

#ifdef ANVIL_HAVE_IBVERBS
static enum anvil_status run(struct anvil_ctx *ctx)
{
	static const struct anvil_rdma_test test = { ANVIL_RDMA_READ, 1, "perftest ib_read_lat" };
	return anvil_rdma_run(ctx, &test);
}
#endif

const struct anvil_runner anvil_runner_rdma_read_lat = {
	.name = "rdma-read-lat",
	.summary = "RDMA read latency (RC, 2 B .. 8 MiB) per node pair and direction, as ib_read_lat: full round trip, min/median/avg/p99/p99.9/max",
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
