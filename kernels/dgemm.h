/* DGEMM benchmark on OpenBLAS: C = A·B, measured the way hpcc's DGEMM is
 * (2·n³ flops per call), with a sampled check that the product is right. */
#ifndef ANVIL_KERNELS_DGEMM_H
#define ANVIL_KERNELS_DGEMM_H
#include <stddef.h>

/* Tolerance on max_rel_err; see dgemm.c for why this value. */
#define ANVIL_DGEMM_TOL 1e-10

#define ANVIL_DGEMM_MAX_REPS 1000  /* every rep's rate is kept (for the report's noise estimate) */

struct anvil_dgemm_result {
	double best_gflops;  /* 2·n³ / best_s / 1e9 */
	double mean_gflops;  /* 2·n³ / (mean time over the timed reps) / 1e9 */
	double best_s;       /* fastest single call, seconds */
	int reps;            /* timed calls (the warm-up call is not counted) */
	double rep_gflops[ANVIL_DGEMM_MAX_REPS];  /* 2·n³ / t / 1e9 of each timed call */
	double max_rel_err;  /* over the sampled entries: |C - ref| / (|A|·|B|) */
	int valid;           /* max_rel_err < ANVIL_DGEMM_TOL (and not NaN) */
};

/* n: matrix order; threads: OpenBLAS threads (openblas_set_num_threads; <= 0
 * keeps OpenBLAS's current setting, which is restored on return either way);
 * reps: timed repetitions after one warm-up call (1..ANVIL_DGEMM_MAX_REPS).  Returns 0, or -1 with a
 * message in err when the arguments are wrong or allocation fails (the message
 * gives the bytes needed).  A wrong product is not an error: it is valid == 0. */
int anvil_dgemm_bench(int n, int threads, int reps, struct anvil_dgemm_result *out,
		      char *err, size_t errlen);

/* The n that makes 3 n×n doubles fill `bytes`, rounded down to a multiple of
 * 64 (at least 64). */
int anvil_dgemm_n_for_bytes(double bytes);

#endif
