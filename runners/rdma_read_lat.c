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

ANVIL_RDMA_RUNNER(read_lat, ANVIL_RDMA_READ, 1, "perftest ib_read_lat", "rdma-read-lat",
		  "RDMA read latency (RC, 2 B .. 8 MiB) per node pair and direction, as ib_read_lat: full round trip, min/median/avg/p99/p99.9/max",
		  params);
