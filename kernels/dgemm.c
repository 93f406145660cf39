/* DGEMM benchmark: times OpenBLAS's cblas_dgemm on n×n row-major matrices and
 * checks a sample of the product against a long-double dot product.
 * No MPI, no output: the caller (a runner) turns the result into records. */
#include "kernels/dgemm.h"
#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define DGEMM_ALIGN 64    /* a cache line, and enough for any AVX-512 load */
#define DGEMM_SAMPLES 64  /* entries of C recomputed by the check */

/* Why 1e-10 (ANVIL_DGEMM_TOL): whatever order OpenBLAS sums in (blocking,
 * FMA, k split across threads), each entry obeys |fl(AB) - AB| <= γn·(|A||B|)
 * with γn = n·u/(1 - n·u), u = 2^-53 ≈ 1.1e-16.  Measured against |A||B|,
 * the error is therefore below 1e-10 for every n up to ~9e5, far past any n
 * whose three matrices fit in a node (n = 9e5 is 19 TB); typical errors are
 * near sqrt(n)·u ≈ 1e-14.  A real fault (bad core, flipped bit, wrong kernel)
 * gives errors of order 1e-3 and above, so the margin costs no sensitivity. */

struct dgemm_mats {
	double *a, *b, *c;  /* owned; released by dgemm_mats_release */
	size_t n;
};

static double dgemm_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Entry idx of matrix `seed`, in [-0.5, 0.5): a hash of the index rather than
 * a sequential generator, so threads can fill their own rows (first touch)
 * and the check can regenerate A and B without trusting the arrays. */
static double dgemm_val(uint64_t seed, size_t idx)
{
	uint64_t x = (uint64_t)idx * 0x9E3779B97F4A7C15ull + seed;
	x ^= x >> 31;
	x *= 0xBF58476D1CE4E5B9ull;
	x ^= x >> 29;
	return (double)(x >> 11) * 0x1.0p-53 - 0.5;
}

#define DGEMM_SEED_A 0x1234567ull
#define DGEMM_SEED_B 0x89ABCDEull

static void dgemm_mats_release(struct dgemm_mats *m)
{
	free(m->a);
	free(m->b);
	free(m->c);
	m->a = m->b = m->c = NULL;
}

/* Refuses sizes beyond the node's memory before trying: with overcommit a
 * huge malloc can succeed and the job die later at first touch (OOM killer). */
static int dgemm_mats_alloc(struct dgemm_mats *m, int n, char *err, size_t errlen)
{
	size_t un = (size_t)n, each, phys;
	m->a = m->b = m->c = NULL;
	m->n = un;
	if (un > SIZE_MAX / sizeof(double) / un / 3) {
		snprintf(err, errlen, "dgemm n=%d: 3 x %d^2 x 8 bytes (%.3g) overflows size_t",
			 n, n, 24.0 * (double)n * n);
		return -1;
	}
	each = un * un * sizeof(double);
	phys = (size_t)sysconf(_SC_PHYS_PAGES) * (size_t)sysconf(_SC_PAGESIZE);
	if (phys > 0 && 3 * each > phys)
		goto fail;
	if (posix_memalign((void **)&m->a, DGEMM_ALIGN, each) ||
	    posix_memalign((void **)&m->b, DGEMM_ALIGN, each) ||
	    posix_memalign((void **)&m->c, DGEMM_ALIGN, each))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "dgemm n=%d needs 3 x %zu = %zu bytes; cannot allocate them "
		 "(node memory %zu bytes)", n, each, 3 * each, phys);
	dgemm_mats_release(m);
	return -1;
}

/* First touch from as many threads as OpenBLAS will run, so the pages spread
 * over the NUMA nodes those threads use instead of all landing on the
 * caller's; OpenBLAS partitions its own way, so this is placement, not
 * ownership. */
