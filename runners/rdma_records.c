/*
 * What the RDMA runners record: both ends' facts (device, port, link rate,
 * GID, MTU, memory) as an info record, the sweep as a series, and the
 * headline metrics, named as mpi-pairwise names its own (bandwidth_gbs,
 * bandwidth_gbps, latency_us) so the pair matrix reads both alike. Each
 * record carries the peer label the dispatcher set: host → peer is the link.
 */
#include "runners/rdma_records.h"
#include <math.h>
#include <stdio.h>

#ifdef ANVIL_HAVE_IBVERBS

static const char *width_name(int lanes)
{
	switch (lanes) {
	case 1: return "1x";
	case 2: return "2x";
	case 4: return "4x";
	case 8: return "8x";
	case 12: return "12x";
	default: return "?";
	}
}

/* The link's rate as JSON, or its problem; *gbs gets the data rate or NAN. */
static cJSON *rate_json(int width, int speed, uint32_t speed_ex, int link_layer, double *gbs)
{
	struct anvil_rdma_rate rate;
	char why[200];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "active_width", width);
	cJSON_AddNumberToObject(o, "active_speed", speed);
	cJSON_AddNumberToObject(o, "active_speed_ex", speed_ex);
	*gbs = NAN;
	if (anvil_rdma_decode_rate(width, speed, speed_ex, link_layer, &rate, why, sizeof(why))) {
		cJSON_AddStringToObject(o, "problem", why);
		return o;
	}
	cJSON_AddStringToObject(o, "width", width_name(rate.lanes));
	cJSON_AddStringToObject(o, "speed", rate.speed_name);
	cJSON_AddNumberToObject(o, "lane_nominal_gbps", rate.lane_nominal_gbps);
	cJSON_AddNumberToObject(o, "lane_data_gbps", rate.lane_data_gbps);
	cJSON_AddNumberToObject(o, "data_gbps", rate.data_gbps);
	cJSON_AddNumberToObject(o, "data_gbs", rate.data_gbs);
	*gbs = rate.data_gbs;
	return o;
}

static const char *direction_text(const struct anvil_rdma_test *t)
{
	if (t->latency)
		return t->verb == ANVIL_RDMA_READ ? "this host reads from the peer (round trip, not halved)"
						  : "ping-pong with the peer (round trip / 2)";
	return t->verb == ANVIL_RDMA_WRITE ? "this host writes to the peer" :
	       t->verb == ANVIL_RDMA_READ ? "this host reads from the peer (data flows peer → host)"
					  : "this host sends to the peer";
}

double anvil_rdma_emit_facts(struct anvil_ctx *ctx, const struct anvil_rdma_test *t, const struct anvil_rdma *r,
			     const struct anvil_rdma_endpoint *peer, int cq_mod, double duration_s)
{
	struct anvil_rdma_facts f;
	double mine, theirs;
	anvil_rdma_facts(r, &f);
	cJSON *info = cJSON_CreateObject();
	cJSON_AddStringToObject(info, "anchor", t->anchor);
	cJSON_AddStringToObject(info, "direction", direction_text(t));
	cJSON_AddStringToObject(info, "device", f.device);
	cJSON_AddNumberToObject(info, "port", f.port);
	cJSON_AddStringToObject(info, "fw_ver", f.fw_ver);
	cJSON_AddStringToObject(info, "link_layer", anvil_rdma_link_layer_name(f.link_layer));
	cJSON_AddItemToObject(info, "link", rate_json(f.width, f.speed, f.speed_ex, f.link_layer, &mine));
	char where[ANVIL_RDMA_NAME_MAX + 16];
	snprintf(where, sizeof(where), "%s:%d", peer->device, peer->port);
	cJSON_AddStringToObject(info, "peer_device", where);
	cJSON_AddItemToObject(info, "peer_link", rate_json(peer->width, peer->speed, peer->speed_ex,
							    peer->link_layer, &theirs));
	double rate = isfinite(mine) && isfinite(theirs) ? (mine < theirs ? mine : theirs) : NAN;
	if (isfinite(rate))
		cJSON_AddNumberToObject(info, "link_rate_gbs", rate);
	if (f.link_layer == ANVIL_RDMA_LL_IB)
		cJSON_AddNumberToObject(info, "lid", f.lid);
	cJSON_AddNumberToObject(info, "gid_index", f.gid_index);
	if (f.gid_index >= 0) {
		cJSON_AddStringToObject(info, "gid", f.gid);
		cJSON_AddStringToObject(info, "gid_type", anvil_rdma_gid_type_name(f.gid_type));
	}
	cJSON_AddNumberToObject(info, "mtu", f.mtu_bytes);
	cJSON_AddNumberToObject(info, "qps", f.qps);
	cJSON_AddNumberToObject(info, "tx_depth", f.tx_depth);
	if (t->verb == ANVIL_RDMA_SEND)
		cJSON_AddNumberToObject(info, "rx_depth", f.rx_depth);
	if (t->verb == ANVIL_RDMA_READ)
		cJSON_AddNumberToObject(info, "outstanding_reads", f.out_reads);
	cJSON_AddNumberToObject(info, "inline_size", f.inline_size);
	cJSON_AddStringToObject(info, "memory", f.memory);
	if (!t->latency) {
		if (cq_mod)
			cJSON_AddNumberToObject(info, "cq_mod", cq_mod);
		else
			cJSON_AddStringToObject(info, "cq_mod", "perftest's: 100, 1 above 8 KiB");
		if (duration_s > 0)
			cJSON_AddNumberToObject(info, "duration_s", duration_s);
	}
	cJSON_AddStringToObject(info, "timer", "CLOCK_MONOTONIC, ns");
	anvil_emit_info(ctx, info);
	return rate;
}

