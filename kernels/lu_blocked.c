/*
 * anvil's own LU (ANVIL_LU_BLOCKED): right-looking, blocked, column-major,
 * with a look-ahead of one panel, as HPL does on one process.
 *
 * Step k, with panel k (columns k .. k+jb) already factored:
 *   - thread 0 first brings the NEXT panel's columns up to date (row
 *     swaps, U12 = L11⁻¹·A12, DGEMM), factors that panel, then joins in;
 *   - all other threads meanwhile update the rest of the trailing matrix,
 *     in column pieces they take from a shared queue (lu_grab).
 * So the panel factorization, a slow memory-bound step, hides behind the
 * big DGEMM instead of standing between two of them.
 *
 * Every BLAS call runs single-threaded in the OpenMP thread that makes it
 * (openblas_set_num_threads(1) for the duration): the threads are ours.
 * The panel is factored recursively (split the columns in two, as LAPACK's
 * dgetrf2), with idamax pivoting at the leaves.
 *
 * U12 = L11⁻¹·A12 is applied as a DTRMM with L11 inverted once per panel
 * (DTRTRI on jb×jb), not as a DTRSM: OpenBLAS 0.3.21 runs DTRSM of this
 * shape (192 × w) at 12-16 GFLOP/s a core, DTRMM at 30-40, which is 2-3%
 * of the whole run at N=8000. L11 is unit lower with multipliers <= 1 in
 * magnitude (partial pivoting), so its inverse stays well scaled; the
 * residual check would show it otherwise.
 */
#include "kernels/lu.h"
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <omp.h>
#include <cblas.h>
#include <lapacke.h>

#define LU_MAX_THREADS 256
/* A piece is this share of the caller's fair part of what is left: the
 * rest is handed out in smaller pieces at the end to even out the finish. */
#define LU_SHARE 0.95
/* Each piece repacks the whole L21 panel inside DGEMM, so pieces narrower
 * than this cost more in packing than they gain in balance. */
#define LU_MIN_PIECE 64

/* The factorization in progress; shared by all threads of the region. */
struct lu_blk {
	double *a;
	int lda, n, ncols, nb;
	int *ipiv;               /* 0-based while we work; 1-based on return */
	int info;                /* first zero pivot, 1-based; written by thread 0 only */
	int corrupt_at_col;
	/* L11⁻¹ of the current panel and of the look-ahead one (jb×jb, ld nb),
	 * by the panel's index parity; owned by anvil_lu_blocked_factor */
	double *linv[2];
	/* the queue of trailing columns of the current step, under lu_grab's lock */
	int lo, hi, m;
	double sec_per_elem;     /* measured update cost per row × column */
	double panel_sec_per_row;
	double busy_until[LU_MAX_THREADS];  /* each thread's expected finish */
};

static int lu_min(int a, int b) { return a < b ? a : b; }

/* Applies the row swaps piv[k1 .. k2) (0-based rows of a) to ncols columns. */
static void lu_swap(int ncols, double *a, int lda, int k1, int k2, const int *piv)
{
	for (int j = 0; j < ncols; j++) {
		double *col = a + (size_t)j * lda;
		for (int i = k1; i < k2; i++) {
			int p = piv[i];
			if (p != i) {
				double t = col[i];
				col[i] = col[p];
				col[p] = t;
			}
		}
	}
}

/* One column: pivot, swap, scale. Zero pivot: report it, leave the column. */
static int lu_leaf(int m, double *a, int *piv)
{
	int p = (int)cblas_idamax(m, a, 1);
	if (p < 0 || p >= m)     /* NaNs: OpenBLAS still answers in range, but be sure */
		p = 0;
	piv[0] = p;
	double v = a[p];
	a[p] = a[0];
	a[0] = v;
	if (v == 0.0)     /* the whole column is zero: nothing to scale */
		return 1;
	if (fabs(v) >= DBL_MIN) {
		cblas_dscal(m - 1, 1.0 / v, a + 1, 1);
	} else {
		for (int i = 1; i < m; i++)
			a[i] /= v;
	}
	return 0;
}

/*
 * Factors the m×n panel a (m >= n) in place; piv gets 0-based rows relative
 * to a's first row. Returns the first zero pivot's column (1-based) or 0.
 */
