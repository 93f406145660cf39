/*
 * The RDMA runners' run on one pair of nodes (scope PAIRS: the dispatcher
 * gives a 2-rank communicator, one rank per node, labelled with the peer):
 * parameters → resources on both ends → endpoints swapped over MPI → QPs
 * connected → the message-size sweep → records. Bandwidth and read latency
 * run once in each direction, each end measuring the direction it drives,
 * so the records of all pairs form the N×N link matrix (host → peer); write
 * and send latency ping-pong, and both ends measure. Every phase ends with
 * both ends agreeing, so a failure on one end stops both with its reason.
 */
#include "runners/rdma_run.h"
#include "runners/rdma_pair.h"
#include "runners/rdma_records.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef ANVIL_HAVE_IBVERBS

#define PEAK_MAX_ITERS 20000   /* perftest measures no peak above this */

int anvil_rdma_available(char *why, size_t len)
{
	struct anvil_rdma_port *ports;
	int n;
	if (anvil_rdma_list_ports(&ports, &n, why, len))
		return 0;
	int ok = anvil_rdma_pick_port(ports, n, "", 0, why, len) >= 0;
	free(ports);
	return ok;
}

struct job {
	struct anvil_ctx *ctx;
	const struct anvil_rdma_test *t;
	struct anvil_rdma_opts o;
	struct anvil_sweep sw;
	double duration_s;
	int cq_mod, peak;
	struct anvil_rdma *r;
	struct anvil_rdma_pair pair;
	struct anvil_rdma_endpoint peer;
	uint64_t deadline_ns;
	struct anvil_rdma_row *rows;          /* what this end measured, sw.n at most */
	int nrows;
};

/* ---- parameters ------------------------------------------------------------- */

static int in_range(const char *key, long long v, long long lo, long long hi, char *why, size_t len)
{
	if (v >= lo && v <= hi)
		return 0;
	snprintf(why, len, "%s %lld: expected %lld..%lld", key, v, lo, hi);
	return -1;
}

static int link_params(struct job *j, char *why, size_t len)
{
	struct anvil_ctx *ctx = j->ctx;
	if (anvil_rdma_parse_devport(anvil_param_str(ctx, "device"), j->o.device, sizeof(j->o.device), &j->o.port,
				     why, len))
		return -1;
	j->o.gid_index = (int)anvil_param_int(ctx, "gid_index");
	j->o.mtu = (int)anvil_param_int(ctx, "mtu");
	j->o.sl = (int)anvil_param_int(ctx, "sl");
	j->o.traffic_class = (int)anvil_param_int(ctx, "traffic_class");
	j->o.qp_timeout = (int)anvil_param_int(ctx, "qp_timeout");
	j->o.inline_size = (int)anvil_param_int(ctx, "inline_size");
	j->o.gpu_memory = anvil_param_bool(ctx, "gpu_memory");
	j->o.gpu = (int)anvil_param_int(ctx, "gpu");
	return in_range("gid_index", j->o.gid_index, -1, 65535, why, len) ||
	       in_range("mtu", j->o.mtu, 0, 4096, why, len) || in_range("sl", j->o.sl, 0, 15, why, len) ||
	       in_range("traffic_class", j->o.traffic_class, 0, 255, why, len) ||
	       in_range("qp_timeout", j->o.qp_timeout, 0, 31, why, len) ||
	       in_range("inline_size", j->o.inline_size, -1, 4096, why, len) ||
	       in_range("gpu", j->o.gpu, 0, 1023, why, len);
}

