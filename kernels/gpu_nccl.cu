/* Exactly predictable data for the NCCL runners and the count of wrong
 * elements after a collective; see enum anvil_nccl_expect in gpu_kernels.h. */
#include "kernels/gpu_kernels.h"
#include "kernels/gpu_launch.cuh"
#include "kernels/gpu_rand.h"

#define MOVED_SEED 0x6e63636cULL   /* stream of the moved data; + rank */
#define SUMMED_SEED 0x73756d73ULL  /* stream of g(i) */

__host__ __device__ static inline float moved(int rank, size_t i)
{
	return (float)(anvil_rand_bits(MOVED_SEED + (uint64_t)rank, i) & 0xffffu);
}

__host__ __device__ static inline double g_of(size_t i)
{
	return (double)(anvil_rand_bits(SUMMED_SEED, i) & 0xffu);
}

__host__ __device__ static inline double h_of(int rank)
{
	return 1.0 + (double)(rank & 15);
}

extern "C" double anvil_nccl_h(int rank)
{
	return h_of(rank);
}

__global__ void nccl_fill_kernel(float *x, size_t count, int summed, int rank)
{
	ANVIL_GRID_STRIDE(i, count)
		x[i] = summed ? (float)(g_of(i) + h_of(rank)) : moved(rank, i);
}

__device__ static double expected(const struct anvil_nccl_want w, size_t j)
{
	double n = (double)w.nranks;
	switch (w.kind) {
	case ANVIL_EXPECT_SUM: return n * g_of(j) + w.hsum;
	case ANVIL_EXPECT_SUM_BLOCK: return n * g_of((size_t)w.rank * w.part + j) + w.hsum;
	case ANVIL_EXPECT_GATHER: return moved((int)(j / w.part), j % w.part);
	case ANVIL_EXPECT_ALLTOALL: return moved((int)(j / w.part), (size_t)w.rank * w.part + j % w.part);
	case ANVIL_EXPECT_ROOT: return moved(w.root, j);
	case ANVIL_EXPECT_PREV: return moved((w.rank - 1 + w.nranks) % w.nranks, j);
	}
	return -1.0;  /* never a value the data can hold */
}

__global__ void nccl_check_kernel(const float *x, size_t count, const struct anvil_nccl_want w,
				  unsigned long long *bad)
{
	unsigned long long mine = 0;
	ANVIL_GRID_STRIDE(j, count)
		mine += (double)x[j] != expected(w, j);
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
