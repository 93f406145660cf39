/*
 * gpu-dgemm: cuBLAS GEMM throughput of this rank's GPU in each format the
 * profile names (FP64, FP32, TF32, BF16, FP16), square n x n, timed with CUDA
 * events over `iters` GEMMs after a warm-up: TFLOP/s = 2 n^3 / t. One metric
 * per format ("fp64_tflops", "bf16_tflops" …), judged by the profile against
 * that format's datasheet peak (FP64 against the FP64 tensor peak on
 * Ampere/Hopper). A few elements of every C are checked against a host
 * reference, so a figure always belongs to a correct product.
 */
#include "runners/gpu_common.h"
#include "runners/gpu_timer.h"

#ifdef ANVIL_HAVE_NVCC
#include "kernels/gpu_gemm.h"
#include "kernels/gpu_kernels.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define SAMPLES 8

struct dgemm {
	struct anvil_gpu gpu;
	int gpu_open;
	size_t n;
	void *a, *b, *c;               /* n*n*8 bytes each: room for every format */
	cublasHandle_t blas;
	struct anvil_gpu_timer tm;     /* its stream runs everything */
};

struct dgemm_result {
	long iters;
	double seconds, tflops;
	struct anvil_gemm_sample sample;
};

/* n from the parameters: given, or the largest multiple of 256 whose three
 * n x n FP64 matrices fit in mem_fraction of free memory, capped at max_n. */
static int choose_n(struct anvil_ctx *ctx, struct dgemm *st, struct anvil_gpu_err *err)
{
	long long n = anvil_param_int(ctx, "n"), max_n = anvil_param_int(ctx, "max_n");
	double frac = anvil_param_double(ctx, "mem_fraction");
	size_t free_b, total_b;
	char fb[32], need[32];
	ANVIL_CUDA(err, cudaMemGetInfo(&free_b, &total_b));
	anvil_gpu_bytes_text((double)free_b, fb, sizeof(fb));
	if (n < 0 || n > 1000000)
		return anvil_gpu_failf(err, "gpu-dgemm: n = %lld is out of range (0 = from memory, else 1 .. 1000000)", n);
	if (n == 0) {
		if (!(frac > 0 && frac <= 0.95) || max_n < 256)
			return anvil_gpu_failf(err, "gpu-dgemm: mem_fraction %g must be in (0, 0.95] and max_n %lld >= 256",
					       frac, max_n);
		n = (long long)sqrt(frac * (double)free_b / (3.0 * 8.0)) / 256 * 256;
		if (n > max_n)
			n = max_n / 256 * 256;
		if (n < 256)
			return anvil_gpu_failf(err, "gpu-dgemm: %s free on GPU %d leaves room for n = %lld only (at least 256)",
					       fb, st->gpu.dev, n);
	}
	st->n = (size_t)n;
	double bytes = 3.0 * 8.0 * (double)n * (double)n;
	anvil_gpu_bytes_text(bytes, need, sizeof(need));
	if (bytes > (double)free_b)
		return anvil_gpu_failf(err, "gpu-dgemm: n = %lld needs 3 x %lld^2 x 8 B = %s, but GPU %d has %s free",
				       n, n, need, st->gpu.dev, fb);
	return 0;
}

static int setup(struct anvil_ctx *ctx, struct dgemm *st, struct anvil_gpu_err *err)
{
	if (anvil_gpu_open(ctx, &st->gpu, err))
		return -1;
	st->gpu_open = 1;
	if (choose_n(ctx, st, err))
		return -1;
	size_t bytes = st->n * st->n * 8;
	ANVIL_CUDA(err, cudaMalloc(&st->a, bytes));
	ANVIL_CUDA(err, cudaMalloc(&st->b, bytes));
	ANVIL_CUDA(err, cudaMalloc(&st->c, bytes));
	if (anvil_gpu_timer_init(&st->tm, err))
		return -1;
	ANVIL_CUBLAS(err, cublasCreate(&st->blas));
	ANVIL_CUBLAS(err, cublasSetStream(st->blas, st->tm.stream));
	return 0;
}

static void release(struct dgemm *st)
{
	if (st->blas)
		cublasDestroy(st->blas);
	anvil_gpu_timer_release(&st->tm);
	cudaFree(st->a);
	cudaFree(st->b);
	cudaFree(st->c);
	if (st->gpu_open)
		anvil_gpu_close(&st->gpu);
	memset(st, 0, sizeof(*st));
}

/* Runs `count` GEMMs between two events; seconds in *t. */
static int timed(struct dgemm *st, enum anvil_prec p, long count, double *t, struct anvil_gpu_err *err)
{
	if (anvil_gpu_timer_start(&st->tm, err))
		return -1;
	for (long i = 0; i < count; i++)
		ANVIL_CUBLAS(err, anvil_gpu_gemm(st->blas, p, (int)st->n, st->a, st->b, st->c));
	return anvil_gpu_timer_stop(&st->tm, t, err);
}