static void dgemm_mats_fill(struct dgemm_mats *m, int threads)
{
	long n = (long)m->n;
#pragma omp parallel for schedule(static) num_threads(threads)
	for (long i = 0; i < n; i++) {
		for (long j = 0; j < n; j++) {
			size_t idx = (size_t)i * m->n + (size_t)j;
			m->a[idx] = dgemm_val(DGEMM_SEED_A, idx);
			m->b[idx] = dgemm_val(DGEMM_SEED_B, idx);
			m->c[idx] = 0.0;
		}
	}
}

static double dgemm_call(const struct dgemm_mats *m)
{
	int n = (int)m->n;
	double t0 = dgemm_now();
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n,
		    1.0, m->a, n, m->b, n, 0.0, m->c, n);
	return dgemm_now() - t0;
}

/* |C[i][j] - (A·B)[i][j]| / (|A|·|B|)[i][j], the reference in long double
 * from regenerated inputs.  NaN in C yields NaN, which the caller rejects. */
static double dgemm_entry_err(const struct dgemm_mats *m, size_t i, size_t j)
{
	long double ref = 0.0L, mag = 0.0L;
	size_t n = m->n;
	for (size_t k = 0; k < n; k++) {
		long double x = dgemm_val(DGEMM_SEED_A, i * n + k);
		long double y = dgemm_val(DGEMM_SEED_B, k * n + j);
		ref += x * y;
		mag += fabsl(x * y);
	}
	long double diff = fabsl((long double)m->c[i * n + j] - ref);
	if (mag == 0.0L)
		return diff == 0.0L ? 0.0 : INFINITY;
	return (double)(diff / mag);
}

/* Samples a spread of rows and columns, first and last included; the column
 * order is a permutation (37 is prime to 64) so no diagonal bias. */
static double dgemm_check(const struct dgemm_mats *m)
{
	double worst = 0.0;
	size_t last = m->n - 1;
	for (size_t s = 0; s < DGEMM_SAMPLES; s++) {
		size_t i = s * last / (DGEMM_SAMPLES - 1);
		size_t j = ((s * 37 + 11) % DGEMM_SAMPLES) * last / (DGEMM_SAMPLES - 1);
		double e = dgemm_entry_err(m, i, j);
		if (isnan(e) || e > worst)
			worst = e;
		if (isnan(worst))
			break;
	}
	return worst;
}

static void dgemm_time(const struct dgemm_mats *m, int reps, struct anvil_dgemm_result *out)
{
	double flops = 2.0 * (double)m->n * (double)m->n * (double)m->n;
	double best = INFINITY, sum = 0.0;
	dgemm_call(m);  /* warm-up: thread pool start, page faults of OpenBLAS buffers */
	for (int r = 0; r < reps; r++) {
		double t = dgemm_call(m);
		sum += t;
		if (t < best)
			best = t;
	}
	out->reps = reps;
	out->best_s = best;
	out->best_gflops = flops / best / 1e9;
	out->mean_gflops = flops / (sum / reps) / 1e9;
}

int anvil_dgemm_bench(int n, int threads, int reps, struct anvil_dgemm_result *out,
		      char *err, size_t errlen)
{
	struct dgemm_mats m;
	if (n < 1 || reps < 1) {
		snprintf(err, errlen, "dgemm: n=%d and reps=%d must both be >= 1", n, reps);
		return -1;
	}
	if (dgemm_mats_alloc(&m, n, err, errlen))
		return -1;
	/* OpenBLAS's thread count is process-wide: put it back for the caller. */
	int saved = openblas_get_num_threads();
	if (threads > 0)
		openblas_set_num_threads(threads);
	dgemm_mats_fill(&m, threads > 0 ? threads : openblas_get_num_threads());
	dgemm_time(&m, reps, out);
	openblas_set_num_threads(saved);
	out->max_rel_err = dgemm_check(&m);
	out->valid = out->max_rel_err < ANVIL_DGEMM_TOL;
	dgemm_mats_release(&m);
	return 0;
}

int anvil_dgemm_n_for_bytes(double bytes)
{
	double n = floor(sqrt(bytes / (3.0 * sizeof(double))));
	if (!(n >= 64.0))  /* also NaN and negative bytes */
		return 64;
	if (n > (double)INT_MAX)
		n = (double)INT_MAX;
	return (int)n / 64 * 64;
}
