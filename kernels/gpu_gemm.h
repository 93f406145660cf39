/*
 * One square GEMM C = A B (column-major n x n, leading dimensions n) in each
 * format of enum anvil_prec through cublasGemmEx, and the host check of a
 * few sampled elements of C against a reference computed in long double
 * from the same inputs. Shared by gpu-dgemm and gpu-burn.
 */
#ifndef ANVIL_GPU_GEMM_H
#define ANVIL_GPU_GEMM_H
#ifdef ANVIL_HAVE_CUDA
#include <stddef.h>
#include <stdint.h>
#include <cublas_v2.h>
#include "kernels/cuda_util.h"
#include "kernels/gpu_compare.h"

/*
 * fp64: CUDA_R_64F, CUBLAS_COMPUTE_64F (FP64 tensor cores where there are);
 * fp32: CUDA_R_32F, CUBLAS_COMPUTE_32F (never TF32);
 * tf32: CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32;
 * bf16: CUDA_R_16BF in and out, CUBLAS_COMPUTE_32F (FP32 accumulate);
 * fp16: CUDA_R_16F in and out, CUBLAS_COMPUTE_32F (FP32 accumulate).
 * alpha = 1, beta = 0; scalars on the host.
 */
cublasStatus_t anvil_gpu_gemm(cublasHandle_t h, enum anvil_prec p, int n, const void *a,
			      const void *b, void *c);
/* Minimum compute capability (major * 10 + minor) for format p with cuBLAS:
 * TF32 and BF16 need Ampere (80). */
int anvil_gpu_gemm_min_cc(enum anvil_prec p);

struct anvil_gemm_sample {
	int checked, bad;
	double worst;      /* largest |c - ref| / tolerance seen */
};

/* Checks `count` elements of C chosen from seed (after the caller has
 * synchronised the GEMM): 0 with the tally in out, or -1 with err. */
int anvil_gpu_gemm_sample(enum anvil_prec p, size_t n, const void *a, const void *b, const void *c,
			  int count, uint64_t seed, struct anvil_gemm_sample *out,
			  struct anvil_gpu_err *err);
#endif
#endif
