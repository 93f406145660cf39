/* The null runner: measures nothing real, emits a known figure. For testing
 * the driver, journal and reports with no hardware (as fio's null engine). */
#include "runners/runner.h"

static const struct anvil_param null_params[] = {
	{ "value", ANVIL_P_DOUBLE, "1.0", "the figure to emit" },
	{ "unit", ANVIL_P_STRING, "\"units\"", "its unit" },
	{ NULL, 0, NULL, NULL },
};

static enum anvil_status null_run(struct anvil_ctx *ctx)
{
	anvil_emit_metric(ctx, "value", anvil_param_double(ctx, "value"),
			  anvil_param_str(ctx, "unit"), ANVIL_HIGHER);
	return ANVIL_OK;
}

const struct anvil_runner anvil_runner_null = {
	.name = "null",
	.summary = "emits a fixed figure on every rank (tests anvil itself)",
	.needs = ANVIL_TEST_ONLY,
	.scope = ANVIL_SCOPE_PER_RANK,
	.params = null_params,
	.run = null_run,
};
