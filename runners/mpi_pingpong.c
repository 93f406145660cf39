/*
 * mpi-pingpong: latency and bandwidth between two ranks, on different nodes
 * where there are several. Defined as IMB PingPong and HPCC define them:
 * latency = round-trip time / 2; bandwidth = size / latency. Warm-up and
 * iteration counts follow OSU (fewer iterations from 8 KiB on). As HPCC's
 * b_eff ping-pong does, the timed loop is measured several times
 * ("measurements") and the shortest loop counts: a loop in which the
 * operating system took a core away measures the machine's other load, not
 * the link.
 */
#include "runners/msgbuf.h"
#include "runners/runner.h"
#include "runners/sweep.h"
#include <stdlib.h>
#include <string.h>

static const struct anvil_param pingpong_params[] = {
	ANVIL_SWEEP_PARAMS("1", "4194304", "10000", "1000"),
	{ "measurements", ANVIL_P_INT, "5", "timed loops per size (iters / measurements each); the shortest counts, as in HPCC" },
	ANVIL_MSGBUF_PARAM,
	{ NULL, 0, NULL, NULL },
};

/* The partner of rank 0: the first rank on another node, else rank 1. */
static int partner(const struct anvil_ctx *ctx)
{
	for (int r = 1; r < anvil_ctx_size(ctx); r++)
		if (anvil_ctx_node_of(ctx, r) != anvil_ctx_node_of(ctx, 0))
			return r;
	return 1;
}

/* One-way time of one loop of iters round trips, after warmup untimed ones. */
static double pingpong(MPI_Comm comm, int me, int peer, char *buf, size_t size, long warmup, long iters)
{
	double t0 = MPI_Wtime();
	for (long i = 0; i < warmup + iters; i++) {
		if (i == warmup)
			t0 = MPI_Wtime();
		if (me == 0) {
			MPI_Send(buf, (int)size, MPI_CHAR, peer, 1, comm);
			MPI_Recv(buf, (int)size, MPI_CHAR, peer, 1, comm, MPI_STATUS_IGNORE);
		} else {
			MPI_Recv(buf, (int)size, MPI_CHAR, 0, 1, comm, MPI_STATUS_IGNORE);
			MPI_Send(buf, (int)size, MPI_CHAR, 0, 1, comm);
		}
	}
	return (MPI_Wtime() - t0) / (2.0 * (double)iters);
}

static enum anvil_status pingpong_run(struct anvil_ctx *ctx)
{
	MPI_Comm comm = anvil_ctx_comm(ctx);
	int rank = anvil_ctx_rank(ctx), peer = partner(ctx);
	struct anvil_sweep sw;
	char why[256];
	long meas = anvil_param_int(ctx, "measurements");
	if (meas < 1)
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "mpi-pingpong: measurements %ld: need at least 1 timed loop per size", meas);
	if (anvil_sweep_from_params(&sw, ctx, 1, why, sizeof(why)))
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "%s", why);
	int in_pair = rank == 0 || rank == peer;
	MPI_Comm pair;
	MPI_Comm_split(comm, in_pair ? 0 : MPI_UNDEFINED, rank, &pair);
	if (!in_pair) {
		anvil_sweep_release(&sw);
		return ANVIL_OK;  /* not in the pair: nothing to measure */
	}
	anvil_ctx_label(ctx, "peer", anvil_ctx_host_of(ctx, rank == 0 ? peer : 0));
	size_t largest = sw.sizes[sw.n - 1];
	int huge = anvil_param_bool(ctx, "hugepages");
	char *buf = anvil_msgbuf_alloc(largest, huge);
	/* both or neither: a partner left alone would wait in MPI_Recv until the timeout */
	int have = buf != NULL, both = 0;
	MPI_Allreduce(&have, &both, 1, MPI_INT, MPI_MIN, pair);
	if (!both) {
		free(buf);
		MPI_Comm_free(&pair);
		anvil_sweep_release(&sw);
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "cannot allocate %zu bytes (max_bytes) %s", largest,
				      have ? "on the partner rank" : "here");
	}
	memset(buf, 0xa5, largest);
	struct anvil_series *se = rank == 0 ? anvil_series_new(ctx, "pingpong", "size", "B") : NULL;
	if (se) {
		anvil_series_column(se, "latency", "us");
		anvil_series_column(se, "bandwidth", "GB/s");
	}
	double lat0 = 0, bw_last = 0;
	int me;
	MPI_Comm_rank(pair, &me);
	int them = 1 - me;
	/* what pages each end got: the kernel may give a fragmented node fewer */
	long kib[2] = { anvil_msgbuf_huge_kib(buf, largest), -1 };
	MPI_Sendrecv(&kib[0], 1, MPI_LONG, them, 7, &kib[1], 1, MPI_LONG, them, 7, pair, MPI_STATUS_IGNORE);
	for (int i = 0; i < sw.n; i++) {
		size_t size = sw.sizes[i];
		long iters = anvil_sweep_iters(&sw, size) / meas;
		double lat = pingpong(pair, me, them, buf, size, anvil_sweep_warmup(&sw, size), iters > 0 ? iters : 1);
		for (long m = 1; m < meas; m++) {
			double l = pingpong(pair, me, them, buf, size, 0, iters > 0 ? iters : 1);
			lat = l < lat ? l : lat;
		}
		double bw = (double)size / lat / 1e9;
		if (i == 0)
			lat0 = lat;
		bw_last = bw;
		if (se)
			anvil_series_row(se, (double)size, (double[]){ lat * 1e6, bw });
	}
	MPI_Comm_free(&pair);
	if (se) {
		cJSON *info = cJSON_CreateObject();
		if (info) {
			anvil_msgbuf_describe(info, huge, kib[0], kib[1], anvil_msgbuf_kib(largest));
			anvil_emit_info(ctx, info);
		}
		anvil_series_emit(se);
		anvil_emit_metric(ctx, "latency_us", lat0 * 1e6, "us", ANVIL_LOWER);
		anvil_emit_metric(ctx, "bandwidth_gbs", bw_last, "GB/s", ANVIL_HIGHER);
	}
	free(buf);
	anvil_sweep_release(&sw);
	return ANVIL_OK;
}

const struct anvil_runner anvil_runner_mpi_pingpong = {
	.name = "mpi-pingpong",
	.summary = "MPI ping-pong latency and bandwidth, 1 B .. 4 MiB, between two nodes (IMB/HPCC definitions)",
	.needs = ANVIL_NEEDS_2RANKS,
	.scope = ANVIL_SCOPE_ALL,
	.params = pingpong_params,
	.run = pingpong_run,
};
