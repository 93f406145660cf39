/*
 * mpi-pairwise: bandwidth and latency of one node pair. The dispatcher runs
 * it for every pair of nodes (scope PAIRS: rounds of disjoint pairs at once,
 * a 2-rank communicator per pair, rank 0 the lower node, label "peer" set);
 * reports/pairwise.c turns the figures into the N x N matrix and names the
 * culprit. Definitions are OSU's (osu_bw, osu_bibw, osu_latency):
 *
 *  - bandwidth: rank 0 posts a window of `window` MPI_Isend of bw_bytes,
 *    rank 1 the matching MPI_Irecv, both wait for all, and rank 1 answers
 *    with a 4-byte ack; GB/s = bw_bytes * window * windows / time (10^9 B),
 *    timed on rank 0. One direction: lower node -> higher node.
 *  - bidirectional (optional): both ranks post the window of MPI_Irecv and
 *    of MPI_Isend at once, no ack; GB/s counts both directions (osu_bibw).
 *  - latency: ping-pong of lat_bytes, half the round trip, in us.
 *
 * As in OSU, the window's receives share one buffer and its sends another:
 * only the last message's content is kept, which is what is checked.
 *
 * Duration: every measurement stops at its iteration count or after
 * `seconds` (whichever comes first, at least one timed window), and a window
 * that alone would take more than a quarter of `seconds` (a slow or
 * degraded link) is shortened to fit, so that one bad cable costs seconds,
 * not minutes. `seconds` = 0 gives OSU's exact counts and window. Rank 0
 * decides when to stop and tells rank 1 between timed steps, outside the
 * timed region.
 */
#include "runners/msgbuf.h"
#include "runners/runner.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG_DATA 1
#define TAG_ACK 2
#define LAT_CHUNK 100      /* ping-pongs between two decisions to go on */

static const struct anvil_param pairwise_params[] = {
	{ "bw_bytes", ANVIL_P_INT, "4194304", "message size of the bandwidth test (bytes)" },
	{ "window", ANVIL_P_INT, "64", "messages in flight per window (OSU's window_size)" },
	{ "bw_iters", ANVIL_P_INT, "20", "timed windows at most (OSU's loop_large)" },
	{ "bw_warmup", ANVIL_P_INT, "2", "untimed windows before them (OSU's skip_large)" },
	{ "lat_bytes", ANVIL_P_INT, "8", "message size of the latency ping-pong (bytes)" },
	{ "lat_iters", ANVIL_P_INT, "1000", "timed ping-pongs at most" },
	{ "lat_warmup", ANVIL_P_INT, "100", "untimed ping-pongs before them" },
	{ "bidirectional", ANVIL_P_BOOL, "false", "also measure both directions at once (osu_bibw): metric bibw_gbs" },
	{ "seconds", ANVIL_P_DOUBLE, "0.2", "time budget of each measurement per pair; 0: exact counts, no limit" },
	ANVIL_MSGBUF_PARAM,
	{ NULL, 0, NULL, NULL },
};

struct pw_opts {
	long long bw_bytes, window, bw_iters, bw_warmup, lat_bytes, lat_iters, lat_warmup;
	int bidir;
	double seconds;
};

/* One pair's state; the buffers are owned. */
struct pw {
	const struct anvil_ctx *ctx;
	MPI_Comm comm;
	int me, peer;            /* 0 = lower node (times, decides, emits), 1 = higher */
	char *sbuf, *rbuf;
	MPI_Request *req;        /* 2 * window */
	struct pw_opts o;
	long huge_kib[2];        /* KiB of huge pages in the buffers: here, the peer's */
};

