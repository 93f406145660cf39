/*
 * The HPL-style solve around the factorizations: sizes, the random system,
 * timing, the LAPACK method, and HPL's residual check. See lu.h for the
 * definitions; lu_blocked.c holds anvil's own LU.
 */
#include "kernels/lu.h"
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <omp.h>
#include <cblas.h>
#include <lapacke.h>

/* The generator's column index for b: beyond any column of A, so A and b
 * never share a stream and A does not depend on N (A of order 1000 is the
 * leading block of A of order 2000). */
#define LU_B_COL 0xffffffffu
#define LU_ROW_BLOCK 1024   /* rows per residual task: its sums stay in L1 */

/* The original system, for filling the work matrix and for the check. */
struct lu_src {
	const double *a, *b;   /* the caller's (not ours); NULL: made from key */
	int lda;
	uint64_t key;
};

void anvil_lu_opts_init(struct anvil_lu_opts *o, int n)
{
	*o = (struct anvil_lu_opts){
		.n = n, .nb = ANVIL_LU_DEFAULT_NB, .threads = 1,
		.method = ANVIL_LU_DEFAULT_METHOD, .seed = 1, .corrupt_at_col = -1,
	};
}

double anvil_lu_flops(int n)
{
	double d = n;
	return (2.0 / 3.0) * d * d * d + 1.5 * d * d;
}

double anvil_lu_gflops(int n, double seconds)
{
	return seconds > 0 ? anvil_lu_flops(n) / seconds / 1e9 : 0.0;
}

double anvil_lu_eps(void) { return DBL_EPSILON / 2; }

double anvil_lu_scaled_residual(double r, double a, double x, double b, double n)
{
	return r / (anvil_lu_eps() * (a * x + b) * n);
}

int anvil_lu_lda(int n)
{
	if (n < 1)
		return 1;
	long long lda = ((long long)n + 7) / 8 * 8;
	if (lda % 128 == 0)
		lda += 8;
	return lda > 0x7fffffff ? n : (int)lda;
}

double anvil_lu_bytes(int n)
{
	if (n < 1)
		return 0;
	return 8.0 * anvil_lu_lda(n) * ((double)n + 1) + 2 * 8.0 * n + (double)sizeof(int) * n;
}

int anvil_lu_n_for_bytes(double bytes, int nb)
{
	if (nb < 1 || !(bytes >= anvil_lu_bytes(nb)))
		return 0;
	double guess = floor(sqrt(bytes / 8.0) / nb) * nb;
	long long n = guess > 0x7ffffff0 - nb ? (0x7ffffff0 / nb - 1) * (long long)nb : (long long)guess;
	if (n < nb)
		n = nb;
	while (n > nb && anvil_lu_bytes((int)n) > bytes)
		n -= nb;
	while (n + nb < 0x7ffffff0 && anvil_lu_bytes((int)(n + nb)) <= bytes)
		n += nb;
	return (int)n;
}

double anvil_lu_mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	unsigned long long kb = 0;
	int found = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
			found = 1;
			break;
		}
	if (f)
		fclose(f);
	if (found)
		return kb * 1024.0;
	long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	return pages > 0 && page > 0 ? (double)pages * page : 0;
}

/* ---- the random system ----------------------------------------------- */

static uint64_t lu_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Element (i, j): a pure function of the seed and the position (splitmix64
 * at counter (j, i)), so any thread may make any part and get the same. */
static inline double lu_rand(uint64_t key, uint32_t i, uint32_t j)
{
	uint64_t z = lu_mix(key + (((uint64_t)j << 32) | i) * 0x9e3779b97f4a7c15ull);
	return (double)(z >> 11) * 0x1.0p-53 - 0.5;
}

static double lu_src_b(const struct lu_src *s, int i)
{
	return s->b ? s->b[i] : lu_rand(s->key, (uint32_t)i, LU_B_COL);
}

