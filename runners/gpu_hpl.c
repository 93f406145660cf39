/*
 * gpu-hpl: HPL on one GPU, in device memory: a random N x N system (uniform
 * in [-0.5, 0.5], as HPL_pdmatgen) generated on the GPU, LU with partial
 * pivoting (cuSOLVER cusolverDnXgetrf, the 64-bit form of Dgetrf, so N^2
 * beyond 2^31 elements is indexed safely) and the solve (cusolverDnXgetrs).
 * Reported as HPL does: GFLOP/s = (2/3 N^3 + 3/2 N^2) / t over factorisation
 * and solve, here in TFLOP/s ("tflops"); and HPL's scaled residual
 * ||Ax-b||_oo / (eps (||A||_oo ||x||_oo + ||b||_oo) N) < 16, eps = 2^-53,
 * with A regenerated on the GPU instead of kept (no second N^2 copy).
 */
#include "runners/gpu_common.h"
#include "runners/gpu_timer.h"

#ifdef ANVIL_HAVE_NVCC
#include "kernels/gpu_kernels.h"
#include "kernels/lu.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED_A 0x48504c41ULL
#define SEED_B 0x48504c42ULL

struct hpl {
	struct anvil_gpu gpu;
	int gpu_open;
	int64_t n;
	double *a, *b, *x, *ax, *rowabs;
	int64_t *ipiv;
	int *info;                     /* [0] getrf's, [1] getrs's (getrs would overwrite one) */
	void *work_dev, *work_host;
	size_t work_dev_bytes, work_host_bytes;
	cusolverDnHandle_t solver;
	cusolverDnParams_t params;
	struct anvil_gpu_timer tm;     /* its stream runs everything */
};

/* Bytes besides A: b, x, A x and the row sums (doubles), the pivots (int64). */
static double vector_bytes(double n) { return 5.0 * 8.0 * n; }

static int choose_n(struct anvil_ctx *ctx, struct hpl *st, struct anvil_gpu_err *err)
{
	long long n = anvil_param_int(ctx, "n");
	double frac = anvil_param_double(ctx, "mem_fraction");
	size_t free_b, total_b;
	char fb[32], ab[32], vb[32];
	ANVIL_CUDA(err, cudaMemGetInfo(&free_b, &total_b));
	anvil_gpu_bytes_text((double)free_b, fb, sizeof(fb));
	if (n < 0)
		return anvil_gpu_failf(err, "gpu-hpl: n = %lld: expected 0 (from mem_fraction) or an order >= 1", n);
	if (n == 0) {
		if (!(frac > 0 && frac <= 0.95))
			return anvil_gpu_failf(err, "gpu-hpl: mem_fraction %g must be in (0, 0.95]", frac);
		/* A takes the fraction; what is left is for the solver's workspace */
		n = (long long)sqrt(frac * (double)free_b / 8.0) / 128 * 128;
		if (n < 128)
			return anvil_gpu_failf(err, "gpu-hpl: %s free on GPU %d is too little for N >= 128", fb, st->gpu.dev);
	}
	double a_bytes = 8.0 * (double)n * (double)n, v_bytes = vector_bytes((double)n);
	anvil_gpu_bytes_text(a_bytes, ab, sizeof(ab));
	anvil_gpu_bytes_text(v_bytes, vb, sizeof(vb));
	/* refused before any allocation, with the sizes */
	if (a_bytes + v_bytes > (double)free_b)
		return anvil_gpu_failf(err, "gpu-hpl: N = %lld does not fit: A needs %s and the vectors %s, "
				       "but GPU %d has %s free (before the solver's workspace)",
				       n, ab, vb, st->gpu.dev, fb);
	st->n = n;
	return 0;
}

