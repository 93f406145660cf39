/*
 * hpl-cluster: HPL's test over all ranks: the system distributed
 * block-cyclically over a P×Q process grid and solved with ScaLAPACK
 * (pdgetrf + pdgetrs); HPL's formula and scaled residual, judged against
 * the cluster's Rpeak (the sum of its nodes' peaks).
 */
#include "runners/runner.h"
#ifdef ANVIL_HAVE_SCALAPACK
#include "kernels/lu.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ScaLAPACK and BLACS (Fortran and C interfaces of libscalapack-openmpi). */
int Csys2blacs_handle(MPI_Comm comm);
void Cfree_blacs_system_handle(int handle);
void Cblacs_gridinit(int *ctxt, const char *order, int nprow, int npcol);
void Cblacs_gridinfo(int ctxt, int *nprow, int *npcol, int *myrow, int *mycol);
void Cblacs_gridexit(int ctxt);
int numroc_(const int *n, const int *nb, const int *iproc, const int *isrc, const int *nprocs);
void descinit_(int *desc, const int *m, const int *n, const int *mb, const int *nb, const int *irsrc,
	       const int *icsrc, const int *ictxt, const int *lld, int *info);
void pdgetrf_(const int *m, const int *n, double *a, const int *ia, const int *ja, const int *desca,
	      int *ipiv, int *info);
void pdgetrs_(const char *trans, const int *n, const int *nrhs, const double *a, const int *ia,
	      const int *ja, const int *desca, const int *ipiv, double *b, const int *ib, const int *jb,
	      const int *descb, int *info);
void pdgemv_(const char *trans, const int *m, const int *n, const double *alpha, const double *a,
	     const int *ia, const int *ja, const int *desca, const double *x, const int *ix,
	     const int *jx, const int *descx, const int *incx, const double *beta, double *y,
	     const int *iy, const int *jy, const int *descy, const int *incy);
void openblas_set_num_threads(int);
double pdlange_(const char *norm, const int *m, const int *n, const double *a, const int *ia,
		const int *ja, const int *desca, double *work);

static const struct anvil_param cluster_params[] = {
	{ "n", ANVIL_P_INT, "0", "order of the system (0: from mem_fraction)" },
	{ "mem_fraction", ANVIL_P_DOUBLE, "0.5", "fraction of every rank's share of node memory when n is 0" },
	/* measured at N=8000 on 2 ranks (1 x 2): NB 112-160 gave 75-81 GFLOP/s,
	 * NB 192 65-72 (hpcc's HPL is at its best at 192 there) */
	{ "nb", ANVIL_P_INT, "128", "block size of the block-cyclic distribution" },
	{ "p", ANVIL_P_INT, "0", "process grid rows (0: near-square, P <= Q)" },
	{ "q", ANVIL_P_INT, "0", "process grid columns (0: nprocs / P)" },
	{ "seed", ANVIL_P_INT, "1", "seed of the random system" },
	{ "corrupt", ANVIL_P_BOOL, "false", "TEST HOOK (test builds only): spoil one element of the factors" },
	{ NULL, 0, NULL, NULL },
};

/* A(i, j) in [-0.5, 0.5) from (seed, i, j) alone, so every rank makes its own
 * blocks and the residual sees the original matrix again (b is column n). */
static double element(uint64_t seed, int64_t i, int64_t j, int64_t n)
{
	uint64_t z = seed * 0x9E3779B97F4A7C15ULL + (uint64_t)(j * n + i) + 1;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return (double)(z >> 11) * 0x1.0p-53 - 0.5;
}

/* Global index of local index l in a block-cyclic dimension. */
static int64_t global_of(int l, int nb, int me, int nprocs)
{
	return (int64_t)(l / nb) * nprocs * nb + (int64_t)me * nb + l % nb;
}

static void fill_local(double *a, int lld, int rows, int cols, int nb, const int grid[4],
		       uint64_t seed, int n, int col_offset)
{
	for (int lj = 0; lj < cols; lj++) {
		int64_t gj = col_offset >= 0 ? col_offset : global_of(lj, nb, grid[3], grid[1]);
		for (int li = 0; li < rows; li++)
			a[(size_t)lj * (size_t)lld + (size_t)li] =
				element(seed, global_of(li, nb, grid[2], grid[0]), gj, n);
	}
}

static void near_square(int nprocs, int *p, int *q)
{
	*p = 1;
	for (int d = 1; (long)d * d <= nprocs; d++)
		if (nprocs % d == 0)
			*p = d;
	*q = nprocs / *p;
}

struct hpl_dist {
	int n, nb, ctxt, blacs, grid[4];  /* grid: nprow, npcol, myrow, mycol */
	int mloc, nloc, bloc, lld;
	int desca[9], descb[9];
	double *a, *b, *x, *work;
	int *ipiv;
};