/* Fills our [A | b] (n × (n+1), leading dimension lda) from the source. */
static void lu_fill(const struct lu_src *s, double *a, int lda, int n, int threads)
{
#pragma omp parallel for num_threads(threads) schedule(static)
	for (int j = 0; j <= n; j++) {
		double *col = a + (size_t)j * lda;
		if (j == n) {
			for (int i = 0; i < n; i++)
				col[i] = lu_src_b(s, i);
		} else if (s->a) {
			memcpy(col, s->a + (size_t)j * s->lda, sizeof(double) * n);
		} else {
			for (int i = 0; i < n; i++)
				col[i] = lu_rand(s->key, (uint32_t)i, (uint32_t)j);
		}
	}
}

/* ---- HPL's check ------------------------------------------------------ */

/* max that keeps a NaN once it has seen one */
static double lu_amax(double m, double v)
{
	v = fabs(v);
	return (v > m || isnan(v)) && !isnan(m) ? v : m;
}

/* r = A·x − b and rabs = the row sums of |A|, from the original system. */
static void lu_residual_rows(const struct lu_src *s, int n, const double *x,
			     double *r, double *rabs, int threads)
{
	int nblk = (n + LU_ROW_BLOCK - 1) / LU_ROW_BLOCK;
#pragma omp parallel for num_threads(threads) schedule(static)
	for (int ib = 0; ib < nblk; ib++) {
		int i0 = ib * LU_ROW_BLOCK, i1 = i0 + LU_ROW_BLOCK < n ? i0 + LU_ROW_BLOCK : n;
		for (int i = i0; i < i1; i++) {
			r[i] = -lu_src_b(s, i);
			rabs[i] = 0;
		}
		for (int j = 0; j < n; j++) {
			double xj = x[j];
			if (s->a) {
				const double *col = s->a + (size_t)j * s->lda;
				for (int i = i0; i < i1; i++) {
					r[i] += col[i] * xj;
					rabs[i] += fabs(col[i]);
				}
			} else {
				for (int i = i0; i < i1; i++) {
					double v = lu_rand(s->key, (uint32_t)i, (uint32_t)j);
					r[i] += v * xj;
					rabs[i] += fabs(v);
				}
			}
		}
	}
}

/* Fills the norms and the scaled residual; r and rabs are scratch (n each). */
static void lu_check(const struct lu_src *s, int n, const double *x, double *r,
		     double *rabs, int threads, struct anvil_lu_result *res)
{
	lu_residual_rows(s, n, x, r, rabs, threads);
	double na = 0, nx = 0, nbv = 0, nr = 0;
	for (int i = 0; i < n; i++) {
		na = lu_amax(na, rabs[i]);
		nx = lu_amax(nx, x[i]);
		nbv = lu_amax(nbv, lu_src_b(s, i));
		nr = lu_amax(nr, r[i]);
	}
	res->norm_a = na;
	res->norm_x = nx;
	res->norm_b = nbv;
	res->resid_inf = nr;
	res->residual = anvil_lu_scaled_residual(nr, na, nx, nbv, n);
}

/* First non-finite entry of an m×n matrix, or -1; its row/column in *i, *j. */
static int lu_nonfinite(const double *a, int lda, int m, int n, int *i, int *j)
{
	for (*j = 0; *j < n; (*j)++)
		for (*i = 0; *i < m; (*i)++)
			if (!isfinite(a[*i + (size_t)*j * lda]))
				return 0;
	return -1;
}

static const char *lu_what(double v) { return isnan(v) ? "NaN" : "Inf"; }

/* The verdict, from info, x and the residual. */
static void lu_judge(int n, const double *x, struct anvil_lu_result *r)
{
	int i, j;
	r->passed = 0;
	if (r->info > 0) {
		snprintf(r->why, sizeof(r->why), "matrix is singular (U(k,k)=0 at k=%d)", r->info);
	} else if (lu_nonfinite(x, n, n, 1, &i, &j) == 0) {
		snprintf(r->why, sizeof(r->why),
			 "the solution x has a non-finite entry (%s at row %d)", lu_what(x[i]), i);
	} else if (!(r->residual < ANVIL_LU_THRESHOLD)) {
		snprintf(r->why, sizeof(r->why),
			 "residual %.6g is not below %.0f: ||Ax-b||_oo=%.3g, ||A||_oo=%.3g, "
			 "||x||_oo=%.3g, ||b||_oo=%.3g", r->residual, ANVIL_LU_THRESHOLD,
			 r->resid_inf, r->norm_a, r->norm_x, r->norm_b);
	} else {
		r->passed = 1;
		r->why[0] = '\0';
	}
}

