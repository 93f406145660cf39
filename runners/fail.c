/* The fail runner: fails on purpose, in the way asked, so tests can prove
 * that failures reach the journal, the report and the exit code. */
#include "runners/runner.h"
#include <string.h>

static const struct anvil_param fail_params[] = {
	{ "mode", ANVIL_P_STRING, "\"check\"",
	  "check: an acceptance check fails; error: a harness error; skip: skips" },
	{ "rank", ANVIL_P_INT, "-1", "only this rank of the job fails (-1: every rank)" },
	{ NULL, 0, NULL, NULL },
};

static enum anvil_status fail_run(struct anvil_ctx *ctx)
{
	long long only = anvil_param_int(ctx, "rank");
	const char *mode = anvil_param_str(ctx, "mode");
	if (only >= 0 && only != anvil_ctx_world_rank(ctx)) {
		anvil_emit_check(ctx, "planted", 1, 0, 0, NULL);
		return ANVIL_OK;
	}
	if (strcmp(mode, "error") == 0)
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "planted harness error (fail runner)");
	if (strcmp(mode, "skip") == 0)
		return anvil_ctx_fail(ctx, ANVIL_SKIP, "planted skip (fail runner)");
	anvil_emit_check(ctx, "planted", 0, 1, 0, "planted acceptance failure (fail runner)");
	return ANVIL_OK;
}

const struct anvil_runner anvil_runner_fail = {
	.name = "fail",
	.summary = "fails on purpose: a check, a harness error or a skip (tests anvil itself)",
	.needs = ANVIL_TEST_ONLY,
	.scope = ANVIL_SCOPE_PER_RANK,
	.params = fail_params,
	.run = fail_run,
};
