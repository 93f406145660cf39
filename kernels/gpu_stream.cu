/* BabelStream's four kernels (UoB-HPC/BabelStream, src/cuda/CUDAStream.cu):
 * copy c = a, mul b = scalar c, add c = a + b, triad a = b + scalar c, one
 * element per thread in blocks of 1024 (BabelStream 4.0's CUDA shape; later
 * versions unroll, with the same traffic), and its validation rule (relative
 * error at most 100 epsilon of the type, NaN wrong). */
#include "kernels/gpu_kernels.h"
#include <cfloat>

#define STREAM_TB 1024

template <typename T>
__global__ void stream_init_kernel(T *a, T *b, T *c, size_t n, T va, T vb, T vc)
{
	size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
	if (i < n) {
		a[i] = va;
		b[i] = vb;
		c[i] = vc;
	}
}

template <typename T>
__global__ void stream_kernel(int op, T *a, T *b, T *c, size_t n, T scalar)
{
	size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
	if (i >= n)
		return;
	switch (op) {
	case ANVIL_STREAM_COPY: c[i] = a[i]; break;
	case ANVIL_STREAM_SCALE: b[i] = scalar * c[i]; break;
	case ANVIL_STREAM_ADD: c[i] = a[i] + b[i]; break;
	case ANVIL_STREAM_TRIAD: a[i] = b[i] + scalar * c[i]; break;
	}
}

template <typename T>
__device__ int stream_wrong(T is, T should, T eps)
{
	T diff = is > should ? is - should : should - is;
	T ai = is < 0 ? -is : is, as = should < 0 ? -should : should;
	T largest = ai > as ? ai : as;
	return !(diff <= largest * (T)100 * eps);  /* NaN counts as wrong */
}

template <typename T>
__global__ void stream_check_kernel(const T *a, const T *b, const T *c, size_t n, T ga, T gb, T gc,
				    T eps, unsigned long long *bad)
{
	unsigned long long mine = 0;
	for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
	     i += (size_t)gridDim.x * blockDim.x)
		mine += stream_wrong(a[i], ga, eps) + stream_wrong(b[i], gb, eps) + stream_wrong(c[i], gc, eps);
	if (mine)
		atomicAdd(bad, mine);
}

static unsigned stream_blocks(size_t n)
{
	return (unsigned)((n + STREAM_TB - 1) / STREAM_TB);
}

extern "C" cudaError_t anvil_gpu_stream_init(void *a, void *b, void *c, size_t n, int fp64,
					     double va, double vb, double vc, cudaStream_t stream)
{
	if (fp64)
		stream_init_kernel<<<stream_blocks(n), STREAM_TB, 0, stream>>>((double *)a, (double *)b,
									      (double *)c, n, va, vb, vc);
	else
		stream_init_kernel<<<stream_blocks(n), STREAM_TB, 0, stream>>>((float *)a, (float *)b, (float *)c,
									      n, (float)va, (float)vb, (float)vc);
	return cudaGetLastError();
}

extern "C" cudaError_t anvil_gpu_stream_op(int op, void *a, void *b, void *c,
					   size_t n, int fp64, double scalar, cudaStream_t stream)
{
	if (fp64)
		stream_kernel<<<stream_blocks(n), STREAM_TB, 0, stream>>>(op, (double *)a, (double *)b,
									 (double *)c, n, scalar);
	else
		stream_kernel<<<stream_blocks(n), STREAM_TB, 0, stream>>>(op, (float *)a, (float *)b,
									 (float *)c, n, (float)scalar);
	return cudaGetLastError();
}

extern "C" cudaError_t anvil_gpu_stream_check(const void *a, const void *b, const void *c, size_t n,
					      int fp64, double ga, double gb, double gc,
					      unsigned long long *bad, cudaStream_t stream)
{
	unsigned g = stream_blocks(n) < 65536u ? stream_blocks(n) : 65536u;
	if (fp64)
		stream_check_kernel<<<g, STREAM_TB, 0, stream>>>((const double *)a, (const double *)b,
								 (const double *)c, n, ga, gb, gc, DBL_EPSILON, bad);
	else
		stream_check_kernel<<<g, STREAM_TB, 0, stream>>>((const float *)a, (const float *)b,
								 (const float *)c, n, (float)ga, (float)gb,
								 (float)gc, FLT_EPSILON, bad);
	return cudaGetLastError();
}