static int measure(struct anvil_ctx *ctx, struct dgemm *st, enum anvil_prec p,
		   struct dgemm_result *r, struct anvil_gpu_err *err)
{
	size_t count = st->n * st->n;
	long warmup = (long)anvil_param_int(ctx, "warmup"), iters = (long)anvil_param_int(ctx, "iters");
	double min_time = anvil_param_double(ctx, "min_time_s"), tw = 0;
	ANVIL_CUDA(err, anvil_gpu_fill(st->a, count, p, 1, -1.0, 1.0, st->tm.stream));
	ANVIL_CUDA(err, anvil_gpu_fill(st->b, count, p, 2, -1.0, 1.0, st->tm.stream));
	ANVIL_CUDA(err, cudaMemsetAsync(st->c, 0, count * anvil_prec_size(p), st->tm.stream));
	/* the warm-up also sizes the timed run when iters is 0 */
	if (timed(st, p, warmup > 0 ? warmup : 1, &tw, err))
		return -1;
	if (iters <= 0) {
		double per = tw / (double)(warmup > 0 ? warmup : 1);
		iters = per > 0 ? (long)ceil(min_time / per) : 10;
		iters = iters < 3 ? 3 : iters > 100000 ? 100000 : iters;
	}
	if (timed(st, p, iters, &r->seconds, err))
		return -1;
	r->iters = iters;
	double n = (double)st->n;
	r->tflops = 2.0 * n * n * n * (double)iters / r->seconds / 1e12;
	return anvil_gpu_gemm_sample(p, st->n, st->a, st->b, st->c, SAMPLES, 0x5a3c + (uint64_t)p,
				     &r->sample, err);
}

static void add_result(cJSON *per, enum anvil_prec p, const struct dgemm_result *r)
{
	cJSON *o = cJSON_AddObjectToObject(per, anvil_prec_name(p));
	cJSON_AddNumberToObject(o, "iters", (double)r->iters);
	cJSON_AddNumberToObject(o, "seconds", r->seconds);
	cJSON_AddNumberToObject(o, "tflops", r->tflops);
	cJSON_AddNumberToObject(o, "samples_checked", r->sample.checked);
	cJSON_AddNumberToObject(o, "samples_wrong", r->sample.bad);
	if (isfinite(r->sample.worst))
		cJSON_AddNumberToObject(o, "worst_error_over_tolerance", r->sample.worst);
}

static int run_all(struct anvil_ctx *ctx, struct dgemm *st, cJSON *info, struct anvil_gpu_err *err)
{
	enum anvil_prec list[ANVIL_PREC_COUNT];
	char why[200], wrong[200] = "";
	int np = anvil_prec_list(anvil_param_str(ctx, "precisions"), list, why, sizeof(why));
	if (np < 0)
		return anvil_gpu_failf(err, "gpu-dgemm: %s", why);
	int cc = st->gpu.prop.major * 10 + st->gpu.prop.minor, bad = 0, checked = 0;
	cJSON *per = cJSON_AddObjectToObject(info, "precisions");
	for (int i = 0; i < np; i++) {
		enum anvil_prec p = list[i];
		struct dgemm_result r = { 0 };
		if (cc < anvil_gpu_gemm_min_cc(p)) {
			char note[160];
			snprintf(note, sizeof(note), "not measured: needs compute capability %d.%d, this GPU has %d.%d",
				 anvil_gpu_gemm_min_cc(p) / 10, anvil_gpu_gemm_min_cc(p) % 10, cc / 10, cc % 10);
			cJSON_AddStringToObject(per, anvil_prec_name(p), note);
			continue;
		}
		if (measure(ctx, st, p, &r, err))
			return -1;
		char metric[32];
		snprintf(metric, sizeof(metric), "%s_tflops", anvil_prec_name(p));
		anvil_emit_metric(ctx, metric, r.tflops, "TFLOP/s", ANVIL_HIGHER);
		add_result(per, p, &r);
		bad += r.sample.bad;
		checked += r.sample.checked;
		if (r.sample.bad)
			snprintf(wrong + strlen(wrong), sizeof(wrong) - strlen(wrong), " %s", anvil_prec_name(p));
	}
	char text[300];
	if (bad)
		snprintf(text, sizeof(text), "%d of %d sampled elements of C outside the tolerance, in:%s", bad,
			 checked, wrong);
	else
		snprintf(text, sizeof(text), "%d sampled elements of C match a long-double host reference", checked);
	anvil_emit_check(ctx, "correct", bad == 0, bad, 0, text);
	return 0;
}

static enum anvil_status dgemm_run(struct anvil_ctx *ctx)
{
	struct dgemm st;
	struct anvil_gpu_err err = { "" };
	memset(&st, 0, sizeof(st));
	int rc = setup(ctx, &st, &err);
	if (!rc) {
		cJSON *info = anvil_gpu_info(&st.gpu);
		cJSON_AddNumberToObject(info, "n", (double)st.n);
		rc = run_all(ctx, &st, info, &err);
		anvil_emit_info(ctx, info);
	}
	release(&st);
	return rc ? anvil_gpu_error(ctx, &err) : ANVIL_OK;
}
#endif

static const struct anvil_param dgemm_params[] = {
	{ "precisions", ANVIL_P_STRING, "\"fp64,fp32,tf32,bf16,fp16\"", "formats to measure, comma-separated" },
	{ "n", ANVIL_P_INT, "0", "matrix order (0: the largest multiple of 256 that fits mem_fraction, up to max_n)" },
	{ "mem_fraction", ANVIL_P_DOUBLE, "0.25", "share of free GPU memory for A, B and C when n is 0" },
	{ "max_n", ANVIL_P_INT, "16384", "largest order chosen from memory" },
	{ "warmup", ANVIL_P_INT, "2", "untimed GEMMs before the timed ones, per format" },
	{ "iters", ANVIL_P_INT, "0", "timed GEMMs per format (0: enough for min_time_s)" },
	{ "min_time_s", ANVIL_P_DOUBLE, "1.0", "timed span per format when iters is 0" },
	{ NULL, 0, NULL, NULL },
};

const struct anvil_runner anvil_runner_gpu_dgemm = {
	.name = "gpu-dgemm",
	.summary = "cuBLAS GEMM TFLOP/s per GPU in FP64, FP32, TF32, BF16, FP16 (2n^3/t), sampled check",
	.needs = ANVIL_NEEDS_GPU,
	.scope = ANVIL_SCOPE_PER_RANK,
	.params = dgemm_params,
	ANVIL_GPU_HOOKS(dgemm_run),
};