/* ---- the factorizations ----------------------------------------------- */

static int lu_hook_col(const struct anvil_lu_opts *o)
{
#ifdef ANVIL_TEST_HOOKS
	return o->corrupt_at_col;
#else
	(void)o;
	return -1;
#endif
}

/* OpenBLAS's dgetrf; the _work entry skips LAPACKE's NaN scan (an O(n²)
 * pass that would land inside the timed region). The hook spoils U(c,c). */
static int lu_lapack_factor(double *a, int lda, int n, int *ipiv, int threads, int hook)
{
	int saved = openblas_get_num_threads();
	openblas_set_num_threads(threads);
	int info = LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, n, n, a, lda, ipiv);
	openblas_set_num_threads(saved);
	if (hook >= 0 && hook < n)
		a[hook + (size_t)hook * lda] += 1.0e3;
	return info;
}

int anvil_lu_factor(double *a, int lda, int n, int *ipiv, const struct anvil_lu_opts *o)
{
	if (!a || !ipiv || !o || n < 0 || lda < (n > 1 ? n : 1) || o->threads < 1)
		return -1;
	if (o->method == ANVIL_LU_LAPACK)
		return lu_lapack_factor(a, lda, n, ipiv, o->threads, lu_hook_col(o));
	return anvil_lu_blocked_factor(n, n, a, lda, ipiv, o->nb, o->threads, 1,
				       lu_hook_col(o));
}

/*
 * Factors [A | b] and leaves x in column n. LAPACK: dgetrf + dgetrs. Ours:
 * b rides along as column n (so L⁻¹·P·b comes out of the factorization)
 * and only U·x = y is left, as HPL does.
 */
static int lu_factor_solve(double *a, int lda, int n, int *ipiv, const struct anvil_lu_opts *o)
{
	double *b = a + (size_t)n * lda;
	int info;
	if (o->method == ANVIL_LU_LAPACK) {
		info = lu_lapack_factor(a, lda, n, ipiv, o->threads, lu_hook_col(o));
		if (info == 0)
			info = LAPACKE_dgetrs_work(LAPACK_COL_MAJOR, 'N', n, 1, a, lda, ipiv, b, lda);
		return info;
	}
	info = anvil_lu_blocked_factor(n, n + 1, a, lda, ipiv, o->nb, o->threads, 0,
				       lu_hook_col(o));
	if (info == 0)
		cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, n, a, lda, b, 1);
	return info;
}

/* ---- the whole test --------------------------------------------------- */

/* The work matrix, 2 MiB aligned and THP-advised: TLB misses otherwise
 * cost the strided row swaps dearly. */