static int read_opts(const struct anvil_ctx *ctx, struct pw_opts *o, char *why, size_t len)
{
	o->bw_bytes = anvil_param_int(ctx, "bw_bytes");
	o->window = anvil_param_int(ctx, "window");
	o->bw_iters = anvil_param_int(ctx, "bw_iters");
	o->bw_warmup = anvil_param_int(ctx, "bw_warmup");
	o->lat_bytes = anvil_param_int(ctx, "lat_bytes");
	o->lat_iters = anvil_param_int(ctx, "lat_iters");
	o->lat_warmup = anvil_param_int(ctx, "lat_warmup");
	o->bidir = anvil_param_bool(ctx, "bidirectional");
	o->seconds = anvil_param_double(ctx, "seconds");
	const char *bad = o->bw_bytes < 1 || o->bw_bytes > (1LL << 30) ? "bw_bytes (need 1 .. 1 GiB)" :
			  o->window < 1 || o->window > 1024 ? "window (need 1 .. 1024)" :
			  o->bw_iters < 1 ? "bw_iters (need >= 1)" :
			  o->bw_warmup < 0 ? "bw_warmup (need >= 0)" :
			  o->lat_bytes < 0 || o->lat_bytes > o->bw_bytes ? "lat_bytes (need 0 .. bw_bytes)" :
			  o->lat_iters < 1 ? "lat_iters (need >= 1)" :
			  o->lat_warmup < 0 ? "lat_warmup (need >= 0)" :
			  !(o->seconds >= 0) ? "seconds (need a number >= 0)" : NULL;
	if (bad)
		snprintf(why, len, "mpi-pairwise: bad parameter %s", bad);
	return bad ? -1 : 0;
}

/* The byte a sender on node `node` puts at offset i, so that the receiver can check it. */
static unsigned char pattern(int node, size_t i)
{
	return (unsigned char)((i * 131u + (size_t)node * 29u + (i >> 12)) & 0xffu);
}

static long count_wrong(const unsigned char *b, size_t n, int node)
{
	long wrong = 0;
	for (size_t i = 0; i < n; i++)
		wrong += b[i] != pattern(node, i);
	return wrong;
}

/* Rank 0's verdict on going on, shared with rank 1; outside any timed region. */
static int go_on(const struct pw *p, long done, long want, double spent, double budget,
		 double last)
{
	int go = 0;
	if (p->me == 0) {
		go = done < want;
		if (go && budget > 0 && spent >= budget)
			go = 0;
		/* never run into the test's timeout: leave room for two more steps */
		if (go && done > 0 && anvil_ctx_time_left(p->ctx) < 2 * last + 1.0)
			go = 0;
	}
	MPI_Bcast(&go, 1, MPI_INT, 0, p->comm);
	return go;
}

/* One window of w messages of `bytes`; returns rank 0's seconds. */
static double bw_window(struct pw *p, size_t bytes, int w, int bidir)
{
	char ack[4] = { 0 };
	double t0 = MPI_Wtime();
	if (bidir) {
		for (int j = 0; j < w; j++)
			MPI_Irecv(p->rbuf, (int)bytes, MPI_CHAR, p->peer, TAG_DATA, p->comm, &p->req[j]);
		for (int j = 0; j < w; j++)
			MPI_Isend(p->sbuf, (int)bytes, MPI_CHAR, p->peer, TAG_DATA, p->comm, &p->req[w + j]);
		MPI_Waitall(2 * w, p->req, MPI_STATUSES_IGNORE);
	} else if (p->me == 0) {
		for (int j = 0; j < w; j++)
			MPI_Isend(p->sbuf, (int)bytes, MPI_CHAR, p->peer, TAG_DATA, p->comm, &p->req[j]);
		MPI_Waitall(w, p->req, MPI_STATUSES_IGNORE);
		MPI_Recv(ack, 4, MPI_CHAR, p->peer, TAG_ACK, p->comm, MPI_STATUS_IGNORE);
	} else {
		for (int j = 0; j < w; j++)
			MPI_Irecv(p->rbuf, (int)bytes, MPI_CHAR, p->peer, TAG_DATA, p->comm, &p->req[j]);
		MPI_Waitall(w, p->req, MPI_STATUSES_IGNORE);
		MPI_Send(ack, 4, MPI_CHAR, p->peer, TAG_ACK, p->comm);
	}
	return MPI_Wtime() - t0;
}

/* The window to use: `window`, or fewer when one window would eat more than
 * a quarter of the budget (timed from a single message, after one to open
 * the connection). Collective; rank 0 decides. */
static int pick_window(struct pw *p, size_t bytes, int bidir)
{
	int w = (int)p->o.window;
	bw_window(p, bytes, 1, bidir);
	double t1 = bw_window(p, bytes, 1, bidir);
	if (p->me == 0 && p->o.seconds > 0 && t1 * w > p->o.seconds / 4) {
		double fit = p->o.seconds / 4 / (t1 > 0 ? t1 : 1e-9);
		w = fit < 1 ? 1 : fit < w ? (int)fit : w;
	}
	MPI_Bcast(&w, 1, MPI_INT, 0, p->comm);
	return w;
}

