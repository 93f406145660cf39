/*
 * gpu-burn: sustained cuBLAS GEMM on this rank's GPU for duration_s, done as
 * wilicc/gpu-burn does it (gpu_burn-drv.cpp, compare.cu): A and B of n x n
 * (8192 by default), then as many result matrices as fit in mem_fraction of
 * free memory, written in turn, and every result compared element by element
 * with a reference result (compare.cu's rule: identical up to a tolerance).
 * Here the reference is computed once before the loop and checked against a
 * host reference, and the results are compared compare_batch at a time (8:
 * the reference is read once for the batch, so checking costs about one read
 * per result, as gpu-burn's does), each within that many GEMMs of being
 * written, so every result is checked, not only those of the last batch.
 *
 * GFLOP/s come from the real matrix size: 2 n^3 per GEMM, over GPU time
 * between CUDA events (gpu-burn reports 2 n^3 too). Telemetry through NVML
 * once a sample_s: temperature, power and its limit, SM and memory clocks,
 * clock-event (throttle) reasons, PCIe link, volatile ECC counts; volatile
 * and aggregate ECC counters before and after for the verdict.
 *
 * The verdict per GPU comes from what is emitted: the checks "mismatches"
 * and "reference" here, "ecc_uncorrected", "throttle", "pcie_link_gen" and
 * "pcie_link_width" from runners/gpu_telemetry.c; the metrics "tflops" and
 * "cv" (%) here, "temp_max_c", "power_mean_w", "pcie_gen", "pcie_width"
 * there, which the profile judges (tflops against the datasheet peak of the
 * "precision" label's format and against peers; cv and temperature against
 * limits); and the series "burn". No NVML: telemetry unavailable (a note),
 * and only the checks that need no telemetry.
 */
#include "runners/gpu_common.h"
#include "runners/gpu_telemetry.h"

#ifdef ANVIL_HAVE_NVCC
#include "kernels/gpu_gemm.h"
#include "kernels/gpu_kernels.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RING 512     /* events and counter snapshots in flight, recycled */
/* GPU work kept queued ahead of the host, which naps 1 ms between visits and
 * spends one visit a second on ~13 NVML readings: enough that a slow reading
 * does not leave the GPU idle and show as a dip in that second's GFLOP/s */
#define QUEUE_S 0.2
#define SEED_A 0x4255524eULL

struct telemetry {
	double t0, t_end;                   /* wall clock at the start and end of the loop */
	double next;                        /* next sample due (wall clock) */
	double t_gpu_prev;                  /* GPU time of the last sample's last GEMM */
	long done_prev;
	double *gflops;                     /* one per sample with completions; owned */
	int nsamples, cap;
};

