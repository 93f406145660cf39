/* The RDMA runners' records (runners/rdma_records.c). */
#ifndef ANVIL_RDMA_RECORDS_H
#define ANVIL_RDMA_RECORDS_H
#include "runners/rdma_run.h"

/* What one end measured at one message size. */
struct anvil_rdma_row {
	size_t size;
	long iters;
	struct anvil_rdma_bw bw;
	struct anvil_rdma_lat lat;
};

/* An info record with the facts of both ends; returns the rate to judge
 * bandwidth by: the slower end's link data rate in GB/s, or NAN when a rate
 * could not be decoded (the record says why). */
double anvil_rdma_emit_facts(struct anvil_ctx *ctx, const struct anvil_rdma_test *t, const struct anvil_rdma *r,
			     const struct anvil_rdma_endpoint *peer, int cq_mod, double duration_s);
/* The "bandwidth" series; when the sweep is complete also bandwidth_gbs and
 * bandwidth_gbps (BW average at the largest size), bandwidth_peak_gbs,
 * msg_rate_mpps (at the smallest size), link_rate_gbs and link_fraction. */
void anvil_rdma_emit_bw(struct anvil_ctx *ctx, const struct anvil_rdma_row *rows, int nrows, int complete,
			double rate);
/* The "latency" series; when complete also latency_us (typical, the median)
 * and latency_{min,avg,p99,p999,max}_us, all at the smallest size. */
void anvil_rdma_emit_lat(struct anvil_ctx *ctx, const struct anvil_rdma_row *rows, int nrows, int complete);

#endif
