/* The burn's comparison of every result with the reference result, and the
 * fault-injection hook; the rules themselves are in gpu_compare.h. */
#include "kernels/gpu_kernels.h"
#include "kernels/gpu_launch.cuh"
#include "kernels/gpu_rand.h"

/* k results, stride bytes apart, against the reference: each reference
 * element is read once for all k (wilicc/gpu-burn reads its first result once
 * for the batch it compares), so checking costs about one read per result. */
__global__ void burn_compare_kernel(const void *ref, const char *got, size_t stride, int k, size_t count,
				    enum anvil_prec p, double rel, double abs_tol, unsigned long long *bad)
{
	unsigned long long mine = 0;
	ANVIL_GRID_STRIDE(i, count) {
		double r = anvil_prec_load(ref, i, p);
		for (int j = 0; j < k; j++)
			mine += (unsigned long long)anvil_differs(r, anvil_prec_load(got + (size_t)j * stride, i, p),
								  rel, abs_tol);
	}
	if (mine)
		atomicAdd(bad, mine);
}

extern "C" cudaError_t anvil_gpu_burn_compare(const void *ref, const void *got, size_t stride, int k,
					      size_t count, enum anvil_prec p, double scale,
					      unsigned long long *bad, cudaStream_t stream)
{
	double rel, abs_tol;
	if (k < 1)
		return cudaErrorInvalidValue;
	anvil_burn_tol(p, scale, &rel, &abs_tol);
	burn_compare_kernel<<<anvil_blocks(count), ANVIL_TB, 0, stream>>>(ref, (const char *)got, stride, k, count,
									    p, rel, abs_tol, bad);
	return cudaGetLastError();
}

__global__ void corrupt_kernel(void *x, size_t count, enum anvil_prec p, int k, uint64_t seed)
{
	size_t t = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
	size_t stripe = count / (size_t)k;
	if (t < (size_t)k && stripe)
		anvil_corrupt(x, t * stripe + anvil_rand_bits(seed, t) % stripe, p);
}

extern "C" cudaError_t anvil_gpu_corrupt(void *x, size_t count, enum anvil_prec p, int k,
					 uint64_t seed, cudaStream_t stream)
{
	if (k <= 0 || (size_t)k > count)
		return cudaErrorInvalidValue;
	corrupt_kernel<<<anvil_blocks((size_t)k), ANVIL_TB, 0, stream>>>(x, count, p, k, seed);
	return cudaGetLastError();
}