struct burn {
	struct anvil_gpu gpu;
	int gpu_open;
	enum anvil_prec prec;
	size_t n, count, bytes;             /* order, elements and bytes per matrix */
	size_t stride;                      /* bytes between result slots: 256-aligned, so
					     * cuBLAS sees every result alike and picks the
					     * same kernel, hence bit-identical results */
	long slots;                         /* result matrices besides the reference */
	int inject;
	int batch;                          /* results compared by one kernel (compare_batch) */
	int pending;                        /* results written and not yet compared: the
					     * last ones queued, in consecutive slots */
	double scale, duration, sample_s;
	void *a, *b, *ref, *results;
	unsigned long long *d_bad, *h_bad;  /* device counter; pinned snapshots [RING] */
	cublasHandle_t blas;
	cudaStream_t stream;
	cudaEvent_t start, ev[RING];
	int nev;
	long queued, done;
	int depth;                          /* GEMMs kept in flight: QUEUE_S worth, < RING */
	unsigned long long mismatches;
	struct anvil_gemm_sample refcheck;
	struct anvil_series *series;
	struct telemetry tm;
	struct anvil_telemetry nv;          /* NVML readings and their aggregates */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int read_params(struct anvil_ctx *ctx, struct burn *st, struct anvil_gpu_err *err)
{
	char why[200];
	int p = anvil_prec_parse(anvil_param_str(ctx, "precision"), why, sizeof(why));
	long long n = anvil_param_int(ctx, "n"), inject = anvil_param_int(ctx, "inject_errors");
	long long batch = anvil_param_int(ctx, "compare_batch");
	st->duration = anvil_param_double(ctx, "duration_s");
	st->sample_s = anvil_param_double(ctx, "sample_s");
	if (p < 0)
		return anvil_gpu_failf(err, "gpu-burn: %s", why);
	st->prec = (enum anvil_prec)p;
	if (n < 256 || n > 65536 || !(st->duration > 0) || !(st->sample_s >= 0.1) || inject < 0 || inject > 1000000)
		return anvil_gpu_failf(err, "gpu-burn: n %lld (256 .. 65536), duration_s %g (> 0), sample_s %g (>= 0.1) "
				       "or inject_errors %lld (0 .. 10^6) out of range", n, st->duration, st->sample_s, inject);
#ifndef ANVIL_TEST_HOOKS
	if (inject)
		return anvil_gpu_failf(err, "gpu-burn: inject_errors needs a build with ANVIL_TEST_HOOKS");
#endif
	if (batch < 1 || batch > 64)
		return anvil_gpu_failf(err, "gpu-burn: compare_batch %lld out of range (1 .. 64)", batch);
	st->batch = (int)batch;
	st->inject = (int)inject;
	st->n = (size_t)n;
	st->count = st->n * st->n;
	st->bytes = st->count * anvil_prec_size(st->prec);
	st->stride = (st->bytes + 255) & ~(size_t)255;
	st->scale = anvil_gemm_scale(st->n);
	return 0;
}

/* As gpu-burn: after A and B (and here the reference), as many results as fit. */
static int size_slots(struct anvil_ctx *ctx, struct burn *st, struct anvil_gpu_err *err)
{
	double frac = anvil_param_double(ctx, "mem_fraction");
	size_t free_b, total_b;
	char fb[32], mb[32];
	if (!(frac > 0 && frac <= 0.98))
		return anvil_gpu_failf(err, "gpu-burn: mem_fraction %g must be in (0, 0.98]", frac);
	ANVIL_CUDA(err, cudaMemGetInfo(&free_b, &total_b));
	st->slots = (long)((frac * (double)free_b - 3.0 * (double)st->bytes) / (double)st->stride);
	if (st->slots < 1) {
		anvil_gpu_bytes_text(frac * (double)free_b, fb, sizeof(fb));
		anvil_gpu_bytes_text((double)st->bytes, mb, sizeof(mb));
		return anvil_gpu_failf(err, "gpu-burn: %s (mem_fraction of free memory) holds fewer than 4 matrices of %s "
				       "(n = %zu, %s)", fb, mb, st->n, anvil_prec_name(st->prec));
	}
	return 0;
}

static int setup(struct anvil_ctx *ctx, struct burn *st, struct anvil_gpu_err *err)
{
	if (read_params(ctx, st, err) || anvil_gpu_open(ctx, &st->gpu, err))
		return -1;
	st->gpu_open = 1;
	/* a peak or peer rule picks its datasheet figure by this label */
	anvil_ctx_label(ctx, "precision", anvil_prec_name(st->prec));
	int cc = st->gpu.prop.major * 10 + st->gpu.prop.minor;
	if (cc < anvil_gpu_gemm_min_cc(st->prec))
		return anvil_gpu_failf(err, "gpu-burn: %s needs compute capability %d.%d, GPU %d has %d.%d",
				       anvil_prec_name(st->prec), anvil_gpu_gemm_min_cc(st->prec) / 10,
				       anvil_gpu_gemm_min_cc(st->prec) % 10, st->gpu.dev, cc / 10, cc % 10);
	if (size_slots(ctx, st, err))
		return -1;
	ANVIL_CUDA(err, cudaMalloc(&st->a, st->bytes));
	ANVIL_CUDA(err, cudaMalloc(&st->b, st->bytes));
	ANVIL_CUDA(err, cudaMalloc(&st->ref, st->bytes));
	ANVIL_CUDA(err, cudaMalloc(&st->results, (size_t)st->slots * st->stride));
	ANVIL_CUDA(err, cudaMalloc((void **)&st->d_bad, sizeof(*st->d_bad)));
	ANVIL_CUDA(err, cudaMallocHost((void **)&st->h_bad, RING * sizeof(*st->h_bad)));
	ANVIL_CUDA(err, cudaStreamCreate(&st->stream));
	ANVIL_CUDA(err, cudaEventCreate(&st->start));
	for (; st->nev < RING; st->nev++)
		ANVIL_CUDA(err, cudaEventCreate(&st->ev[st->nev]));
	ANVIL_CUBLAS(err, cublasCreate(&st->blas));
	ANVIL_CUBLAS(err, cublasSetStream(st->blas, st->stream));
	return 0;
}

static void release(struct burn *st)
{
	if (st->blas)
		cublasDestroy(st->blas);
	for (int i = 0; i < st->nev; i++)
		cudaEventDestroy(st->ev[i]);
	if (st->start)
		cudaEventDestroy(st->start);
	if (st->stream)
		cudaStreamDestroy(st->stream);
	cudaFree(st->a);
	cudaFree(st->b);
	cudaFree(st->ref);
	cudaFree(st->results);
	cudaFree(st->d_bad);
	if (st->h_bad)
		cudaFreeHost(st->h_bad);
	if (st->series)
		anvil_series_emit(st->series);  /* whatever was sampled before an error */
	free(st->tm.gflops);
	if (st->gpu_open)
		anvil_gpu_close(&st->gpu);
	memset(st, 0, sizeof(*st));
}

/* Small GEMMs need a deeper queue to keep the GPU busy between the host's naps. */
static void set_depth(struct burn *st, double seconds_per_gemm)
{
	double want = ceil(QUEUE_S / seconds_per_gemm);
	st->depth = !(want >= 2) ? 2 : want > RING - 2 ? RING - 2 : (int)want;
}

/* A, B, the reference C = A B, checked on sampled elements against the host,
 * and a first measure of one GEMM's time for the queue depth. */
static int prepare(struct burn *st, struct anvil_gpu_err *err)
{
	float ms = 0;
	ANVIL_CUDA(err, anvil_gpu_fill(st->a, st->count, st->prec, SEED_A, -1.0, 1.0, st->stream));
	ANVIL_CUDA(err, anvil_gpu_fill(st->b, st->count, st->prec, SEED_A + 1, -1.0, 1.0, st->stream));
	ANVIL_CUDA(err, cudaMemsetAsync(st->d_bad, 0, sizeof(*st->d_bad), st->stream));
	ANVIL_CUBLAS(err, anvil_gpu_gemm(st->blas, st->prec, (int)st->n, st->a, st->b, st->ref));
	ANVIL_CUDA(err, cudaStreamSynchronize(st->stream));
	ANVIL_CUDA(err, cudaEventRecord(st->start, st->stream));
	for (int i = 0; i < 3; i++)
		ANVIL_CUBLAS(err, anvil_gpu_gemm(st->blas, st->prec, (int)st->n, st->a, st->b, st->results));
	ANVIL_CUDA(err, cudaEventRecord(st->ev[0], st->stream));
	ANVIL_CUDA(err, cudaEventSynchronize(st->ev[0]));
	ANVIL_CUDA(err, cudaEventElapsedTime(&ms, st->start, st->ev[0]));
	set_depth(st, ms / 3e3);
	return anvil_gpu_gemm_sample(st->prec, st->n, st->a, st->b, st->ref, 8, SEED_A + 2, &st->refcheck, err);
}

/* The comparison with the reference of the results written since the last
 * one: GEMMs last - pending + 1 .. last, whose slots are consecutive. */
static int compare_pending(struct burn *st, long last, struct anvil_gpu_err *err)
{
	const char *first = (char *)st->results + (size_t)((last + 1 - st->pending) % st->slots) * st->stride;
	if (st->pending)
		ANVIL_CUDA(err, anvil_gpu_burn_compare(st->ref, first, st->stride, st->pending, st->count, st->prec,
						       st->scale, st->d_bad, st->stream));
	st->pending = 0;
	return 0;
}

/* GEMM number q into its slot; the pending results' comparison once there are
 * compare_batch of them or the slots wrap round (a batch is consecutive
 * slots), always before the slot is written again. */
static int enqueue(struct burn *st, long q, struct anvil_gpu_err *err)
{
	long slot = q % st->slots;
	void *c = (char *)st->results + (size_t)slot * st->stride;
	ANVIL_CUBLAS(err, anvil_gpu_gemm(st->blas, st->prec, (int)st->n, st->a, st->b, c));
#ifdef ANVIL_TEST_HOOKS
	if (st->inject)  /* a flaky GPU, for anvil's own tests: the compare must see it */
		ANVIL_CUDA(err, anvil_gpu_corrupt(c, st->count, st->prec, st->inject, (uint64_t)q, st->stream));
#endif
	st->pending++;
	if ((st->pending == st->batch || slot == st->slots - 1) && compare_pending(st, q, err))
		return -1;
	/* the count so far, for the series (it lags the comparisons still pending) */
	ANVIL_CUDA(err, cudaMemcpyAsync(&st->h_bad[q % RING], st->d_bad, sizeof(*st->d_bad),
					cudaMemcpyDeviceToHost, st->stream));
	ANVIL_CUDA(err, cudaEventRecord(st->ev[q % RING], st->stream));
	return 0;
}

/* At the end: the last results compared, and the final count read. */
static int finish_compare(struct burn *st, struct anvil_gpu_err *err)
{
	if (compare_pending(st, st->queued - 1, err))
		return -1;
	ANVIL_CUDA(err, cudaStreamSynchronize(st->stream));
	ANVIL_CUDA(err, cudaMemcpy(&st->mismatches, st->d_bad, sizeof(st->mismatches), cudaMemcpyDeviceToHost));
	return 0;
}

/* Takes in every GEMM that has finished, oldest first. */
static int reap(struct burn *st, struct anvil_gpu_err *err)
{
	while (st->done < st->queued) {
		cudaError_t e = cudaEventQuery(st->ev[st->done % RING]);
		if (e == cudaErrorNotReady) {
			(void)cudaGetLastError();  /* "not ready" is no error; keep it from the next launch check */
			return 0;
		}
		if (e != cudaSuccess)
			return anvil_gpu_fail(err, __FILE__, __LINE__, "cudaEventQuery (a GEMM or its comparison)",
					      cudaGetErrorString(e));
		if (st->h_bad[st->done % RING] > st->mismatches)
			st->mismatches = st->h_bad[st->done % RING];
		st->done++;
	}
	return 0;
}

static void series_open(struct anvil_ctx *ctx, struct burn *st)
{
	st->series = anvil_series_new(ctx, "burn", "time", "s");
	anvil_series_column(st->series, "gflops", "GFLOP/s");
	anvil_telemetry_columns(st->series);
	anvil_series_column(st->series, "mismatches", "elements");
}

static void keep_rate(struct telemetry *tm, double g)
{
	if (tm->nsamples == tm->cap) {
		int cap = tm->cap ? 2 * tm->cap : 256;
		double *p = realloc(tm->gflops, (size_t)cap * sizeof(double));
		if (!p)
			return;  /* the figure still goes to the series; the cv loses a sample */
		tm->gflops = p;
		tm->cap = cap;
	}
	tm->gflops[tm->nsamples++] = g;
}

/* One row: GFLOP/s over the GEMMs finished since the last row (GPU time
 * between their events), and one NVML reading. */
static int sample(struct burn *st, struct anvil_gpu_err *err)
{
	struct telemetry *tm = &st->tm;
	double g = NAN;
	if (st->done > tm->done_prev) {
		float ms = 0;
		ANVIL_CUDA(err, cudaEventElapsedTime(&ms, st->start, st->ev[(st->done - 1) % RING]));
		double t = ms / 1e3, n = (double)st->n;
		if (t > tm->t_gpu_prev) {
			double per = (t - tm->t_gpu_prev) / (double)(st->done - tm->done_prev);
			g = 2.0 * n * n * n / per / 1e9;
			keep_rate(tm, g);
			set_depth(st, per);
		}
		tm->t_gpu_prev = t;
		tm->done_prev = st->done;
	}
	double row[1 + ANVIL_TELEMETRY_NCOLS + 1];
	row[0] = g;
	anvil_telemetry_sample(&st->nv, row + 1);
	row[1 + ANVIL_TELEMETRY_NCOLS] = (double)st->mismatches;
	anvil_series_row(st->series, now_s() - tm->t0, row);
	return 0;
}

static int burn_loop(struct anvil_ctx *ctx, struct burn *st, struct anvil_gpu_err *err)
{
	struct telemetry *tm = &st->tm;
	const struct timespec nap = { 0, 1000 * 1000 };
	ANVIL_CUDA(err, cudaEventRecord(st->start, st->stream));
	tm->t0 = now_s();
	tm->next = tm->t0 + st->sample_s;
	for (;;) {
		double now = now_s();
		/* stop on time, or early enough before the test's timeout to drain */
		int stop = now - tm->t0 >= st->duration || anvil_ctx_time_left(ctx) < 10 + 2 * st->sample_s;
		while (!stop && st->queued - st->done < st->depth)
			if (enqueue(st, st->queued++, err))
				return -1;
		if (stop && finish_compare(st, err))
			return -1;
		if (reap(st, err))
			return -1;
		if (now >= tm->next || (stop && st->done == st->queued)) {
			if (sample(st, err))
				return -1;
			tm->next = now - tm->next > st->sample_s ? now + st->sample_s : tm->next + st->sample_s;
		}
		if (stop && st->done == st->queued) {
			tm->t_end = now;
			return 0;
		}
		nanosleep(&nap, NULL);
	}
}

static double mean_cv(const struct telemetry *tm, double *cv)
{
	double sum = 0, sq = 0;
	for (int i = 0; i < tm->nsamples; i++)
		sum += tm->gflops[i];
	double mean = tm->nsamples ? sum / tm->nsamples : NAN;
	for (int i = 0; i < tm->nsamples; i++)
		sq += (tm->gflops[i] - mean) * (tm->gflops[i] - mean);
	*cv = tm->nsamples > 1 ? 100.0 * sqrt(sq / (tm->nsamples - 1)) / mean : NAN;
	return mean;
}

static void emit_checks_core(struct anvil_ctx *ctx, const struct burn *st)
{
	char why[400];
	double rel, abs_tol;
	anvil_burn_tol(st->prec, st->scale, &rel, &abs_tol);
	snprintf(why, sizeof(why), "%llu element(s) of %ld result(s) of %zu x %zu differ from the reference by more than "
		 "2 units of %s roundoff (%.3g relative + %.3g)%s", st->mismatches, st->done, st->n, st->n,
		 anvil_prec_name(st->prec), rel, abs_tol,
		 st->inject ? "; inject_errors is set: a test run that must fail" : "");
	if (st->done == 0)
		snprintf(why, sizeof(why), "no GEMM finished: nothing was compared");
	anvil_emit_check(ctx, "mismatches", st->mismatches == 0 && st->done > 0, (double)st->mismatches, 0, why);
	snprintf(why, sizeof(why), "reference result: %d of %d sampled elements outside the tolerance of a long-double "
		 "host product (worst %.3g of it)", st->refcheck.bad, st->refcheck.checked, st->refcheck.worst);
	anvil_emit_check(ctx, "reference", st->refcheck.bad == 0, st->refcheck.bad, 0, why);
}

static void emit_all(struct anvil_ctx *ctx, struct burn *st, cJSON *info)
{
	cJSON *notes = cJSON_AddArrayToObject(info, "notes");
	double cv, n = (double)st->n;
	float ms = 0;
	double mean = mean_cv(&st->tm, &cv);
	if (st->done > 0 && cudaEventElapsedTime(&ms, st->start, st->ev[(st->done - 1) % RING]) == cudaSuccess && ms > 0)
		anvil_emit_metric(ctx, "tflops", (double)st->done * 2.0 * n * n * n / (ms / 1e3) / 1e12, "TFLOP/s",
				  ANVIL_HIGHER);
	if (isfinite(cv))
		anvil_emit_metric(ctx, "cv", cv, "%", ANVIL_LOWER);
	else
		cJSON_AddItemToArray(notes, cJSON_CreateString("fewer than 2 samples: no coefficient of variation"));
	if (st->tm.t_end - st->tm.t0 < st->duration) {
		char note[200];
		snprintf(note, sizeof(note), "stopped after %.0f s of duration_s %.0f: the test's timeout was near",
			 st->tm.t_end - st->tm.t0, st->duration);
		cJSON_AddItemToArray(notes, cJSON_CreateString(note));
	}
	emit_checks_core(ctx, st);
	anvil_telemetry_emit(ctx, &st->nv, info, notes);
	cJSON *b = cJSON_AddObjectToObject(info, "burn");
	cJSON_AddStringToObject(b, "precision", anvil_prec_name(st->prec));
	cJSON_AddNumberToObject(b, "n", n);
	cJSON_AddNumberToObject(b, "result_slots", (double)st->slots);
	cJSON_AddNumberToObject(b, "bytes_used", (double)st->slots * (double)st->stride + 3.0 * (double)st->bytes);
	cJSON_AddNumberToObject(b, "gemms", (double)st->done);
	cJSON_AddNumberToObject(b, "gpu_seconds", ms / 1e3);
	cJSON_AddNumberToObject(b, "mean_sample_gflops", isfinite(mean) ? mean : 0);
	cJSON_AddNumberToObject(b, "compare_batch", st->batch);
	cJSON_AddNumberToObject(b, "inject_errors", st->inject);
}

static enum anvil_status burn_run(struct anvil_ctx *ctx)
{
	struct burn st;
	struct anvil_gpu_err err = { "" };
	memset(&st, 0, sizeof(st));
	int rc = setup(ctx, &st, &err);
	if (!rc) {
		anvil_telemetry_start(&st.nv, &st.gpu);
		rc = prepare(&st, &err);
	}
	if (!rc) {
		series_open(ctx, &st);
		rc = burn_loop(ctx, &st, &err);
	}
	if (!rc) {
		anvil_series_emit(st.series);
		st.series = NULL;
		cJSON *info = anvil_gpu_info(&st.gpu);
		emit_all(ctx, &st, info);
		anvil_emit_info(ctx, info);
	}
	release(&st);
	return rc ? anvil_gpu_error(ctx, &err) : ANVIL_OK;
}
#endif

static const struct anvil_param burn_params[] = {
	{ "precision", ANVIL_P_STRING, "\"fp64\"", "GEMM format: fp64, fp32, tf32, bf16 or fp16" },
	{ "duration_s", ANVIL_P_DOUBLE, "30", "seconds of sustained GEMMs (install: 600)" },
	{ "n", ANVIL_P_INT, "8192", "matrix order (gpu-burn's SIZE)" },
	{ "mem_fraction", ANVIL_P_DOUBLE, "0.9", "share of free GPU memory for A, B and results (gpu-burn's USEMEM)" },
	{ "sample_s", ANVIL_P_DOUBLE, "1", "seconds between telemetry samples" },
	{ "compare_batch", ANVIL_P_INT, "8", "results compared by one kernel, the reference read once for them (1 .. 64; "
	  "1: each result alone, right after it is written)" },
	{ "inject_errors", ANVIL_P_INT, "0", "[test hook] corrupt this many elements of every result (must FAIL)" },
	{ NULL, 0, NULL, NULL },
};

const struct anvil_runner anvil_runner_gpu_burn = {
	.name = "gpu-burn",
	.summary = "sustained GEMM burn-in per GPU (gpu-burn's method): every result checked, NVML telemetry",
	.needs = ANVIL_NEEDS_GPU,
	.scope = ANVIL_SCOPE_PER_RANK,
	.params = burn_params,
	ANVIL_GPU_HOOKS(burn_run),
};