static int alloc_all(struct hpl *st, int64_t warm_n, struct anvil_gpu_err *err)
{
	size_t n = (size_t)st->n, dw, hw, dw2 = 0, hw2 = 0;
	char need[32], fb[32];
	ANVIL_CUDA(err, cudaMalloc((void **)&st->a, n * n * sizeof(double)));
	ANVIL_CUDA(err, cudaMalloc((void **)&st->b, n * sizeof(double)));
	ANVIL_CUDA(err, cudaMalloc((void **)&st->x, n * sizeof(double)));
	ANVIL_CUDA(err, cudaMalloc((void **)&st->ax, n * sizeof(double)));
	ANVIL_CUDA(err, cudaMalloc((void **)&st->rowabs, n * sizeof(double)));
	ANVIL_CUDA(err, cudaMalloc((void **)&st->ipiv, n * sizeof(int64_t)));
	ANVIL_CUDA(err, cudaMalloc((void **)&st->info, 2 * sizeof(int)));
	ANVIL_CUSOLVER(err, cusolverDnXgetrf_bufferSize(st->solver, st->params, st->n, st->n, CUDA_R_64F,
							st->a, st->n, CUDA_R_64F, &dw, &hw));
	ANVIL_CUSOLVER(err, cusolverDnXgetrf_bufferSize(st->solver, st->params, warm_n, warm_n, CUDA_R_64F,
							st->a, warm_n, CUDA_R_64F, &dw2, &hw2));
	st->work_dev_bytes = dw > dw2 ? dw : dw2;
	st->work_host_bytes = hw > hw2 ? hw : hw2;
	size_t free_b, total_b;
	ANVIL_CUDA(err, cudaMemGetInfo(&free_b, &total_b));
	if (st->work_dev_bytes > free_b) {
		anvil_gpu_bytes_text((double)st->work_dev_bytes, need, sizeof(need));
		anvil_gpu_bytes_text((double)free_b, fb, sizeof(fb));
		return anvil_gpu_failf(err, "gpu-hpl: N = %lld: cuSOLVER's workspace needs %s, %s left free "
				       "(lower mem_fraction or n)", (long long)st->n, need, fb);
	}
	if (st->work_dev_bytes)
		ANVIL_CUDA(err, cudaMalloc(&st->work_dev, st->work_dev_bytes));
	if (st->work_host_bytes && !(st->work_host = malloc(st->work_host_bytes)))
		return anvil_gpu_failf(err, "gpu-hpl: out of host memory for %zu bytes of workspace", st->work_host_bytes);
	return 0;
}

static int setup(struct anvil_ctx *ctx, struct hpl *st, struct anvil_gpu_err *err)
{
	if (anvil_gpu_open(ctx, &st->gpu, err))
		return -1;
	st->gpu_open = 1;
	if (choose_n(ctx, st, err))
		return -1;
	if (anvil_gpu_timer_init(&st->tm, err))
		return -1;
	ANVIL_CUSOLVER(err, cusolverDnCreate(&st->solver));
	ANVIL_CUSOLVER(err, cusolverDnSetStream(st->solver, st->tm.stream));
	ANVIL_CUSOLVER(err, cusolverDnCreateParams(&st->params));
	int64_t warm_n = st->n < 2048 ? st->n : 2048;
	return alloc_all(st, warm_n, err);
}

static void release(struct hpl *st)
{
	if (st->params)
		cusolverDnDestroyParams(st->params);
	if (st->solver)
		cusolverDnDestroy(st->solver);
	anvil_gpu_timer_release(&st->tm);
	void *dev[] = { st->a, st->b, st->x, st->ax, st->rowabs, st->ipiv, st->info, st->work_dev };
	for (size_t i = 0; i < sizeof(dev) / sizeof(*dev); i++)
		cudaFree(dev[i]);
	free(st->work_host);
	if (st->gpu_open)
		anvil_gpu_close(&st->gpu);
	memset(st, 0, sizeof(*st));
}

/* Generates [A | b] of order n (lda = n), factors and solves; seconds in *t
 * (factorisation and solve, as HPL times them) and LAPACK's info. */
