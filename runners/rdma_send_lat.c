/*
 * rdma-send-lat: send/receive ping-pong latency, RC: round trip / 2; min,
 * typical (median), average, 99%, 99.9%, max.
 * Defined as perftest's ib_send_lat defines it; the run is runners/rdma_run.c.
 */
#include "runners/rdma_run.h"

static const struct anvil_param params[] = {
	ANVIL_RDMA_LAT_PARAMS,
	ANVIL_RDMA_RX_PARAM,
	{ NULL, 0, NULL, NULL },
};

ANVIL_RDMA_RUNNER(send_lat, ANVIL_RDMA_SEND, 1, "perftest ib_send_lat", "rdma-send-lat",
		  "RDMA send/receive ping-pong latency (RC, 2 B .. 8 MiB) per node pair, as ib_send_lat: RTT/2 min/median/avg/p99/p99.9/max",
		  params);