struct bw_result {
	double gbs;     /* rank 0 only */
	int window;
	long windows;   /* timed */
};

static struct bw_result measure_bw(struct pw *p, int bidir)
{
	struct bw_result r = { NAN, 0, 0 };
	size_t bytes = (size_t)p->o.bw_bytes;
	r.window = pick_window(p, bytes, bidir);
	double spent = 0, last = 0;
	long i;
	for (i = 0; go_on(p, i, p->o.bw_warmup, spent, p->o.seconds / 4, last); i++)
		spent += last = bw_window(p, bytes, r.window, bidir);
	spent = 0;
	for (i = 0; i == 0 || go_on(p, i, p->o.bw_iters, spent, p->o.seconds, last); i++)
		spent += last = bw_window(p, bytes, r.window, bidir);
	r.windows = i;
	double moved = (double)bytes * r.window * (double)i * (bidir ? 2 : 1);
	r.gbs = spent > 0 ? moved / spent / 1e9 : NAN;
	return r;
}

/* n ping-pongs of `bytes`; returns rank 0's seconds. */
static double pingpong(struct pw *p, size_t bytes, long n)
{
	double t0 = MPI_Wtime();
	for (long i = 0; i < n; i++) {
		if (p->me == 0) {
			MPI_Send(p->sbuf, (int)bytes, MPI_CHAR, p->peer, TAG_DATA, p->comm);
			MPI_Recv(p->rbuf, (int)bytes, MPI_CHAR, p->peer, TAG_DATA, p->comm, MPI_STATUS_IGNORE);
		} else {
			MPI_Recv(p->rbuf, (int)bytes, MPI_CHAR, p->peer, TAG_DATA, p->comm, MPI_STATUS_IGNORE);
			MPI_Send(p->sbuf, (int)bytes, MPI_CHAR, p->peer, TAG_DATA, p->comm);
		}
	}
	return MPI_Wtime() - t0;
}

/* Half the round trip in seconds (rank 0), and how many were timed. */
static double measure_lat(struct pw *p, long *timed)
{
	size_t bytes = (size_t)p->o.lat_bytes;
	double spent = 0, last = 0;
	long done;
	for (done = 0; go_on(p, done, p->o.lat_warmup, spent, p->o.seconds / 4, last);) {
		long n = p->o.lat_warmup - done < LAT_CHUNK ? p->o.lat_warmup - done : LAT_CHUNK;
		spent += last = pingpong(p, bytes, n);
		done += n;
	}
	spent = 0;
	for (done = 0; done == 0 || go_on(p, done, p->o.lat_iters, spent, p->o.seconds, last);) {
		long n = p->o.lat_iters - done < LAT_CHUNK ? p->o.lat_iters - done : LAT_CHUNK;
		spent += last = pingpong(p, bytes, n);
		done += n;
	}
	*timed = done;
	return spent / (2.0 * (double)done);
}

/* The receiver's check of the last message; every rank gets the pair's total. */
static long check_data(struct pw *p, int bidir)
{
	long wrong = 0, all = 0;
	if (bidir || p->me == 1)
		wrong = count_wrong((const unsigned char *)p->rbuf, (size_t)p->o.bw_bytes,
				    anvil_ctx_node_of(p->ctx, p->peer));
	MPI_Allreduce(&wrong, &all, 1, MPI_LONG, MPI_SUM, p->comm);
	return all;
}

