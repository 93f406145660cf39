/*
 * rdma-read-bw: RDMA read bandwidth, RC, between each pair of nodes in both
 * directions (the reader drives; data flows to it), defined as for write.
 * Defined as perftest's ib_read_bw defines it; the run is runners/rdma_run.c.
 */
#include "runners/rdma_run.h"

static const struct anvil_param params[] = {
	ANVIL_RDMA_BW_PARAMS("1000"),
	{ NULL, 0, NULL, NULL },
};

ANVIL_RDMA_RUNNER(read_bw, ANVIL_RDMA_READ, 0, "perftest ib_read_bw", "rdma-read-bw",
		  "RDMA read bandwidth (RC, 2 B .. 8 MiB) per node pair and direction, as ib_read_bw; fraction of link rate",
		  params);
