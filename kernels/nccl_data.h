/*
 * The data of the NCCL runners' checks, shared by the CUDA kernels
 * (kernels/gpu_nccl.cu) and the host (tests/unit/test_nccl_data.c simulates
 * every collective with it).
 *
 * Exactly predictable float data. Rank r fills its send buffer with
 * v(r, i) (16-bit whole numbers from the generator) for data that is moved,
 * or g(i) + h(r) (g in 0..255, h = 1 + r % 16) for data that is summed, so
 * every sum is a whole number below 2^24 and exact in float whatever the
 * order of the additions (up to 61000 ranks).
 */
#ifndef ANVIL_NCCL_DATA_H
#define ANVIL_NCCL_DATA_H
#include <stddef.h>
#include <stdint.h>
#include "kernels/gpu_rand.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ANVIL_NCCL_MOVED_SEED 0x6e63636cULL   /* stream of the moved data; + rank */
#define ANVIL_NCCL_SUMMED_SEED 0x73756d73ULL  /* stream of g(i) */

enum anvil_nccl_expect {
	ANVIL_EXPECT_SUM,        /* all_reduce, reduce at root: n g(j) + H */
	ANVIL_EXPECT_SUM_BLOCK,  /* reduce_scatter: n g(rank part + j) + H */
	ANVIL_EXPECT_GATHER,     /* all_gather: v(j / part, j % part) */
	ANVIL_EXPECT_ALLTOALL,   /* alltoall: v(j / part, rank part + j % part) */
	ANVIL_EXPECT_ROOT,       /* broadcast: v(root, j) */
	ANVIL_EXPECT_PREV,       /* sendrecv ring: v((rank - 1 + n) % n, j) */
};

struct anvil_nccl_want {
	enum anvil_nccl_expect kind;
	int rank, nranks, root;
	size_t part;       /* elements per rank's block (all_gather, reduce_scatter, alltoall) */
	double hsum;       /* H = sum over ranks of h(r) */
};

ANVIL_HD float anvil_nccl_moved(int rank, size_t i)
{
	return (float)(anvil_rand_bits(ANVIL_NCCL_MOVED_SEED + (uint64_t)rank, i) & 0xffffu);
}

ANVIL_HD double anvil_nccl_g(size_t i)
{
	return (double)(anvil_rand_bits(ANVIL_NCCL_SUMMED_SEED, i) & 0xffu);
}

ANVIL_HD double anvil_nccl_h(int rank)
{
	return 1.0 + (double)(rank & 15);
}

/* Element i of rank's send buffer. */
ANVIL_HD float anvil_nccl_value(int summed, int rank, size_t i)
{
	return summed ? (float)(anvil_nccl_g(i) + anvil_nccl_h(rank)) : anvil_nccl_moved(rank, i);
}

/* Element j of the checked output; -1 (a value the data never holds) when
 * the kind is unknown or a block size is 0. */
ANVIL_HD double anvil_nccl_expected(const struct anvil_nccl_want *w, size_t j)
{
	double n = (double)w->nranks;
	if (!w->part && (w->kind == ANVIL_EXPECT_GATHER || w->kind == ANVIL_EXPECT_ALLTOALL))
		return -1.0;
	switch (w->kind) {
	case ANVIL_EXPECT_SUM: return n * anvil_nccl_g(j) + w->hsum;
	case ANVIL_EXPECT_SUM_BLOCK: return n * anvil_nccl_g((size_t)w->rank * w->part + j) + w->hsum;
	case ANVIL_EXPECT_GATHER: return anvil_nccl_moved((int)(j / w->part), j % w->part);
	case ANVIL_EXPECT_ALLTOALL:
		return anvil_nccl_moved((int)(j / w->part), (size_t)w->rank * w->part + j % w->part);
	case ANVIL_EXPECT_ROOT: return anvil_nccl_moved(w->root, j);
	case ANVIL_EXPECT_PREV: return anvil_nccl_moved((w->rank - 1 + w->nranks) % w->nranks, j);
	}
	return -1.0;
}

#ifdef __cplusplus
}
#endif
#endif
