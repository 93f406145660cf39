/*
 * The CUDA kernels of the GPU runners, callable from C (kernels/gpu_*.cu,
 * built only when nvcc is found: ANVIL_HAVE_NVCC). Every launcher enqueues
 * on `stream` and returns cudaGetLastError() of the launch; completion and
 * execution errors show at the caller's next synchronisation. Counts are
 * size_t, so matrices of more than 2^31 elements are indexed correctly.
 */
#ifndef ANVIL_GPU_KERNELS_H
#define ANVIL_GPU_KERNELS_H
#include <stddef.h>
#include <stdint.h>
#include <cuda_runtime_api.h>
#include "kernels/gpu_compare.h"
#include "kernels/nccl_data.h"
#include "kernels/stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- matrices (gpu_fill.cu) ------------------------------------------- */

/* x[i] = anvil_rand_uniform(seed, i, lo, hi) rounded to format p, i < count. */
cudaError_t anvil_gpu_fill(void *x, size_t count, enum anvil_prec p, uint64_t seed, double lo,
			   double hi, cudaStream_t stream);

/* ---- burn (gpu_burn.cu) --------------------------------------------------- */

/* Adds to *bad (device memory) the elements of the k results at got,
 * got + stride, ... (bytes) that differ from ref under anvil_burn_tol(p, scale). */
cudaError_t anvil_gpu_burn_compare(const void *ref, const void *got, size_t stride, int k,
				   size_t count, enum anvil_prec p, double scale,
				   unsigned long long *bad, cudaStream_t stream);
/* Test hook: applies anvil_corrupt() to k distinct elements of x (one in each
 * of k equal stripes, at a position drawn from seed). */
cudaError_t anvil_gpu_corrupt(void *x, size_t count, enum anvil_prec p, int k, uint64_t seed,
			      cudaStream_t stream);

/* ---- HPL residual (gpu_hpl.cu) ------------------------------------------ */

/* With A(i, j) = anvil_rand_uniform(seed, j * n + i, -0.5, 0.5) (what
 * anvil_gpu_fill(A, n*n, ANVIL_FP64, seed, -0.5, 0.5) wrote, column-major,
 * lda = n), regenerated here rather than kept: ax = A x and rowabs[i] =
 * sum_j |A(i, j)|, both n doubles in device memory (zeroed here). */
cudaError_t anvil_gpu_hpl_residual(const double *x, int64_t n, uint64_t seed, double *ax,
				   double *rowabs, cudaStream_t stream);

/* ---- STREAM (gpu_stream.cu), BabelStream's kernels ---------------------- */

/* a = va, b = vb, c = vc; fp64 != 0: arrays of double, else float. */
cudaError_t anvil_gpu_stream_init(void *a, void *b, void *c, size_t n, int fp64, double va,
				  double vb, double vc, cudaStream_t stream);
/* op, one of kernels/stream.h's ANVIL_STREAM_*: copy c = a; scale b = s c;
 * add c = a + b; triad a = b + s c. */
cudaError_t anvil_gpu_stream_op(int op, void *a, void *b, void *c, size_t n,
				int fp64, double scalar, cudaStream_t stream);
/* Adds to *bad the elements of a, b, c not equal to ga, gb, gc within
 * BabelStream's relative tolerance (100 epsilon of the type), or NaN. */
cudaError_t anvil_gpu_stream_check(const void *a, const void *b, const void *c, size_t n,
				   int fp64, double ga, double gb, double gc,
				   unsigned long long *bad, cudaStream_t stream);

/* ---- NCCL data (gpu_nccl.cu), the rules in nccl_data.h ---------------------- */

cudaError_t anvil_gpu_nccl_fill(float *x, size_t count, int summed, int rank, cudaStream_t stream);
cudaError_t anvil_gpu_nccl_check(const float *x, size_t count, const struct anvil_nccl_want *w,
				 unsigned long long *bad, cudaStream_t stream);

#ifdef __cplusplus
}
#endif
#endif
