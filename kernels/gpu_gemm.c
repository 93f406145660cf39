#include "kernels/gpu_gemm.h"
#ifdef ANVIL_HAVE_CUDA
#include "kernels/gpu_rand.h"
#include <math.h>
#include <stdlib.h>

/* cuBLAS's element and compute types of each format; alpha and beta are
 * doubles for FP64, floats for the others (FP32 accumulate). */
static const struct {
	cudaDataType_t type;
	cublasComputeType_t compute;
} gemm_types[ANVIL_PREC_COUNT] = {
	[ANVIL_FP64] = { CUDA_R_64F, CUBLAS_COMPUTE_64F },
	[ANVIL_FP32] = { CUDA_R_32F, CUBLAS_COMPUTE_32F },
	[ANVIL_TF32] = { CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32 },
	[ANVIL_BF16] = { CUDA_R_16BF, CUBLAS_COMPUTE_32F },
	[ANVIL_FP16] = { CUDA_R_16F, CUBLAS_COMPUTE_32F },
};

cublasStatus_t anvil_gpu_gemm(cublasHandle_t h, enum anvil_prec p, int n, const void *a,
			      const void *b, void *c)
{
	static const double one64 = 1.0, zero64 = 0.0;
	static const float one32 = 1.0f, zero32 = 0.0f;
	const cublasOperation_t N = CUBLAS_OP_N;
	if ((unsigned)p >= ANVIL_PREC_COUNT)
		return CUBLAS_STATUS_INVALID_VALUE;
	const void *one = p == ANVIL_FP64 ? (const void *)&one64 : (const void *)&one32;
	const void *zero = p == ANVIL_FP64 ? (const void *)&zero64 : (const void *)&zero32;
	cudaDataType_t t = gemm_types[p].type;
	return cublasGemmEx(h, N, N, n, n, n, one, a, t, n, b, t, n, zero, c, t, n, gemm_types[p].compute,
			    CUBLAS_GEMM_DEFAULT);
}

int anvil_gpu_gemm_min_cc(enum anvil_prec p)
{
	return p == ANVIL_TF32 || p == ANVIL_BF16 ? 80 : 0;
}

/* Row i of A (stride n elements in column-major order) and column j of B. */
static int fetch(enum anvil_prec p, size_t n, const void *a, const void *b, size_t i, size_t j,
		 void *row, void *col, struct anvil_gpu_err *err)
{
	size_t es = anvil_prec_size(p);
	ANVIL_CUDA(err, cudaMemcpy2D(row, es, (const char *)a + i * es, n * es, es, n, cudaMemcpyDeviceToHost));
	ANVIL_CUDA(err, cudaMemcpy(col, (const char *)b + j * n * es, n * es, cudaMemcpyDeviceToHost));
	return 0;
}

static int sample_one(enum anvil_prec p, size_t n, const void *a, const void *b, const void *c,
		      size_t i, size_t j, void *row, void *col, struct anvil_gemm_sample *out,
		      struct anvil_gpu_err *err)
{
	size_t es = anvil_prec_size(p);
	unsigned char got[8];
	if (fetch(p, n, a, b, i, j, row, col, err))
		return -1;
	ANVIL_CUDA(err, cudaMemcpy(got, (const char *)c + (j * n + i) * es, es, cudaMemcpyDeviceToHost));
	long double ref = 0, sq = 0;
	for (size_t k = 0; k < n; k++) {
		long double t = (long double)anvil_prec_load(row, k, p) * anvil_prec_load(col, k, p);
		ref += t;
		sq += t * t;
	}
	double cv = anvil_prec_load(got, 0, p);
	double tol = anvil_sample_tol(p, n, sqrt((double)sq), (double)ref);
	double ratio = fabs(cv - (double)ref) / (tol > 0 ? tol : 1e-300);
	out->checked++;
	if (anvil_differs((double)ref, cv, 0.0, tol))
		out->bad++;
	if (!(ratio <= out->worst))  /* NaN sticks */
		out->worst = ratio;
	return 0;
}

int anvil_gpu_gemm_sample(enum anvil_prec p, size_t n, const void *a, const void *b, const void *c,
			  int count, uint64_t seed, struct anvil_gemm_sample *out,
			  struct anvil_gpu_err *err)
{
	size_t es = anvil_prec_size(p);
	void *row = malloc(n * es), *col = malloc(n * es);
	int rc = 0;
	out->checked = out->bad = 0;
	out->worst = 0;
	if (!row || !col)
		rc = anvil_gpu_failf(err, "out of host memory for 2 x %zu bytes (GEMM sample check)", n * es);
	for (int s = 0; s < count && !rc; s++) {
		size_t i = (size_t)(anvil_rand_bits(seed, 2 * (uint64_t)s) % n);
		size_t j = (size_t)(anvil_rand_bits(seed, 2 * (uint64_t)s + 1) % n);
		rc = sample_one(p, n, a, b, c, i, j, row, col, out, err);
	}
	free(row);
	free(col);
	return rc;
}
#endif
