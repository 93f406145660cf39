#include "kernels/gpu_gemm.h"
#ifdef ANVIL_HAVE_CUDA
#include "kernels/gpu_rand.h"
#include <math.h>
#include <stdlib.h>

cublasStatus_t anvil_gpu_gemm(cublasHandle_t h, enum anvil_prec p, int n, const void *a,
			      const void *b, void *c)
{
	static const double one64 = 1.0, zero64 = 0.0;
	static const float one32 = 1.0f, zero32 = 0.0f;
	const cublasOperation_t N = CUBLAS_OP_N;
	switch (p) {
	case ANVIL_FP64:
		return cublasGemmEx(h, N, N, n, n, n, &one64, a, CUDA_R_64F, n, b, CUDA_R_64F, n, &zero64,
				    c, CUDA_R_64F, n, CUBLAS_COMPUTE_64F, CUBLAS_GEMM_DEFAULT);
	case ANVIL_FP32:
		return cublasGemmEx(h, N, N, n, n, n, &one32, a, CUDA_R_32F, n, b, CUDA_R_32F, n, &zero32,
				    c, CUDA_R_32F, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
	case ANVIL_TF32:
		return cublasGemmEx(h, N, N, n, n, n, &one32, a, CUDA_R_32F, n, b, CUDA_R_32F, n, &zero32,
				    c, CUDA_R_32F, n, CUBLAS_COMPUTE_32F_FAST_TF32, CUBLAS_GEMM_DEFAULT);
	case ANVIL_BF16:
		return cublasGemmEx(h, N, N, n, n, n, &one32, a, CUDA_R_16BF, n, b, CUDA_R_16BF, n, &zero32,
				    c, CUDA_R_16BF, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
	case ANVIL_FP16:
		return cublasGemmEx(h, N, N, n, n, n, &one32, a, CUDA_R_16F, n, b, CUDA_R_16F, n, &zero32,
				    c, CUDA_R_16F, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
	default:
		return CUBLAS_STATUS_INVALID_VALUE;
	}
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