static int queue_params(struct job *j, char *why, size_t len)
{
	struct anvil_ctx *ctx = j->ctx;
	j->o.qps = j->o.tx_depth = j->o.rx_depth = 1;
	j->cq_mod = 1;
	if (!j->t->latency) {
		j->o.qps = (int)anvil_param_int(ctx, "qps");
		j->o.tx_depth = (int)anvil_param_int(ctx, "tx_depth");
		j->cq_mod = (int)anvil_param_int(ctx, "cq_mod");
		j->duration_s = anvil_param_double(ctx, "duration_s");
		j->peak = anvil_param_bool(ctx, "peak");
		if (in_range("qps", j->o.qps, 1, ANVIL_RDMA_MAX_QPS, why, len) ||
		    in_range("tx_depth", j->o.tx_depth, 1, 15000, why, len) ||
		    in_range("cq_mod", j->cq_mod, 0, 1024, why, len))
			return -1;
		if (!(j->duration_s >= 0 && j->duration_s <= 86400)) {
			snprintf(why, len, "duration_s %g: expected 0 (iterations) .. 86400", j->duration_s);
			return -1;
		}
	}
	if (j->t->verb == ANVIL_RDMA_SEND) {
		j->o.rx_depth = (int)anvil_param_int(ctx, "rx_depth");
		if (in_range("rx_depth", j->o.rx_depth, 1, 16384, why, len))
			return -1;
	}
	return 0;
}

static int read_params(struct job *j, char *why, size_t len)
{
	j->o.verb = j->t->verb;
	j->o.latency = j->t->latency;
	if (link_params(j, why, len) || queue_params(j, why, len) ||
	    anvil_sweep_from_params(&j->sw, j->ctx, 1, why, len))
		return -1;
	j->o.max_size = j->sw.sizes[j->sw.n - 1];
	if (j->o.max_size > (1u << 30)) {
		snprintf(why, len, "max_bytes %zu: RDMA messages here are at most 1 GiB", j->o.max_size);
		return -1;
	}
	for (int i = 0; j->t->latency && i < j->sw.n; i++)
		if (anvil_sweep_iters(&j->sw, j->sw.sizes[i]) < 5) {
			snprintf(why, len, "iters %ld at %zu B: latency needs at least 5 (perftest's minimum)",
				 anvil_sweep_iters(&j->sw, j->sw.sizes[i]), j->sw.sizes[i]);
			return -1;
		}
	if (j->t->latency && j->t->verb == ANVIL_RDMA_WRITE && j->o.gpu_memory) {
		snprintf(why, len, "gpu_memory: write latency polls the receive buffer with the CPU, which cannot read GPU memory (perftest refuses it too; use rdma-send-lat or rdma-read-lat)");
		return -1;
	}
	j->rows = calloc((size_t)j->sw.n, sizeof(*j->rows));
	if (!j->rows) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	return 0;
}

/* ---- one run: both ends, one message size ------------------------------------- */

enum role { PASSIVE, ACTIVE };

static int one_run(struct job *j, const struct anvil_rdma_run *run, enum role role, struct anvil_rdma_row *out,
		   char *why, size_t len)
{
	int receives = j->t->verb == ANVIL_RDMA_SEND && (j->t->latency || role == PASSIVE);
	int ok = anvil_rdma_prepare(j->r, run, receives, why, len) == 0;
	if (!anvil_rdma_pair_agree(&j->pair, ok, why, len))
		return -1;
	anvil_rdma_pair_arm(&j->pair);
	struct anvil_rdma_watch w = { anvil_rdma_pair_check, &j->pair, j->deadline_ns };
	uint64_t sent[ANVIL_RDMA_MAX_QPS] = { 0 };
	int rc = 0, initiator = j->pair.me == 0;
	if (j->t->latency && (role == ACTIVE || j->t->verb != ANVIL_RDMA_READ))
		rc = anvil_rdma_lat(j->r, run, initiator, &w, &out->lat, why, len);
	else if (!j->t->latency && role == ACTIVE)
		rc = anvil_rdma_bw(j->r, run, &w, &out->bw, sent, why, len);
	else if (!j->t->latency && j->t->verb == ANVIL_RDMA_SEND)
		rc = anvil_rdma_bw_recv(j->r, run, &w, why, len);
	return anvil_rdma_pair_finish(&j->pair, rc == 0, sent, j->o.qps, why, len) ? 0 : -1;
}

