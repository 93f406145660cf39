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

ANVIL_RDMA_RUNNER(send_bw, ANVIL_RDMA_SEND, 0, "perftest ib_send_bw", "rdma-send-bw",
		  "RDMA send/receive bandwidth (RC, 2 B .. 8 MiB) per node pair and direction, as ib_send_bw; fraction of link rate",
		  params);