static void emit(struct anvil_ctx *ctx, const struct pw *p, const struct bw_result *bw,
		 const struct bw_result *bibw, double lat, long lat_timed, long wrong)
{
	anvil_emit_metric(ctx, "bandwidth_gbs", bw->gbs, "GB/s", ANVIL_HIGHER);
	if (bibw)
		anvil_emit_metric(ctx, "bibw_gbs", bibw->gbs, "GB/s", ANVIL_HIGHER);
	anvil_emit_metric(ctx, "latency_us", lat * 1e6, "us", ANVIL_LOWER);
	char text[200];
	snprintf(text, sizeof(text), "%ld byte(s) of the last %lld-byte message%s arrived wrong",
		 wrong, p->o.bw_bytes, bibw ? "s (both directions)" : "");
	anvil_emit_check(ctx, "data_intact", wrong == 0, (double)wrong, 0, text);
	cJSON *info = cJSON_CreateObject();
	cJSON_AddNumberToObject(info, "bw_bytes", (double)p->o.bw_bytes);
	cJSON_AddNumberToObject(info, "window", bw->window);
	cJSON_AddNumberToObject(info, "windows", (double)bw->windows);
	if (bibw) {
		cJSON_AddNumberToObject(info, "bibw_window", bibw->window);
		cJSON_AddNumberToObject(info, "bibw_windows", (double)bibw->windows);
	}
	cJSON_AddNumberToObject(info, "lat_bytes", (double)p->o.lat_bytes);
	cJSON_AddNumberToObject(info, "lat_iters", (double)lat_timed);
	anvil_msgbuf_describe(info, anvil_param_bool(ctx, "hugepages"), p->huge_kib[0], p->huge_kib[1],
			      2 * anvil_msgbuf_kib((size_t)p->o.bw_bytes));
	anvil_emit_info(ctx, info);
}

static enum anvil_status pairwise_run(struct anvil_ctx *ctx)
{
	struct pw p = { .ctx = ctx, .comm = anvil_ctx_comm(ctx), .me = anvil_ctx_rank(ctx) };
	char why[200];
	if (anvil_ctx_size(ctx) != 2)
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "mpi-pairwise runs on a pair: got %d ranks",
				      anvil_ctx_size(ctx));
	if (read_opts(ctx, &p.o, why, sizeof(why)))
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "%s", why);
	p.peer = 1 - p.me;
	size_t bytes = (size_t)p.o.bw_bytes;
	int huge = anvil_param_bool(ctx, "hugepages");
	/* send and receive buffer in one allocation, each 2 MiB-aligned: one
	 * mapping whose pages are read back once */
	size_t half = (size_t)anvil_msgbuf_kib(bytes) * 1024;
	p.sbuf = half && half <= SIZE_MAX / 2 ? anvil_msgbuf_alloc(2 * half, huge) : NULL;
	p.rbuf = p.sbuf ? p.sbuf + half : NULL;
	p.req = malloc(2 * (size_t)p.o.window * sizeof(MPI_Request));
	int ok = p.sbuf && p.rbuf && p.req, all_ok;
	MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, p.comm);
	enum anvil_status st = ANVIL_OK;
	if (!all_ok) {
		st = anvil_ctx_fail(ctx, ANVIL_ERROR, "cannot allocate 2 x %zu bytes on %s or its peer",
				    bytes, anvil_ctx_host_of(ctx, p.me));
		goto out;
	}
	for (size_t i = 0; i < bytes; i++)
		p.sbuf[i] = (char)pattern(anvil_ctx_node_of(ctx, p.me), i);
	memset(p.rbuf, 0, bytes);
	/* what pages each end got (send and receive buffer together) */
	p.huge_kib[0] = anvil_msgbuf_huge_kib(p.sbuf, 2 * half);
	MPI_Sendrecv(&p.huge_kib[0], 1, MPI_LONG, p.peer, 7, &p.huge_kib[1], 1, MPI_LONG, p.peer, 7, p.comm,
		     MPI_STATUS_IGNORE);
	struct bw_result bw = measure_bw(&p, 0), bibw = { NAN, 0, 0 };
	long wrong = check_data(&p, 0);
	if (p.o.bidir) {
		memset(p.rbuf, 0, bytes);
		bibw = measure_bw(&p, 1);
		wrong += check_data(&p, 1);
	}
	long lat_timed = 0;
	double lat = measure_lat(&p, &lat_timed);
	if (p.me == 0)
		emit(ctx, &p, &bw, p.o.bidir ? &bibw : NULL, lat, lat_timed, wrong);
out:
	free(p.sbuf);  /* and rbuf, its second half */
	free(p.req);
	return st;
}

const struct anvil_runner anvil_runner_mpi_pairwise = {
	.name = "mpi-pairwise",
	.summary = "MPI bandwidth (osu_bw, 4 MiB) and latency (8 B ping-pong) of every node pair, rounds in parallel",
	.needs = ANVIL_NEEDS_2NODES,
	.scope = ANVIL_SCOPE_PAIRS,
	.params = pairwise_params,
	.run = pairwise_run,
};