static void dist_release(struct hpl_dist *d)
{
	free(d->a);
	free(d->b);
	free(d->x);
	free(d->work);
	free(d->ipiv);
	if (d->ctxt >= 0)
		Cblacs_gridexit(d->ctxt);
	if (d->blacs >= 0)
		Cfree_blacs_system_handle(d->blacs);
}

/* The order: given, or the largest multiple of nb whose share fits every rank. */
static int pick_order(struct anvil_ctx *ctx, int nb, int nprocs)
{
	long long n = anvil_param_int(ctx, "n");
	if (n)
		return n > 0 && n < 2000000000LL ? (int)n : -1;
	double share = anvil_lu_mem_available() / anvil_ctx_local_size(ctx), least;
	MPI_Allreduce(&share, &least, 1, MPI_DOUBLE, MPI_MIN, anvil_ctx_comm(ctx));
	double frac = anvil_param_double(ctx, "mem_fraction");
	if (!(frac > 0 && frac < 0.95) || least <= 0)
		return -1;
	double order = sqrt(frac * least * nprocs / 8.0 / 1.05);  /* A plus a little for b, x, pivots */
	return (int)(order / nb) * nb;
}

static int dist_setup(struct anvil_ctx *ctx, struct hpl_dist *d, int p, int q, char *err, size_t len)
{
	int zero = 0, info;
	d->ctxt = d->blacs = -1;
	d->blacs = Csys2blacs_handle(anvil_ctx_comm(ctx));
	d->ctxt = d->blacs;
	Cblacs_gridinit(&d->ctxt, "Row", p, q);
	Cblacs_gridinfo(d->ctxt, &d->grid[0], &d->grid[1], &d->grid[2], &d->grid[3]);
	d->mloc = numroc_(&d->n, &d->nb, &d->grid[2], &zero, &d->grid[0]);
	d->nloc = numroc_(&d->n, &d->nb, &d->grid[3], &zero, &d->grid[1]);
	int one = 1;
	d->bloc = numroc_(&one, &d->nb, &d->grid[3], &zero, &d->grid[1]);
	d->lld = d->mloc > 1 ? d->mloc : 1;
	double bytes = 8.0 * d->lld * (double)d->nloc, avail = anvil_lu_mem_available() / anvil_ctx_local_size(ctx);
	int fits = avail <= 0 || bytes < 0.95 * avail, all;
	MPI_Allreduce(&fits, &all, 1, MPI_INT, MPI_MIN, anvil_ctx_comm(ctx));
	if (!all) {
		snprintf(err, len, "N=%d needs %.1f GB per rank (%.1f GB in all); some rank has only %.1f GB available",
			 d->n, bytes / 1e9, 8.0 * d->n * (double)d->n / 1e9, avail / 1e9);
		return -1;
	}
	descinit_(d->desca, &d->n, &d->n, &d->nb, &d->nb, &zero, &zero, &d->ctxt, &d->lld, &info);
	descinit_(d->descb, &d->n, &one, &d->nb, &d->nb, &zero, &zero, &d->ctxt, &d->lld, &info);
	d->a = malloc((size_t)d->lld * (size_t)(d->nloc ? d->nloc : 1) * sizeof(double));
	d->b = malloc((size_t)d->lld * sizeof(double));
	d->x = malloc((size_t)d->lld * sizeof(double));
	d->work = malloc((size_t)(d->mloc + d->nloc + 2 * d->nb + 16) * sizeof(double));
	d->ipiv = malloc((size_t)(d->mloc + d->nb) * sizeof(int));
	int ok = d->a && d->b && d->x && d->work && d->ipiv;
	MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, anvil_ctx_comm(ctx));
	if (!all)
		snprintf(err, len, "cannot allocate the local part of N=%d on some rank", d->n);
	return all ? 0 : -1;
}

static void generate(struct hpl_dist *d, uint64_t seed)
{
	fill_local(d->a, d->lld, d->mloc, d->nloc, d->nb, d->grid, seed, d->n, -1);
	if (d->bloc)
		fill_local(d->b, d->lld, d->mloc, 1, d->nb, d->grid, seed, d->n, d->n);
}

/* HPL's residual with the original A and b regenerated into a and b. */
static double residual(struct hpl_dist *d, uint64_t seed, double norms[4])
{
	int one = 1;
	double minus = -1.0, plus = 1.0;
	generate(d, seed);
	norms[0] = pdlange_("I", &d->n, &d->n, d->a, &one, &one, d->desca, d->work);
	norms[1] = pdlange_("I", &d->n, &one, d->x, &one, &one, d->descb, d->work);
	norms[2] = pdlange_("I", &d->n, &one, d->b, &one, &one, d->descb, d->work);
	pdgemv_("N", &d->n, &d->n, &minus, d->a, &one, &one, d->desca, d->x, &one, &one, d->descb, &one,
		&plus, d->b, &one, &one, d->descb, &one);
	norms[3] = pdlange_("I", &d->n, &one, d->b, &one, &one, d->descb, d->work);
	return anvil_lu_scaled_residual(norms[3], norms[0], norms[1], norms[2], d->n);
}

