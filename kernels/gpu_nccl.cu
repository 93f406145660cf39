/* The NCCL runners' data on the GPU: filling send buffers and counting the
 * wrong elements of an output, by the rules of nccl_data.h. */
#include "kernels/gpu_kernels.h"
#include "kernels/gpu_launch.cuh"

__global__ void nccl_fill_kernel(float *x, size_t count, int summed, int rank)
{
	ANVIL_GRID_STRIDE(i, count)
		x[i] = anvil_nccl_value(summed, rank, i);
}

__global__ void nccl_check_kernel(const float *x, size_t count, const struct anvil_nccl_want w,
				  unsigned long long *bad)
{
	unsigned long long mine = 0;
	ANVIL_GRID_STRIDE(j, count)
		mine += (double)x[j] != anvil_nccl_expected(&w, j);
	if (mine)
		atomicAdd(bad, mine);
}

extern "C" cudaError_t anvil_gpu_nccl_fill(float *x, size_t count, int summed, int rank,
					   cudaStream_t stream)
{
	if (!count)
		return cudaSuccess;
	nccl_fill_kernel<<<anvil_blocks(count), ANVIL_TB, 0, stream>>>(x, count, summed, rank);
	return cudaGetLastError();
}

extern "C" cudaError_t anvil_gpu_nccl_check(const float *x, size_t count,
					    const struct anvil_nccl_want *w,
					    unsigned long long *bad, cudaStream_t stream)
{
	if (!count)
		return cudaSuccess;
	if (!w->part && (w->kind == ANVIL_EXPECT_GATHER || w->kind == ANVIL_EXPECT_ALLTOALL))
		return cudaErrorInvalidValue;
	nccl_check_kernel<<<anvil_blocks(count), ANVIL_TB, 0, stream>>>(x, count, *w, bad);
	return cudaGetLastError();
}
