/*
 * mpi-allreduce: MPI_Allreduce (sum of doubles) over a size sweep, timed and
 * reported as nccl-tests reports all_reduce: time per operation averaged over
 * iterations and over ranks; algbw = bytes / time; busbw = algbw * 2(n-1)/n.
 * Inputs are exactly predictable, so every result element is checked.
 */
#include "runners/msgbuf.h"
#include "runners/runner.h"
#include "runners/sweep.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct anvil_param allreduce_params[] = {
	ANVIL_SWEEP_PARAMS("8", "67108864", "100", "10"),
	{ "in_place", ANVIL_P_BOOL, "false", "MPI_IN_PLACE instead of separate buffers" },
	ANVIL_MSGBUF_PARAM,
	{ NULL, 0, NULL, NULL },
};

/* nccl-tests' bus-bandwidth factor for all_reduce. */
static double allreduce_bus_factor(int n) { return n > 1 ? 2.0 * (n - 1) / n : 1.0; }

/* Rank r contributes (r + 1) + i % 7: small whole numbers, so the sum is exact. */
static void fill(double *x, size_t count, int rank)
{
	for (size_t i = 0; i < count; i++)
		x[i] = (double)(rank + 1) + (double)(i % 7);
}

static long count_wrong(const double *y, size_t count, int nranks)
{
	long wrong = 0;
	double base = (double)nranks * (nranks + 1) / 2.0;
	for (size_t i = 0; i < count; i++)
		wrong += y[i] != base + (double)nranks * (double)(i % 7);
	return wrong;
}

static double time_allreduce(MPI_Comm comm, double *in, double *out, size_t count, int in_place,
			     long warmup, long iters)
{
	for (long i = 0; i < warmup; i++)
		MPI_Allreduce(in_place ? MPI_IN_PLACE : in, out, (int)count, MPI_DOUBLE, MPI_SUM, comm);
	MPI_Barrier(comm);
	double t0 = MPI_Wtime();
	for (long i = 0; i < iters; i++)
		MPI_Allreduce(in_place ? MPI_IN_PLACE : in, out, (int)count, MPI_DOUBLE, MPI_SUM, comm);
	double mine = (MPI_Wtime() - t0) / (double)iters, sum;
	MPI_Allreduce(&mine, &sum, 1, MPI_DOUBLE, MPI_SUM, comm);
	int n;
	MPI_Comm_size(comm, &n);
	return sum / n;
}

static enum anvil_status allreduce_run(struct anvil_ctx *ctx)
{
	MPI_Comm comm = anvil_ctx_comm(ctx);
	int rank = anvil_ctx_rank(ctx), n = anvil_ctx_size(ctx);
	int in_place = anvil_param_bool(ctx, "in_place");
	struct anvil_sweep sw;
	char why[256];
	if (anvil_sweep_from_params(&sw, ctx, sizeof(double), why, sizeof(why)))
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "%s", why);
	size_t maxc = sw.sizes[sw.n - 1] / sizeof(double);
	int huge = anvil_param_bool(ctx, "hugepages");
	double *in = anvil_msgbuf_alloc(maxc * sizeof(double), huge);
	double *out = anvil_msgbuf_alloc(maxc * sizeof(double), huge);
	int ok = in && out, all_ok;
	MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, comm);
	if (!all_ok) {
		free(in);
		free(out);
		anvil_sweep_release(&sw);
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "cannot allocate 2 x %zu bytes on some rank", maxc * sizeof(double));
	}
	struct anvil_series *se = rank == 0 ? anvil_series_new(ctx, "allreduce", "size", "B") : NULL;
	if (se) {
		anvil_series_column(se, "time", "us");
		anvil_series_column(se, "algbw", "GB/s");
		anvil_series_column(se, "busbw", "GB/s");
		anvil_series_column(se, "wrong", "elements");
	}
	long wrong_total = 0;
	double last_alg = 0, last_bus = 0, first_t = 0;
	for (int i = 0; i < sw.n; i++) {
		size_t count = sw.sizes[i] / sizeof(double), bytes = count * sizeof(double);
		fill(in_place ? out : in, count, rank);
		double t = time_allreduce(comm, in, out, count, in_place, anvil_sweep_warmup(&sw, bytes),
					  anvil_sweep_iters(&sw, bytes));
		/* correctness on a fresh operation, so repeated in-place sums do not matter */
		fill(in_place ? out : in, count, rank);
		MPI_Allreduce(in_place ? MPI_IN_PLACE : in, out, (int)count, MPI_DOUBLE, MPI_SUM, comm);
		long wrong = count_wrong(out, count, n), wsum;
		MPI_Allreduce(&wrong, &wsum, 1, MPI_LONG, MPI_SUM, comm);
		wrong_total += wsum;
		double alg = (double)bytes / t / 1e9, bus = alg * allreduce_bus_factor(n);
		if (i == 0)
			first_t = t;
		last_alg = alg;
		last_bus = bus;
		if (se)
			anvil_series_row(se, (double)bytes, (double[]){ t * 1e6, alg, bus, (double)wsum });
	}
	if (se) {
		anvil_series_emit(se);
		anvil_emit_metric(ctx, "busbw_gbs", last_bus, "GB/s", ANVIL_HIGHER);
		anvil_emit_metric(ctx, "algbw_gbs", last_alg, "GB/s", ANVIL_HIGHER);
		anvil_emit_metric(ctx, "latency_us", first_t * 1e6, "us", ANVIL_LOWER);
		char text[160];
		snprintf(text, sizeof(text), "%ld wrong element(s) across all sizes and ranks", wrong_total);
		anvil_emit_check(ctx, "correct", wrong_total == 0, (double)wrong_total, 0, text);
	}
	free(in);
	free(out);
	anvil_sweep_release(&sw);
	return ANVIL_OK;
}

const struct anvil_runner anvil_runner_mpi_allreduce = {
	.name = "mpi-allreduce",
	.summary = "MPI_Allreduce over 8 B .. 64 MiB: time, algbw, busbw (nccl-tests' definitions), checked",
	.needs = ANVIL_NEEDS_2RANKS,
	.scope = ANVIL_SCOPE_ALL,
	.params = allreduce_params,
	.run = allreduce_run,
};