static int solve(struct hpl *st, int64_t n, double *t, int *info, struct anvil_gpu_err *err)
{
	double secs = 0;
	size_t nn = (size_t)n * (size_t)n;
	ANVIL_CUDA(err, anvil_gpu_fill(st->a, nn, ANVIL_FP64, SEED_A, -0.5, 0.5, st->tm.stream));
	ANVIL_CUDA(err, anvil_gpu_fill(st->b, (size_t)n, ANVIL_FP64, SEED_B, -0.5, 0.5, st->tm.stream));
	ANVIL_CUDA(err, cudaMemcpyAsync(st->x, st->b, (size_t)n * sizeof(double), cudaMemcpyDeviceToDevice,
					st->tm.stream));
	if (anvil_gpu_timer_start(&st->tm, err))
		return -1;
	ANVIL_CUSOLVER(err, cusolverDnXgetrf(st->solver, st->params, n, n, CUDA_R_64F, st->a, n, st->ipiv,
					     CUDA_R_64F, st->work_dev, st->work_dev_bytes, st->work_host,
					     st->work_host_bytes, st->info));
	ANVIL_CUSOLVER(err, cusolverDnXgetrs(st->solver, st->params, CUBLAS_OP_N, n, 1, CUDA_R_64F, st->a, n,
					     st->ipiv, CUDA_R_64F, st->x, n, st->info + 1));
	if (anvil_gpu_timer_stop(&st->tm, &secs, err))
		return -1;
	int both[2];
	ANVIL_CUDA(err, cudaMemcpy(both, st->info, sizeof(both), cudaMemcpyDeviceToHost));
	if (both[1] < 0)
		return anvil_gpu_failf(err, "gpu-hpl: cusolverDnXgetrs rejects argument %d (info = %d)", -both[1], both[1]);
	if (both[0] < 0)
		return anvil_gpu_failf(err, "gpu-hpl: cusolverDnXgetrf rejects argument %d (info = %d)", -both[0], both[0]);
	*info = both[0];
	*t = secs;
	return 0;
}

struct norms {
	double r, a, x, b, resid;
};

static double max_abs(const double *v, size_t n)
{
	double m = 0;
	for (size_t i = 0; i < n; i++)
		if (!(fabs(v[i]) <= m))  /* a NaN sticks */
			m = fabs(v[i]);
	return m;
}