/* Warm-up (untimed; none in duration mode) and the measured run of one size. */
static int one_size(struct job *j, size_t size, enum role role, char *why, size_t len)
{
	long iters = anvil_sweep_iters(&j->sw, size), warm = anvil_sweep_warmup(&j->sw, size);
	struct anvil_rdma_run run = {
		.size = size,
		.iters = iters,
		.duration_s = j->duration_s,
		.cq_mod = anvil_rdma_cq_mod(j->cq_mod, size, j->o.tx_depth),
		.peak = j->peak && iters <= PEAK_MAX_ITERS && j->duration_s <= 0,
	};
	struct anvil_rdma_row scratch;
	if (j->t->latency)
		run.cq_mod = 1;
	if (warm > 0 && j->duration_s <= 0) {
		struct anvil_rdma_run w = run;
		w.iters = warm < 5 && j->t->latency ? 5 : warm;
		w.peak = 0;
		if (one_run(j, &w, role, &scratch, why, len))
			return -1;
	}
	struct anvil_rdma_row *out = &j->rows[j->nrows];
	memset(out, 0, sizeof(*out));
	if (one_run(j, &run, role, out, why, len))
		return -1;
	out->size = size;
	out->iters = iters;
	if (role == ACTIVE || (j->t->latency && j->t->verb != ANVIL_RDMA_READ))
		j->nrows++;
	return 0;
}

/* Bandwidth and read latency: rank 0 drives every size, then rank 1.
 * Write and send latency: one ping-pong per size, measured on both ends. */
static int sweep(struct job *j, char *why, size_t len)
{
	int both_measure = j->t->latency && j->t->verb != ANVIL_RDMA_READ;
	for (int driver = 0; driver < (both_measure ? 1 : 2); driver++) {
		enum role role = both_measure || driver == j->pair.me ? ACTIVE : PASSIVE;
		for (int i = 0; i < j->sw.n; i++)
			if (one_size(j, j->sw.sizes[i], role, why, len))
				return -1;
	}
	return 0;
}

/* ---- the run ------------------------------------------------------------------------ */

static uint64_t deadline_of(const struct anvil_ctx *ctx)
{
	double left = anvil_ctx_time_left(ctx) - 2;   /* leave time to tell the peer */
	if (left > 86400)
		left = 86400;
	if (left < 1)
		left = 1;
	return anvil_rdma_now_ns() + (uint64_t)(left * 1e9);
}

static int set_up(struct job *j, char *why, size_t len)
{
	int ok = read_params(j, why, len) == 0;
	if (!anvil_rdma_pair_agree(&j->pair, ok, why, len))
		return -1;
	ok = anvil_rdma_open(&j->o, &j->r, why, len) == 0;
	if (!anvil_rdma_pair_agree(&j->pair, ok, why, len))
		return -1;
	struct anvil_rdma_endpoint me;
	anvil_rdma_local(j->r, &me);
	anvil_rdma_pair_swap(&j->pair, &me, &j->peer, sizeof(me));
	ok = anvil_rdma_connect(j->r, &j->peer, why, len) == 0;
	return anvil_rdma_pair_agree(&j->pair, ok, why, len) ? 0 : -1;
}

enum anvil_status anvil_rdma_run(struct anvil_ctx *ctx, const struct anvil_rdma_test *t)
{
	if (anvil_ctx_size(ctx) != 2)
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "RDMA tests run on a pair of nodes (scope pairs), not on %d rank(s)",
				      anvil_ctx_size(ctx));
	struct job j;
	char why[512] = "";
	memset(&j, 0, sizeof(j));
	j.ctx = ctx;
	j.t = t;
	j.deadline_ns = deadline_of(ctx);
	anvil_rdma_pair_init(&j.pair, anvil_ctx_comm(ctx), anvil_ctx_host_of(ctx, 1 - anvil_ctx_rank(ctx)));
	int rc = set_up(&j, why, sizeof(why));
	if (!rc) {
		double rate = anvil_rdma_emit_facts(ctx, t, j.r, &j.peer, j.cq_mod, j.duration_s);
		rc = sweep(&j, why, sizeof(why));
		if (j.nrows && t->latency)
			anvil_rdma_emit_lat(ctx, j.rows, j.nrows, j.nrows == j.sw.n);
		else if (j.nrows)
			anvil_rdma_emit_bw(ctx, j.rows, j.nrows, j.nrows == j.sw.n, rate);
	}
	anvil_rdma_close(j.r);
	anvil_sweep_release(&j.sw);
	free(j.rows);
	return rc ? anvil_ctx_fail(ctx, ANVIL_ERROR, "%s", why) : ANVIL_OK;
}

#endif /* ANVIL_HAVE_IBVERBS */
