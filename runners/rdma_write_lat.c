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

ANVIL_RDMA_RUNNER(write_lat, ANVIL_RDMA_WRITE, 1, "perftest ib_write_lat", "rdma-write-lat",
		  "RDMA write ping-pong latency (RC, 2 B .. 8 MiB) per node pair, as ib_write_lat: RTT/2 min/median/avg/p99/p99.9/max",
		  params);
