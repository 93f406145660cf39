/*
 * The numeric kernel behind the `hpl` runner: an HPL-style dense solve of
 * one node's random system A·x = b, and HPL's residual check.
 *
 * Definitions are HPL's own (testing/ptest/HPL_pdtest.c), so a figure can be
 * held against an `xhpl` or `hpcc` run:
 *   - A is N×N and b is N long, uniform in [-0.5, 0.5), made from the seed;
 *   - only the LU factorization (partial pivoting) and the solve are timed;
 *   - GFLOP/s = (2/3·N³ + 3/2·N²) / seconds / 1e9;
 *   - residual = ‖A·x − b‖∞ / (ε · (‖A‖∞·‖x‖∞ + ‖b‖∞) · N), where A and b
 *     are the ORIGINAL ones (regenerated from the seed, as HPL does) and
 *     ε = 2^-53 = DBL_EPSILON / 2 (HPL_pdlamch(HPL_MACH_EPS): the relative
 *     machine precision, printed by xhpl as 1.110223e-16);
 *   - the run passes when the residual is below 16.0 (HPL.dat's threshold).
 *
 * Pure computation: no MPI, no printing, no files, no exit.
 *
 * Measured on the development VM (AMD EPYC Zen 4, 2 vCPUs, 24 GB, OpenBLAS
 * 0.3.21 pthread "Cooperlake" kernels, Debian 12), 2 threads, NB=192, the
 * three methods interleaved, medians of 3 (range); the host is shared, so
 * absolute figures drift by +-5% from hour to hour:
 *   N=8000  ANVIL_LU_BLOCKED   90.4 GFLOP/s  (88.5-92.5)   0.92 of DGEMM
 *           ANVIL_LU_LAPACK    85.6 GFLOP/s  (84.7-86.3)
 *           cblas_dgemm 8000³  97.9 GFLOP/s  (96.9-98.5)
 *           hpcc 1.5.0 HPL, 2 ranks, NB=192, same runs: 78.9 (76.8-80.7);
 *           (the 87 quoted for hpcc here came from a quieter hour)
 *   N=4000  ANVIL_LU_BLOCKED   84.6 (82.4-87.1), ANVIL_LU_LAPACK 75.9 (73.1-78.1),
 *           cblas_dgemm 91.2
 * hence ANVIL_LU_BLOCKED is the default.
 */
#ifndef ANVIL_LU_H
#define ANVIL_LU_H
#include <stddef.h>

#define ANVIL_LU_THRESHOLD 16.0   /* HPL.dat's residual threshold */
#define ANVIL_LU_DEFAULT_NB 192
#define ANVIL_LU_DEFAULT_METHOD ANVIL_LU_BLOCKED

enum anvil_lu_method {
	ANVIL_LU_LAPACK,   /* LAPACKE_dgetrf + dgetrs: OpenBLAS's own threaded LU; nb unused */
	ANVIL_LU_BLOCKED,  /* anvil's right-looking LU with look-ahead (lu_blocked.c) */
};

struct anvil_lu_opts {
	int n;             /* order of the system */
	int nb;            /* block size (ANVIL_LU_BLOCKED) */
	int threads;       /* >= 1: OpenMP threads, and OpenBLAS threads for LAPACK */
	enum anvil_lu_method method;
	unsigned long seed;
	/* Test hook, honoured only when built with ANVIL_TEST_HOOKS: < 0 none;
	 * else one element right of/below the panel holding this column is
	 * spoiled once that panel is factored, so the residual check must fail. */
	int corrupt_at_col;
};

struct anvil_lu_result {
	double seconds;    /* factorization + solve only */
	double gflops;
	double residual;   /* HPL's scaled residual; passed = residual < 16 */
	int passed;
	double norm_a, norm_x, norm_b, resid_inf;  /* ‖A‖∞ ‖x‖∞ ‖b‖∞ ‖Ax−b‖∞ */
	int info;          /* LAPACK's: k > 0 when U(k,k) == 0 (1-based) */
	char why[200];     /* why it failed; "" when passed */
};

