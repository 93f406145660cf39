/*
 * gpu-stream: device-memory bandwidth of this rank's GPU with BabelStream's
 * definitions (UoB-HPC/BabelStream, src/main.cpp and src/cuda/CUDAStream.cu):
 * arrays a = 0.1, b = 0.2, c = 0.0, scalar 0.4; each of ntimes rounds runs
 * copy, mul ("scale"), add and triad in that order ("classic" order), each
 * timed on the host around launch and synchronisation; bandwidth = bytes
 * moved (2, 2, 3, 3 arrays) / the fastest time, the first round left out;
 * GB = 10^9 B. The results are validated as BabelStream does: the expected
 * values are replayed on the host in the same type and every element of
 * a, b, c must match within 100 epsilon relative.
 */
#include "runners/gpu_common.h"

#ifdef ANVIL_HAVE_NVCC
#include "kernels/gpu_kernels.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOPS ANVIL_STREAM_KERNELS
#define START_A 0.1
#define START_B 0.2
#define START_C 0.0
#define START_SCALAR 0.4


struct gstream {
	struct anvil_gpu gpu;
	int gpu_open, fp64;
	size_t n, es;
	long ntimes;
	void *a, *b, *c;
	unsigned long long *bad;
	cudaStream_t stream;
	double *times;        /* ntimes x NOPS, seconds; owned */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int setup(struct anvil_ctx *ctx, struct gstream *st, struct anvil_gpu_err *err)
{
	long long n = anvil_param_int(ctx, "elements");
	const char *prec = anvil_param_str(ctx, "precision");
	st->ntimes = (long)anvil_param_int(ctx, "ntimes");
	if (strcmp(prec, "fp64") && strcmp(prec, "fp32"))
		return anvil_gpu_failf(err, "gpu-stream: precision \"%s\": expected fp64 or fp32", prec);
	if (n < 1024 || st->ntimes < 2)
		return anvil_gpu_failf(err, "gpu-stream: elements %lld (>= 1024) and ntimes %ld (>= 2, the first is left out) are out of range",
				       n, st->ntimes);
	st->fp64 = !strcmp(prec, "fp64");
	st->es = st->fp64 ? 8 : 4;
	st->n = (size_t)n;
	if (anvil_gpu_open(ctx, &st->gpu, err))
		return -1;
	st->gpu_open = 1;
	size_t free_b, total_b;
	char need[32], fb[32];
	ANVIL_CUDA(err, cudaMemGetInfo(&free_b, &total_b));
	double bytes = 3.0 * (double)st->n * (double)st->es;
	anvil_gpu_bytes_text(bytes, need, sizeof(need));
	anvil_gpu_bytes_text((double)free_b, fb, sizeof(fb));
	if (bytes > (double)free_b)
		return anvil_gpu_failf(err, "gpu-stream: 3 arrays of %lld elements need %s, GPU %d has %s free",
				       n, need, st->gpu.dev, fb);
	st->times = calloc((size_t)st->ntimes * NOPS, sizeof(double));
	if (!st->times)
		return anvil_gpu_failf(err, "gpu-stream: out of host memory for %ld timings", st->ntimes * NOPS);
	ANVIL_CUDA(err, cudaStreamCreate(&st->stream));
	ANVIL_CUDA(err, cudaMalloc(&st->a, st->n * st->es));
	ANVIL_CUDA(err, cudaMalloc(&st->b, st->n * st->es));
	ANVIL_CUDA(err, cudaMalloc(&st->c, st->n * st->es));
	ANVIL_CUDA(err, cudaMalloc((void **)&st->bad, sizeof(*st->bad)));
	return 0;
}

static void release(struct gstream *st)
{
	if (st->stream)
		cudaStreamDestroy(st->stream);
	cudaFree(st->a);
	cudaFree(st->b);
	cudaFree(st->c);
	cudaFree(st->bad);
	free(st->times);
	if (st->gpu_open)
		anvil_gpu_close(&st->gpu);
	memset(st, 0, sizeof(*st));
}

static int run_rounds(struct gstream *st, struct anvil_gpu_err *err)
{
	ANVIL_CUDA(err, anvil_gpu_stream_init(st->a, st->b, st->c, st->n, st->fp64, START_A, START_B, START_C,
					      st->stream));
	ANVIL_CUDA(err, cudaStreamSynchronize(st->stream));
	for (long k = 0; k < st->ntimes; k++) {
		for (int op = 0; op < NOPS; op++) {
			double t0 = now_s();
			ANVIL_CUDA(err, anvil_gpu_stream_op(op, st->a, st->b, st->c, st->n,
							    st->fp64, START_SCALAR, st->stream));
			ANVIL_CUDA(err, cudaStreamSynchronize(st->stream));
			st->times[k * NOPS + op] = now_s() - t0;
		}
	}
	return 0;
}

/* BabelStream's check_solution: replay the rounds on scalars, in the type. */
static void gold(const struct gstream *st, double *ga, double *gb, double *gc)
{
	if (st->fp64) {
		double a = START_A, b = START_B, c = START_C, s = START_SCALAR;
		for (long k = 0; k < st->ntimes; k++) {
			c = a;
			b = s * c;
			c = a + b;
			a = b + s * c;
		}
		*ga = a, *gb = b, *gc = c;
	} else {
		float a = (float)START_A, b = (float)START_B, c = (float)START_C, s = (float)START_SCALAR;
		for (long k = 0; k < st->ntimes; k++) {
			c = a;
			b = s * c;
			c = a + b;
			a = b + s * c;
		}
		*ga = a, *gb = b, *gc = c;
	}
}

static int validate(struct gstream *st, unsigned long long *bad, struct anvil_gpu_err *err)
{
	double ga, gb, gc;
	gold(st, &ga, &gb, &gc);
	ANVIL_CUDA(err, cudaMemsetAsync(st->bad, 0, sizeof(*st->bad), st->stream));
	ANVIL_CUDA(err, anvil_gpu_stream_check(st->a, st->b, st->c, st->n, st->fp64, ga, gb, gc, st->bad,
					       st->stream));
	ANVIL_CUDA(err, cudaMemcpyAsync(bad, st->bad, sizeof(*bad), cudaMemcpyDeviceToHost, st->stream));
	ANVIL_CUDA(err, cudaStreamSynchronize(st->stream));
	return 0;
}

static void report(struct anvil_ctx *ctx, const struct gstream *st, cJSON *info)
{
	cJSON *kern = cJSON_AddObjectToObject(info, "kernels");
	for (int op = 0; op < NOPS; op++) {
		double mn = INFINITY, mx = 0, sum = 0;
		for (long k = 1; k < st->ntimes; k++) {  /* the first round is left out */
			double t = st->times[k * NOPS + op];
			mn = t < mn ? t : mn;
			mx = t > mx ? t : mx;
			sum += t;
		}
		double bytes = anvil_stream_words[op] * (double)st->es * (double)st->n, gbs = bytes / mn / 1e9;
		char metric[32];
		snprintf(metric, sizeof(metric), "%s_gbs", anvil_stream_names[op]);
		anvil_emit_metric(ctx, metric, gbs, "GB/s", ANVIL_HIGHER);
		cJSON *o = cJSON_AddObjectToObject(kern, anvil_stream_names[op]);
		cJSON_AddNumberToObject(o, "bytes", bytes);
		cJSON_AddNumberToObject(o, "min_s", mn);
		cJSON_AddNumberToObject(o, "max_s", mx);
		cJSON_AddNumberToObject(o, "avg_s", sum / (double)(st->ntimes - 1));
		cJSON_AddNumberToObject(o, "gbs", gbs);
	}
}

static enum anvil_status stream_run(struct anvil_ctx *ctx)
{
	struct gstream st;
	struct anvil_gpu_err err = { "" };
	unsigned long long bad = 0;
	memset(&st, 0, sizeof(st));
	int rc = setup(ctx, &st, &err);
	if (!rc)
		rc = run_rounds(&st, &err);
	if (!rc)
		rc = validate(&st, &bad, &err);
	if (!rc) {
		cJSON *info = anvil_gpu_info(&st.gpu);
		cJSON_AddNumberToObject(info, "elements", (double)st.n);
		cJSON_AddStringToObject(info, "precision", st.fp64 ? "fp64" : "fp32");
		cJSON_AddNumberToObject(info, "ntimes", (double)st.ntimes);
		report(ctx, &st, info);
		anvil_emit_info(ctx, info);
		char why[200];
		snprintf(why, sizeof(why), "%llu of 3 x %zu elements differ from BabelStream's replayed values "
			 "by more than 100 epsilon", bad, st.n);
		anvil_emit_check(ctx, "validated", bad == 0, (double)bad, 0, why);
	}
	release(&st);
	return rc ? anvil_gpu_error(ctx, &err) : ANVIL_OK;
}
#endif

static const struct anvil_param stream_params[] = {
	{ "elements", ANVIL_P_INT, "33554432", "elements per array (BabelStream's default 2^25)" },
	{ "ntimes", ANVIL_P_INT, "100", "rounds of the four kernels; the first is not counted" },
	{ "precision", ANVIL_P_STRING, "\"fp64\"", "fp64 or fp32 arrays" },
	{ NULL, 0, NULL, NULL },
};

const struct anvil_runner anvil_runner_gpu_stream = {
	.name = "gpu-stream",
	.summary = "GPU memory bandwidth: BabelStream copy, scale, add, triad (best of ntimes), validated",
	.needs = ANVIL_NEEDS_GPU,
	.scope = ANVIL_SCOPE_PER_RANK,
	.params = stream_params,
	ANVIL_GPU_HOOKS(stream_run),
};
