/* Filling matrices with the counter-based generator, in each GEMM format. */
#include "kernels/gpu_kernels.h"
#include "kernels/gpu_launch.cuh"
#include "kernels/gpu_rand.h"
#include <cuda_bf16.h>
#include <cuda_fp16.h>

template <typename T> __device__ T anvil_from_double(double v);
template <> __device__ double anvil_from_double<double>(double v) { return v; }
template <> __device__ float anvil_from_double<float>(double v) { return (float)v; }
template <> __device__ __nv_bfloat16 anvil_from_double<__nv_bfloat16>(double v) { return __float2bfloat16_rn((float)v); }
template <> __device__ __half anvil_from_double<__half>(double v) { return __float2half_rn((float)v); }

template <typename T>
__global__ void fill_kernel(T *x, size_t count, uint64_t seed, double lo, double hi)
{
	ANVIL_GRID_STRIDE(i, count)
		x[i] = anvil_from_double<T>(anvil_rand_uniform(seed, i, lo, hi));
}

extern "C" cudaError_t anvil_gpu_fill(void *x, size_t count, enum anvil_prec p, uint64_t seed,
				      double lo, double hi, cudaStream_t stream)
{
	unsigned g = anvil_blocks(count);
	switch (p) {
	case ANVIL_FP64:
		fill_kernel<<<g, ANVIL_TB, 0, stream>>>((double *)x, count, seed, lo, hi);
		break;
	case ANVIL_FP32:
	case ANVIL_TF32:
		fill_kernel<<<g, ANVIL_TB, 0, stream>>>((float *)x, count, seed, lo, hi);
		break;
	case ANVIL_BF16:
		fill_kernel<<<g, ANVIL_TB, 0, stream>>>((__nv_bfloat16 *)x, count, seed, lo, hi);
		break;
	case ANVIL_FP16:
		fill_kernel<<<g, ANVIL_TB, 0, stream>>>((__half *)x, count, seed, lo, hi);
		break;
	default:
		return cudaErrorInvalidValue;
	}
	return cudaGetLastError();
}