static double *lu_alloc_matrix(size_t bytes)
{
	void *p = NULL;
	if (posix_memalign(&p, (size_t)2 << 20, bytes) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

static int lu_check_opts(const struct anvil_lu_opts *o, char *err, size_t errlen)
{
	if (o->n < 1 || o->n > 0x7ffffff0)
		snprintf(err, errlen, "N=%d: the order must be between 1 and 2147483632", o->n);
	else if (o->nb < 1)
		snprintf(err, errlen, "NB=%d: the block size must be at least 1", o->nb);
	else if (o->threads < 1)
		snprintf(err, errlen, "threads=%d: need at least 1", o->threads);
	else if (o->method != ANVIL_LU_LAPACK && o->method != ANVIL_LU_BLOCKED)
		snprintf(err, errlen, "unknown LU method %d", (int)o->method);
	else
		return 0;
	return -1;
}

static int lu_check_memory(int n, char *err, size_t errlen)
{
	double need = anvil_lu_bytes(n), avail = anvil_lu_mem_available();
	if (need < (double)SIZE_MAX / 2 && (avail <= 0 || need <= avail))
		return 0;
	snprintf(err, errlen, "N=%d needs %.1f GB, the node has %.1f GB available",
		 n, need / 1e9, avail / 1e9);
	return -1;
}

/* Times the factorization and solve of the filled [A | b], then judges.
 * -1 when the factorization itself could not run (no workspace). */
static int lu_measure(const struct anvil_lu_opts *o, const struct lu_src *src, double *a,
		      int lda, int *ipiv, double *r, double *rabs, struct anvil_lu_result *res)
{
	int n = o->n;
	double t = omp_get_wtime();
	res->info = lu_factor_solve(a, lda, n, ipiv, o);
	res->seconds = omp_get_wtime() - t;
	if (res->info < 0)
		return -1;
	res->gflops = anvil_lu_gflops(n, res->seconds);
	if (res->info == 0)
		lu_check(src, n, a + (size_t)n * lda, r, rabs, o->threads, res);
	lu_judge(n, a + (size_t)n * lda, res);
	return 0;
}

/* Why a caller's system cannot be solved at all; 0 when it can. */
static int lu_src_nonfinite(const struct lu_src *s, int n, struct anvil_lu_result *res)
{
	int i, j;
	if (lu_nonfinite(s->a, s->lda, n, n, &i, &j) == 0)
		snprintf(res->why, sizeof(res->why), "A has a non-finite entry (%s at row %d, column %d)",
			 lu_what(s->a[i + (size_t)j * s->lda]), i, j);
	else if (lu_nonfinite(s->b, n, n, 1, &i, &j) == 0)
		snprintf(res->why, sizeof(res->why), "b has a non-finite entry (%s at row %d)",
			 lu_what(s->b[i]), i);
	else
		return 0;
	return -1;
}

static int lu_run(const struct anvil_lu_opts *o, const struct lu_src *src,
		  struct anvil_lu_result *res, char *err, size_t errlen)
{
	memset(res, 0, sizeof(*res));
	if (lu_check_opts(o, err, errlen) || lu_check_memory(o->n, err, errlen))
		return -1;
	if (src->a && lu_src_nonfinite(src, o->n, res))
		return 0;
	int n = o->n, lda = anvil_lu_lda(n);
	double *a = lu_alloc_matrix(sizeof(double) * lda * ((size_t)n + 1));
	double *r = malloc(sizeof(double) * n), *rabs = malloc(sizeof(double) * n);
	int *ipiv = malloc(sizeof(int) * n);
	int ret = 0;
	if (!a || !r || !rabs || !ipiv) {
		snprintf(err, errlen, "N=%d: cannot allocate %.1f GB", n, anvil_lu_bytes(n) / 1e9);
		ret = -1;
		goto out;
	}
	lu_fill(src, a, lda, n, o->threads);
	if (lu_measure(o, src, a, lda, ipiv, r, rabs, res) < 0) {
		snprintf(err, errlen, "N=%d: the factorization failed (info %d)", n, res->info);
		ret = -1;
	}
out:
	free(a);
	free(r);
	free(rabs);
	free(ipiv);
	return ret;
}

int anvil_lu_solve(const struct anvil_lu_opts *o, struct anvil_lu_result *r,
		   char *err, size_t errlen)
{
	struct lu_src src = { .key = lu_mix(o->seed ^ 0x616e76696c4c55ull) };
	return lu_run(o, &src, r, err, errlen);
}

int anvil_lu_solve_matrix(const struct anvil_lu_opts *o, const double *a, int lda,
			  const double *b, struct anvil_lu_result *r,
			  char *err, size_t errlen)
{
	if (!a || !b || lda < o->n) {
		memset(r, 0, sizeof(*r));
		snprintf(err, errlen, "no matrix, or lda=%d below N=%d", lda, o->n);
		return -1;
	}
	struct lu_src src = { .a = a, .b = b, .lda = lda };
	return lu_run(o, &src, r, err, errlen);
}
