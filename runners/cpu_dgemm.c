/* cpu-dgemm: OpenBLAS DGEMM on all cores of each node, every node at once. */
#include "runners/runner.h"
#include "kernels/dgemm.h"
#include <stdio.h>
#include <unistd.h>

static const struct anvil_param dgemm_params[] = {
	{ "n", ANVIL_P_INT, "0", "matrix order (0: from mem_fraction)" },
	{ "mem_fraction", ANVIL_P_DOUBLE, "0.05", "fraction of node memory for A, B, C when n is 0" },
	{ "reps", ANVIL_P_INT, "3", "timed calls after one warm-up call (1..1000); gflops is the best, with every call's rate as samples" },
	{ NULL, 0, NULL, NULL },
};

static enum anvil_status dgemm_run(struct anvil_ctx *ctx)
{
	long long n = anvil_param_int(ctx, "n");
	double frac = anvil_param_double(ctx, "mem_fraction");
	int reps = (int)anvil_param_int(ctx, "reps");
	if (n == 0) {
		double mem = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
		if (!(frac > 0 && frac < 0.9))
			return anvil_ctx_fail(ctx, ANVIL_ERROR, "mem_fraction %g is outside (0, 0.9)", frac);
		n = anvil_dgemm_n_for_bytes(mem * frac);
	}
	if (n < 1 || n > 1000000 || reps < 1 || reps > ANVIL_DGEMM_MAX_REPS)
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "bad parameters: n %lld, reps %d (need 1 <= n <= 1000000, 1 <= reps <= %d)",
				      n, reps, ANVIL_DGEMM_MAX_REPS);
	struct anvil_dgemm_result r;
	char err[256];
	if (anvil_dgemm_bench((int)n, anvil_ctx_threads(ctx), reps, &r, err, sizeof(err)))
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "%s", err);
	/* the best rep, as hpcc reports it; every rep's rate lets a baseline
	 * comparison tell a slower node from a noisy one */
	anvil_emit_metric_samples(ctx, "gflops", r.rep_gflops, r.reps, "GFLOP/s", ANVIL_HIGHER, ANVIL_STAT_BEST);
	anvil_emit_metric(ctx, "gflops_mean", r.mean_gflops, "GFLOP/s", ANVIL_HIGHER);
	char why[200];
	snprintf(why, sizeof(why), "sampled entries of C differ from a long-double recomputation by up to %.3g (relative); tolerance %.0e",
		 r.max_rel_err, ANVIL_DGEMM_TOL);
	anvil_emit_check(ctx, "correct", r.valid, r.max_rel_err, ANVIL_DGEMM_TOL, why);
	cJSON *info = cJSON_CreateObject();
	cJSON_AddNumberToObject(info, "n", (double)n);
	cJSON_AddNumberToObject(info, "threads", anvil_ctx_threads(ctx));
	cJSON_AddNumberToObject(info, "reps", r.reps);
	anvil_emit_info(ctx, info);
	return ANVIL_OK;
}

const struct anvil_runner anvil_runner_cpu_dgemm = {
	.name = "cpu-dgemm",
	.summary = "OpenBLAS DGEMM on all cores of every node at once, GFLOP/s = 2n^3/t, checked",
	.scope = ANVIL_SCOPE_PER_NODE,
	.params = dgemm_params,
	.run = dgemm_run,
};