/* HPL's residual check on the solution in st->x (order st->n). */
static int residual(struct hpl *st, struct norms *nr, struct anvil_gpu_err *err)
{
	size_t n = (size_t)st->n;
	double *h = malloc(4 * n * sizeof(double));
	if (!h)
		return anvil_gpu_failf(err, "gpu-hpl: out of host memory for 4 x %zu doubles (residual)", n);
	double *x = h, *b = h + n, *ax = h + 2 * n, *rs = h + 3 * n;
	int rc = -1;
	cudaError_t e = anvil_gpu_hpl_residual(st->x, st->n, SEED_A, st->ax, st->rowabs, st->tm.stream);
	if (e == cudaSuccess)
		e = cudaStreamSynchronize(st->tm.stream);
	if (e != cudaSuccess) {
		anvil_gpu_fail(err, __FILE__, __LINE__, "anvil_gpu_hpl_residual", cudaGetErrorString(e));
		goto out;
	}
	const void *src[] = { st->x, st->b, st->ax, st->rowabs };
	for (int k = 0; k < 4; k++) {
		e = cudaMemcpy(h + (size_t)k * n, src[k], n * sizeof(double), cudaMemcpyDeviceToHost);
		if (e != cudaSuccess) {
			anvil_gpu_fail(err, __FILE__, __LINE__, "cudaMemcpy (residual vectors)", cudaGetErrorString(e));
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++)
		ax[i] -= b[i];
	nr->r = max_abs(ax, n);
	nr->a = max_abs(rs, n);
	nr->x = max_abs(x, n);
	nr->b = max_abs(b, n);
	nr->resid = anvil_lu_scaled_residual(nr->r, nr->a, nr->x, nr->b, (double)n);
	rc = 0;
out:
	free(h);
	return rc;
}

static int run_hpl(struct anvil_ctx *ctx, struct hpl *st, cJSON *info, struct anvil_gpu_err *err)
{
	double t_warm, t;
	int lapack_info = 0, warm_info = 0;
	int64_t warm_n = st->n < 2048 ? st->n : 2048;
	/* a small solve first, so library loading and first-call costs are not timed */
	if (solve(st, warm_n, &t_warm, &warm_info, err) || solve(st, st->n, &t, &lapack_info, err))
		return -1;
	double n = (double)st->n;
	cJSON_AddNumberToObject(info, "n", n);
	cJSON_AddNumberToObject(info, "seconds", t);
	cJSON_AddNumberToObject(info, "workspace_device_bytes", (double)st->work_dev_bytes);
	cJSON_AddNumberToObject(info, "workspace_host_bytes", (double)st->work_host_bytes);
	cJSON_AddStringToObject(info, "lu", "cuSOLVER cusolverDnXgetrf + cusolverDnXgetrs, FP64, partial pivoting");
	if (lapack_info != 0) {
		char why[200];
		snprintf(why, sizeof(why), "the factorisation reports info = %d (U(%d,%d) is exactly zero): no solution to check",
			 lapack_info, lapack_info, lapack_info);
		anvil_emit_check(ctx, "residual", 0, NAN, ANVIL_LU_THRESHOLD, why);
		return 0;
	}
	anvil_emit_metric(ctx, "tflops", anvil_lu_flops((int)st->n) / t / 1e12, "TFLOP/s", ANVIL_HIGHER);
	struct norms nr = { 0 };
	if (residual(st, &nr, err))
		return -1;
	cJSON *norms = cJSON_AddObjectToObject(info, "norms");
	cJSON_AddNumberToObject(norms, "r_inf", nr.r);
	cJSON_AddNumberToObject(norms, "a_inf", nr.a);
	cJSON_AddNumberToObject(norms, "x_inf", nr.x);
	cJSON_AddNumberToObject(norms, "b_inf", nr.b);
	cJSON_AddNumberToObject(norms, "eps", anvil_lu_eps());
	char why[200];
	int ok = nr.resid < ANVIL_LU_THRESHOLD;  /* NaN fails */
	snprintf(why, sizeof(why), "||Ax-b||_oo/(eps*(||A||_oo*||x||_oo+||b||_oo)*N) = %.7g %s %g (HPL's rule)",
		 nr.resid, ok ? "<" : "is not below", ANVIL_LU_THRESHOLD);
	anvil_emit_check(ctx, "residual", ok, nr.resid, ANVIL_LU_THRESHOLD, why);
	return 0;
}

static enum anvil_status hpl_run(struct anvil_ctx *ctx)
{
	struct hpl st;
	struct anvil_gpu_err err = { "" };
	memset(&st, 0, sizeof(st));
	int rc = setup(ctx, &st, &err);
	if (!rc) {
		cJSON *info = anvil_gpu_info(&st.gpu);
		rc = run_hpl(ctx, &st, info, &err);
		anvil_emit_info(ctx, info);
	}
	release(&st);
	return rc ? anvil_gpu_error(ctx, &err) : ANVIL_OK;
}
#endif

static const struct anvil_param hpl_params[] = {
	{ "n", ANVIL_P_INT, "0", "order N (0: the largest multiple of 128 whose A fits mem_fraction of free memory)" },
	{ "mem_fraction", ANVIL_P_DOUBLE, "0.8", "share of free GPU memory for A when n is 0 (the rest: workspace)" },
	{ NULL, 0, NULL, NULL },
};

const struct anvil_runner anvil_runner_gpu_hpl = {
	.name = "gpu-hpl",
	.summary = "HPL on one GPU: cuSOLVER LU + solve, (2/3 N^3 + 3/2 N^2)/t, HPL residual < 16",
	.needs = ANVIL_NEEDS_GPU,
	.scope = ANVIL_SCOPE_PER_RANK,
	.params = hpl_params,
	ANVIL_GPU_HOOKS(hpl_run),
};