void anvil_rdma_emit_bw(struct anvil_ctx *ctx, const struct anvil_rdma_row *rows, int nrows, int complete,
			double rate)
{
	struct anvil_series *s = anvil_series_new(ctx, "bandwidth", "size", "B");
	anvil_series_column(s, "bw_peak", "GB/s");
	anvil_series_column(s, "bw_avg", "GB/s");
	anvil_series_column(s, "bw_avg_gbps", "Gb/s");
	anvil_series_column(s, "msg_rate", "Mpps");
	anvil_series_column(s, "iterations", "");
	for (int i = 0; i < nrows; i++) {
		const struct anvil_rdma_row *w = &rows[i];
		anvil_series_row(s, (double)w->size, (double[]){ w->bw.peak_gbs, w->bw.avg_gbs, w->bw.avg_gbs * 8,
								  w->bw.msg_rate_mpps, (double)w->bw.msgs });
	}
	anvil_series_emit(s);
	if (!complete)
		return;   /* the sweep stopped early: no headline figures */
	const struct anvil_rdma_row *big = &rows[nrows - 1], *small = &rows[0];
	anvil_emit_metric(ctx, "bandwidth_gbs", big->bw.avg_gbs, "GB/s", ANVIL_HIGHER);
	anvil_emit_metric(ctx, "bandwidth_gbps", big->bw.avg_gbs * 8, "Gb/s", ANVIL_HIGHER);
	if (isfinite(big->bw.peak_gbs))
		anvil_emit_metric(ctx, "bandwidth_peak_gbs", big->bw.peak_gbs, "GB/s", ANVIL_HIGHER);
	anvil_emit_metric(ctx, "msg_rate_mpps", small->bw.msg_rate_mpps, "Mpps", ANVIL_HIGHER);
	anvil_emit_metric(ctx, "link_rate_gbs", rate, "GB/s", ANVIL_NEUTRAL);
	anvil_emit_metric(ctx, "link_fraction", big->bw.avg_gbs / rate, "fraction", ANVIL_HIGHER);
}

void anvil_rdma_emit_lat(struct anvil_ctx *ctx, const struct anvil_rdma_row *rows, int nrows, int complete)
{
	struct anvil_series *s = anvil_series_new(ctx, "latency", "size", "B");
	const char *cols[] = { "t_min", "t_typical", "t_avg", "t_p99", "t_p99.9", "t_max" };
	for (int c = 0; c < 6; c++)
		anvil_series_column(s, cols[c], "us");
	anvil_series_column(s, "iterations", "");
	for (int i = 0; i < nrows; i++) {
		const struct anvil_rdma_lat *l = &rows[i].lat;
		anvil_series_row(s, (double)rows[i].size, (double[]){ l->min_us, l->typical_us, l->avg_us, l->p99_us,
									  l->p999_us, l->max_us, (double)rows[i].iters });
	}
	anvil_series_emit(s);
	if (!complete)
		return;
	const struct anvil_rdma_lat *l = &rows[0].lat;
	anvil_emit_metric(ctx, "latency_us", l->typical_us, "us", ANVIL_LOWER);
	anvil_emit_metric(ctx, "latency_min_us", l->min_us, "us", ANVIL_LOWER);
	anvil_emit_metric(ctx, "latency_avg_us", l->avg_us, "us", ANVIL_LOWER);
	anvil_emit_metric(ctx, "latency_p99_us", l->p99_us, "us", ANVIL_LOWER);
	anvil_emit_metric(ctx, "latency_p999_us", l->p999_us, "us", ANVIL_LOWER);
	anvil_emit_metric(ctx, "latency_max_us", l->max_us, "us", ANVIL_LOWER);
}

#endif /* ANVIL_HAVE_IBVERBS */