/* Sets the defaults: nb, threads 1, the default method, seed 1, no hook. */
void anvil_lu_opts_init(struct anvil_lu_opts *o, int n);

/* (2/3·N³ + 3/2·N²): the flop count HPL credits to an order-n solve. */
double anvil_lu_flops(int n);
double anvil_lu_gflops(int n, double seconds);
/* 2^-53, HPL's ε. */
double anvil_lu_eps(void);
/* HPL's scaled residual from the ∞-norms of A·x − b, A, x and b of an
 * order-n system: r / (ε · (a·x + b) · n). Every HPL runner (hpl,
 * hpl-cluster, gpu-hpl) judges by this one. */
double anvil_lu_scaled_residual(double r, double a, double x, double b, double n);

/* The leading dimension anvil_lu_solve uses: n rounded up to 8 doubles,
 * plus 8 when the column stride would be a multiple of 1 KiB (cache
 * aliasing of power-of-two orders). */
int anvil_lu_lda(int n);
/* Bytes anvil_lu_solve allocates for order n: [A | b] (lda × (n+1) doubles),
 * two residual vectors and the pivots. */
double anvil_lu_bytes(int n);
/* Largest n, a multiple of nb, with anvil_lu_bytes(n) <= bytes; 0 if none
 * (or nb <= 0). */
int anvil_lu_n_for_bytes(double bytes, int nb);
/* Memory the node can give now (MemAvailable), in bytes; 0 if unknown. */
double anvil_lu_mem_available(void);

/*
 * The whole test on the generated system of order o->n. Returns -1 with err
 * set for bad options (n, nb or threads < 1), a system larger than the
 * memory available ("N=200000 needs 320.0 GB, the node has 23.4 GB
 * available") or a failed allocation; nothing is allocated before the size
 * check. Else returns 0 with r filled: r->passed == 0 and r->why say what
 * went wrong (singular, non-finite, residual too large).
 */
int anvil_lu_solve(const struct anvil_lu_opts *o, struct anvil_lu_result *r,
		   char *err, size_t errlen);

/*
 * The same test on a caller's system: a (o->n × o->n, column-major, leading
 * dimension lda) and b stay the caller's and are not modified (they are
 * copied, so this needs anvil_lu_bytes(n) more). o->seed is unused.
 */
int anvil_lu_solve_matrix(const struct anvil_lu_opts *o, const double *a, int lda,
			  const double *b, struct anvil_lu_result *r,
			  char *err, size_t errlen);

/* ---- lower level: the factorizations themselves ------------------------ */

/*
 * Factors the n×n matrix a (column-major, leading dimension lda) in place
 * as P·A = L·U, in LAPACK's layout: ipiv[i] (1-based) is the row that row i
 * was swapped with. Uses o->method, o->nb and o->threads (o->n is ignored).
 * Returns LAPACK's info: 0, or k > 0 when U(k,k) is exactly zero (the
 * factorization is completed all the same); -1 on bad arguments or no
 * memory for the blocked method's small workspace.
 */
int anvil_lu_factor(double *a, int lda, int n, int *ipiv, const struct anvil_lu_opts *o);

/*
 * The right-looking blocked LU behind ANVIL_LU_BLOCKED (lu_blocked.c), for
 * an n × ncols matrix (ncols >= n): pivots are chosen in the first n
 * columns and applied to all ncols, so extra columns come out as L⁻¹·P·B,
 * which is how [A | b] is solved without a forward substitution (HPL does
 * the same). With left_swaps == 0 the pivots are not applied to L's
 * columns (only U and the extra columns are usable afterwards: HPL's
 * shortcut). ipiv is 1-based as LAPACK's. corrupt_at_col: see the opts.
 * Returns info as anvil_lu_factor; -1 on bad arguments or when its
 * workspace (2·nb² doubles for the inverted L11 blocks) cannot be had.
 */
int anvil_lu_blocked_factor(int n, int ncols, double *a, int lda, int *ipiv, int nb,
			    int threads, int left_swaps, int corrupt_at_col);

#endif