static int lu_panel(int m, int n, double *a, int lda, int *piv)
{
	if (n == 1)
		return lu_leaf(m, a, piv);
	int n1 = n / 2, n2 = n - n1;
	double *a12 = a + (size_t)n1 * lda, *a21 = a + n1, *a22 = a12 + n1;
	int info = lu_panel(m, n1, a, lda, piv);
	lu_swap(n2, a12, lda, 0, n1, piv);
	cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasUnit,
		    n1, n2, 1.0, a, lda, a12, lda);
	cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, m - n1, n2, n1,
		    -1.0, a21, lda, a12, lda, 1.0, a22, lda);
	int info2 = lu_panel(m - n1, n2, a22, lda, piv + n1);
	if (info == 0 && info2 != 0)
		info = info2 + n1;
	for (int i = n1; i < n; i++)
		piv[i] += n1;
	lu_swap(n1, a, lda, n1, n, piv);
	return info;
}

static double *lu_linv(const struct lu_blk *s, int k) { return s->linv[(k / s->nb) & 1]; }

/* Inverts the unit lower L11 of the panel at column k into its buffer. */
static void lu_invert_l11(struct lu_blk *s, int k, int jb)
{
	double *li = lu_linv(s, k);
	const double *l = s->a + k + (size_t)k * s->lda;
	for (int j = 0; j < jb; j++)
		for (int i = 0; i < jb; i++)
			li[i + (size_t)j * s->nb] = i > j ? l[i + (size_t)j * s->lda] : (i == j);
	LAPACKE_dtrtri_work(LAPACK_COL_MAJOR, 'L', 'U', jb, li, s->nb);
}

/* Factors the panel at column k (jb wide, rows k .. n) and times it. */
static void lu_panel_at(struct lu_blk *s, int k, int jb)
{
	int m = s->n - k;
	double t = omp_get_wtime();
	int info = lu_panel(m, jb, s->a + k + (size_t)k * s->lda, s->lda, s->ipiv + k);
	for (int i = k; i < k + jb; i++)
		s->ipiv[i] += k;
	if (info != 0 && s->info == 0)
		s->info = k + info;
	lu_invert_l11(s, k, jb);
	s->panel_sec_per_row = (omp_get_wtime() - t) / m;
}

/* Brings columns j0 .. j0+w up to date with panel k (jb wide). */
static void lu_update(const struct lu_blk *s, int k, int jb, int j0, int w)
{
	int lda = s->lda, m = s->n - k - jb;
	double *akk = s->a + k + (size_t)k * lda, *top = s->a + k + (size_t)j0 * lda;
	lu_swap(w, s->a + (size_t)j0 * lda, lda, k, k + jb, s->ipiv);
	cblas_dtrmm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasUnit,
		    jb, w, 1.0, lu_linv(s, k), s->nb, top, lda);
	if (m > 0)
		cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, m, w, jb, -1.0,
			    akk + jb, lda, top, lda, 1.0, top + jb, lda);
}

/*
 * Hands thread `me` its next piece of the trailing columns: its fair share
 * of what is left, counting what the others still have in hand (estimated
 * from the measured rates), so that all finish together. Returns the width
 * (0: nothing left) and the first column in *j0.
 */
static int lu_grab(struct lu_blk *s, int me, int nt, int *j0)
{
	int w = 0;
#pragma omp critical(anvil_lu_grab)
	{
		double now = omp_get_wtime();
		double col_sec = s->sec_per_elem * s->m;
		int rem = s->hi - s->lo;
		if (rem > 0) {
			double backlog = rem;
			for (int t = 0; t < nt && col_sec > 0; t++)
				if (t != me && s->busy_until[t] > now)
					backlog += (s->busy_until[t] - now) / col_sec;
			w = (int)(LU_SHARE * backlog / nt) / 8 * 8;
			if (w < LU_MIN_PIECE)
				w = LU_MIN_PIECE;
			if (w > rem - LU_MIN_PIECE / 2 || col_sec <= 0)
				w = rem;
			*j0 = s->lo;
			s->lo += w;
			s->busy_until[me] = now + w * col_sec;
		}
	}
	return w;
}

/* Records how long a piece took, for the next grabs' estimates. */
static void lu_rate(struct lu_blk *s, int w, double secs)
{
	if (s->m <= 0)
		return;
#pragma omp critical(anvil_lu_grab)
	s->sec_per_elem = 0.5 * s->sec_per_elem + 0.5 * secs / ((double)s->m * w);
}

