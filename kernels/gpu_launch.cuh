/* Launch shapes shared by the .cu files: grid-stride loops over size_t
 * indices, 256 threads a block, at most 2^20 blocks (each thread then
 * handles count / 2^28 elements or fewer). */
#ifndef ANVIL_GPU_LAUNCH_CUH
#define ANVIL_GPU_LAUNCH_CUH
#include <stddef.h>

#define ANVIL_TB 256

static inline unsigned anvil_blocks(size_t count)
{
	size_t b = (count + ANVIL_TB - 1) / ANVIL_TB;
	if (b > ((size_t)1 << 20))
		b = (size_t)1 << 20;
	return b ? (unsigned)b : 1u;
}

#define ANVIL_GRID_STRIDE(i, count) \
	for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < (count); \
	     i += (size_t)gridDim.x * blockDim.x)

#endif