static enum anvil_status cluster_run(struct anvil_ctx *ctx)
{
	MPI_Comm comm = anvil_ctx_comm(ctx);
	int nprocs = anvil_ctx_size(ctx), p = (int)anvil_param_int(ctx, "p"), q = (int)anvil_param_int(ctx, "q");
	struct hpl_dist d;
	char err[300];
	memset(&d, 0, sizeof(d));
	d.nb = (int)anvil_param_int(ctx, "nb");
	if (!p && !q)
		near_square(nprocs, &p, &q);
	else if (p && !q)
		q = nprocs / p;
	if (p < 1 || q < 1 || p * q != nprocs || d.nb < 1)
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "grid %d x %d does not use the %d ranks (or nb %d < 1)", p, q, nprocs, d.nb);
	d.n = pick_order(ctx, d.nb, nprocs);
	if (d.n < 1)
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "no usable order: n %lld, mem_fraction %g",
				      anvil_param_int(ctx, "n"), anvil_param_double(ctx, "mem_fraction"));
	uint64_t seed = (uint64_t)anvil_param_int(ctx, "seed");
	if (dist_setup(ctx, &d, p, q, err, sizeof(err))) {
		dist_release(&d);
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "%s", err);
	}
	/* one BLAS thread per rank's share of the cores: more would oversubscribe */
	openblas_set_num_threads(anvil_ctx_threads(ctx));
	generate(&d, seed);
	memcpy(d.x, d.b, (size_t)d.lld * sizeof(double));
	int one = 1, info = 0, info2 = 0;
	MPI_Barrier(comm);
	double t0 = MPI_Wtime();
	pdgetrf_(&d.n, &d.n, d.a, &one, &one, d.desca, d.ipiv, &info);
#ifdef ANVIL_TEST_HOOKS
	if (anvil_param_bool(ctx, "corrupt") && anvil_ctx_rank(ctx) == 0 && d.mloc && d.nloc)
		d.a[(size_t)(d.nloc - 1) * (size_t)d.lld + (size_t)(d.mloc - 1)] += 1e3;
#endif
	pdgetrs_("N", &d.n, &one, d.a, &one, &one, d.desca, d.ipiv, d.x, &one, &one, d.descb, &info2);
	MPI_Barrier(comm);
	double t = MPI_Wtime() - t0, norms[4];
	double resid = residual(&d, seed, norms);
	if (anvil_ctx_rank(ctx) == 0) {
		int ok = info == 0 && isfinite(resid) && resid < ANVIL_LU_THRESHOLD;
		char why[300];
		if (info > 0)
			snprintf(why, sizeof(why), "wrong answer: the matrix is singular (U(%d,%d) = 0)", info, info);
		else
			snprintf(why, sizeof(why), "%sHPL residual %.4g %s %.0f (N=%d, %d x %d grid)",
				 ok ? "" : "wrong answer: ", resid, ok ? "<" : ">=", ANVIL_LU_THRESHOLD, d.n, p, q);
		anvil_emit_metric(ctx, "gflops", anvil_lu_gflops(d.n, t), "GFLOP/s", ANVIL_HIGHER);
		anvil_emit_check(ctx, "residual", ok, resid, ANVIL_LU_THRESHOLD, why);
		cJSON *inf = cJSON_CreateObject();
		cJSON_AddNumberToObject(inf, "n", d.n);
		cJSON_AddNumberToObject(inf, "nb", d.nb);
		cJSON_AddNumberToObject(inf, "p", p);
		cJSON_AddNumberToObject(inf, "q", q);
		cJSON_AddNumberToObject(inf, "seconds", t);
		anvil_emit_info(ctx, inf);
	}
	dist_release(&d);
	return info < 0 || info2 < 0 ? anvil_ctx_fail(ctx, ANVIL_ERROR, "ScaLAPACK rejected an argument (info %d, %d)", info, info2) : ANVIL_OK;
}

const struct anvil_runner anvil_runner_hpl_cluster = {
	.name = "hpl-cluster",
	.summary = "HPL-style LU over all ranks with ScaLAPACK on a P x Q grid; HPL's formula and residual",
	.needs = ANVIL_NEEDS_2RANKS,
	.scope = ANVIL_SCOPE_ALL,
	.params = cluster_params,
	.run = cluster_run,
};
#else
const struct anvil_runner anvil_runner_hpl_cluster = {
	.name = "hpl-cluster",
	.summary = "HPL-style LU over all ranks with ScaLAPACK on a P x Q grid; HPL's formula and residual",
	.scope = ANVIL_SCOPE_ALL,
	.not_built = "ScaLAPACK (scalapack-openmpi) was not found at configure time",
};
#endif