#ifdef ANVIL_TEST_HOOKS
/* Spoils one element once the panel holding `col` is factored: the first
 * trailing diagonal element (not yet updated, so no thread races us), or
 * U(col,col) when that panel is the last. */
static void lu_hook(struct lu_blk *s, int k, int jb)
{
	int c = s->corrupt_at_col;
	if (c < k || c >= k + jb)
		return;
	int e = k + jb < s->n ? k + jb : c;
	s->a[e + (size_t)e * s->lda] += 1.0e3;
}
#else
static void lu_hook(struct lu_blk *s, int k, int jb) { (void)s; (void)k; (void)jb; }
#endif

/* Step k's queue: the trailing columns right of the look-ahead panel. */
static void lu_step_init(struct lu_blk *s, int k, int jb, int jb2, int nt)
{
	int c0 = k + jb;
	s->lo = c0 + jb2;
	s->hi = s->ncols;
	s->m = s->n - c0;
	double now = omp_get_wtime();
	for (int t = 0; t < nt; t++)
		s->busy_until[t] = 0;
	if (jb2 > 0)
		s->busy_until[0] = now + s->sec_per_elem * s->m * jb2 +
				   s->panel_sec_per_row * s->m;
}

/* The step loop, run by every thread of the region. */
static void lu_loop(struct lu_blk *s)
{
	int me = omp_get_thread_num(), nt = omp_get_num_threads();
	for (int k = 0; k < s->n; k += s->nb) {
		int jb = lu_min(s->nb, s->n - k), c0 = k + jb;
		int jb2 = c0 < s->n ? lu_min(s->nb, s->n - c0) : 0;
		if (me == 0) {
			lu_hook(s, k, jb);
			lu_step_init(s, k, jb, jb2, nt);
		}
#pragma omp barrier
		if (c0 >= s->ncols)
			break;
		if (me == 0 && jb2 > 0) {
			lu_update(s, k, jb, c0, jb2);
			lu_panel_at(s, c0, jb2);
		}
		int j0, w;
		while ((w = lu_grab(s, me, nt, &j0)) > 0) {
			double t = omp_get_wtime();
			lu_update(s, k, jb, j0, w);
			lu_rate(s, w, omp_get_wtime() - t);
		}
#pragma omp barrier
	}
}

/* LAPACK's layout wants every panel's later swaps applied to its L columns. */
static void lu_left_swaps(struct lu_blk *s, int threads)
{
	int npanels = (s->n + s->nb - 1) / s->nb;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
	for (int p = 0; p < npanels; p++) {
		int k = p * s->nb, jb = lu_min(s->nb, s->n - k);
		lu_swap(jb, s->a + (size_t)k * s->lda, s->lda, k + jb, s->n, s->ipiv);
	}
}

int anvil_lu_blocked_factor(int n, int ncols, double *a, int lda, int *ipiv, int nb,
			    int threads, int left_swaps, int corrupt_at_col)
{
	if (n < 0 || ncols < n || lda < (n > 1 ? n : 1) || nb < 1 || threads < 1 || !a || !ipiv)
		return -1;
	if (n == 0)
		return 0;
	if (threads > LU_MAX_THREADS)
		threads = LU_MAX_THREADS;
	struct lu_blk s = {
		.a = a, .lda = lda, .n = n, .ncols = ncols, .nb = lu_min(nb, n), .ipiv = ipiv,
		.corrupt_at_col = corrupt_at_col,
		.sec_per_elem = 2.0 * nb / 30e9,   /* a first guess: 30 GFLOP/s a thread */
	};
	s.linv[0] = malloc(sizeof(double) * 2 * s.nb * s.nb);
	if (!s.linv[0])
		return -1;
	s.linv[1] = s.linv[0] + (size_t)s.nb * s.nb;
	int saved = openblas_get_num_threads();
	openblas_set_num_threads(1);
	lu_panel_at(&s, 0, s.nb);
#pragma omp parallel num_threads(threads)
	lu_loop(&s);
	if (left_swaps)
		lu_left_swaps(&s, threads);
	openblas_set_num_threads(saved);
	free(s.linv[0]);
	for (int i = 0; i < n; i++)
		ipiv[i] += 1;
	return s.info;
}
