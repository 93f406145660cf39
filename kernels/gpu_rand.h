/*
 * A counter-based random generator for filling GPU matrices in place
 * (cuRAND is not guaranteed to be installed): element i of stream `seed` is a
 * pure function of (seed, i), so any element can be regenerated later, on
 * the GPU or the host, without keeping a copy — the HPL residual regenerates
 * A this way. The mixer is splitmix64's finaliser (Steele, Lea, Flood 2014),
 * which passes BigCrush as a counter-based generator.
 */
#ifndef ANVIL_GPU_RAND_H
#define ANVIL_GPU_RAND_H
#include <stdint.h>
#include "kernels/gpu_compare.h"  /* ANVIL_HD */

ANVIL_HD uint64_t anvil_rand_bits(uint64_t seed, uint64_t i)
{
	uint64_t z = seed * 0xd1342543de82ef95ULL + i * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi): the top 53 bits as a fraction. */
ANVIL_HD double anvil_rand_uniform(uint64_t seed, uint64_t i, double lo, double hi)
{
	return lo + (hi - lo) * ((double)(anvil_rand_bits(seed, i) >> 11) * ANVIL_2M53);
}

#endif
