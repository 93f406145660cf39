/*
 * hpl: HPL's test on every node at once: solve a random A·x = b of order N
 * by LU with partial pivoting on all cores, GFLOP/s = (2/3·N³ + 3/2·N²)/t,
 * and HPL's scaled residual, which must be below 16 — above it the node
 * computed a wrong answer (bad memory, bad CPU): an acceptance failure.
 */
#include "runners/runner.h"
#include "kernels/lu.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct anvil_param hpl_params[] = {
	{ "n", ANVIL_P_INT, "0", "order of the system (0: from mem_fraction)" },
	{ "mem_fraction", ANVIL_P_DOUBLE, "0.8", "fraction of the node's memory for the system when n is 0" },
	{ "nb", ANVIL_P_INT, "192", "block size" },
	{ "method", ANVIL_P_STRING, "\"blocked\"", "blocked (anvil's LU, the faster here) or lapack (LAPACKE_dgetrf)" },
	{ "seed", ANVIL_P_INT, "1", "seed of the random system" },
	{ "corrupt_at_col", ANVIL_P_INT, "-1",
	  "TEST HOOK (test builds only): spoil one element once this column's panel is factored" },
	{ NULL, 0, NULL, NULL },
};

static int hpl_order(const struct anvil_ctx *ctx, int nb, char *err, size_t len)
{
	long long n = anvil_param_int(ctx, "n");
	if (n)
		return n > 0 && n <= 2000000000LL ? (int)n : (snprintf(err, len, "n %lld is out of range", n), -1);
	double frac = anvil_param_double(ctx, "mem_fraction");
	double mem = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
	if (!(frac > 0 && frac < 0.95)) {
		snprintf(err, len, "mem_fraction %g is outside (0, 0.95)", frac);
		return -1;
	}
	/* a fraction of the node, but never more than is free now (page cache aside) */
	double bytes = mem * frac, avail = anvil_lu_mem_available();
	if (avail > 0 && bytes > 0.95 * avail)
		bytes = 0.95 * avail;
	int order = anvil_lu_n_for_bytes(bytes, nb);
	if (order <= 0)
		snprintf(err, len, "no order fits in %.0f bytes with nb %d", bytes, nb);
	return order > 0 ? order : -1;
}

static enum anvil_status hpl_run(struct anvil_ctx *ctx)
{
	struct anvil_lu_opts o;
	char err[256];
	int nb = (int)anvil_param_int(ctx, "nb");
	if (nb < 1 || nb > 4096)
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "nb %d is out of range 1..4096", nb);
	int n = hpl_order(ctx, nb, err, sizeof(err));
	if (n < 0)
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "%s", err);
	anvil_lu_opts_init(&o, n);
	o.nb = nb;
	o.threads = anvil_ctx_threads(ctx);
	o.seed = (unsigned long)anvil_param_int(ctx, "seed");
	o.corrupt_at_col = (int)anvil_param_int(ctx, "corrupt_at_col");
	const char *method = anvil_param_str(ctx, "method");
	if (!strcmp(method, "lapack"))
		o.method = ANVIL_LU_LAPACK;
	else if (!strcmp(method, "blocked"))
		o.method = ANVIL_LU_BLOCKED;
	else
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "method \"%s\" is neither blocked nor lapack", method);
	struct anvil_lu_result r;
	if (anvil_lu_solve(&o, &r, err, sizeof(err)))
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "%s", err);
	anvil_emit_metric(ctx, "gflops", r.gflops, "GFLOP/s", ANVIL_HIGHER);
	char why[400];
	if (r.passed)
		snprintf(why, sizeof(why), "HPL residual %.4g < %.0f (N=%d)", r.residual, ANVIL_LU_THRESHOLD, n);
	else
		snprintf(why, sizeof(why), "wrong answer: %s (HPL residual %.4g, limit %.0f, N=%d)",
			 r.why[0] ? r.why : "residual too large", r.residual, ANVIL_LU_THRESHOLD, n);
	anvil_emit_check(ctx, "residual", r.passed, r.residual, ANVIL_LU_THRESHOLD, why);
	cJSON *info = cJSON_CreateObject();
	cJSON_AddNumberToObject(info, "n", n);
	cJSON_AddNumberToObject(info, "nb", nb);
	cJSON_AddStringToObject(info, "method", method);
	cJSON_AddNumberToObject(info, "threads", o.threads);
	cJSON_AddNumberToObject(info, "seconds", r.seconds);
	cJSON_AddNumberToObject(info, "norm_a", r.norm_a);
	cJSON_AddNumberToObject(info, "norm_x", r.norm_x);
	cJSON_AddNumberToObject(info, "resid_inf", r.resid_inf);
	anvil_emit_info(ctx, info);
	return ANVIL_OK;
}

const struct anvil_runner anvil_runner_hpl = {
	.name = "hpl",
	.summary = "HPL-style LU solve on every node at once: GFLOP/s by HPL's formula, HPL residual < 16",
	.scope = ANVIL_SCOPE_PER_NODE,
	.params = hpl_params,
	.run = hpl_run,
};
