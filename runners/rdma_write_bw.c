/*
 * rdma-write-bw: RDMA write bandwidth, RC, between each pair of nodes in
 * both directions: BW average = bytes / (last completion - first post), BW
 * peak, in GB/s and Gb/s, against the link's data rate.
 * Defined as perftest's ib_write_bw defines it; the run is runners/rdma_run.c.
 */
#include "runners/rdma_run.h"

static const struct anvil_param params[] = {
	ANVIL_RDMA_BW_PARAMS("5000"),
	{ NULL, 0, NULL, NULL },
};

ANVIL_RDMA_RUNNER(write_bw, ANVIL_RDMA_WRITE, 0, "perftest ib_write_bw", "rdma-write-bw",
		  "RDMA write bandwidth (RC, 2 B .. 8 MiB) per node pair and direction, as ib_write_bw; fraction of link rate",
		  params);
