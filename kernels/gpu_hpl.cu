/* HPL's residual without a copy of A: A is regenerated element by element
 * from the counter-based generator that filled it before the factorisation
 * overwrote it. Rows are spread over threads, columns over blocks of
 * HPL_COLS; partial sums meet by atomicAdd (double atomics: sm_60 and up). */
#include "kernels/gpu_kernels.h"
#include "kernels/gpu_rand.h"

#define HPL_ROWS 256   /* threads per block, one row each */
#define HPL_COLS 2048  /* columns per block; x for them is staged in shared memory */

__global__ void hpl_residual_kernel(const double *x, int64_t n, uint64_t seed, double *ax,
				    double *rowabs)
{
	__shared__ double xs[HPL_COLS];
	int64_t i = (int64_t)blockIdx.x * HPL_ROWS + threadIdx.x;
	int64_t j0 = (int64_t)blockIdx.y * HPL_COLS;
	int64_t j1 = j0 + HPL_COLS < n ? j0 + HPL_COLS : n;
	for (int64_t j = j0 + threadIdx.x; j < j1; j += HPL_ROWS)
		xs[j - j0] = x[j];
	__syncthreads();
	if (i >= n)
		return;
	double acc = 0.0, sum_abs = 0.0;
	for (int64_t j = j0; j < j1; j++) {
		double a = anvil_rand_uniform(seed, (uint64_t)j * (uint64_t)n + (uint64_t)i, -0.5, 0.5);
		acc += a * xs[j - j0];
		sum_abs += fabs(a);
	}
	atomicAdd(&ax[i], acc);
	atomicAdd(&rowabs[i], sum_abs);
}

extern "C" cudaError_t anvil_gpu_hpl_residual(const double *x, int64_t n, uint64_t seed,
					      double *ax, double *rowabs, cudaStream_t stream)
{
	if (n <= 0 || (n + HPL_COLS - 1) / HPL_COLS > 65535)
		return cudaErrorInvalidValue;
	cudaError_t e = cudaMemsetAsync(ax, 0, (size_t)n * sizeof(double), stream);
	if (e == cudaSuccess)
		e = cudaMemsetAsync(rowabs, 0, (size_t)n * sizeof(double), stream);
	if (e != cudaSuccess)
		return e;
	dim3 grid((unsigned)((n + HPL_ROWS - 1) / HPL_ROWS), (unsigned)((n + HPL_COLS - 1) / HPL_COLS));
	hpl_residual_kernel<<<grid, HPL_ROWS, 0, stream>>>(x, n, seed, ax, rowabs);
	return cudaGetLastError();
}
