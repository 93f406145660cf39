/* The sleep runner: takes as long as asked, ignoring its deadline on purpose,
 * so tests can prove a hung test is recorded as a timeout. */
#include "runners/runner.h"
#include <time.h>

static const struct anvil_param sleep_params[] = {
	{ "seconds", ANVIL_P_DOUBLE, "1.0", "how long to sleep" },
	{ NULL, 0, NULL, NULL },
};

static enum anvil_status sleep_run(struct anvil_ctx *ctx)
{
	double s = anvil_param_double(ctx, "seconds");
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) != 0)
		;
	anvil_emit_metric(ctx, "slept_s", s, "s", ANVIL_NEUTRAL);
	return ANVIL_OK;
}

const struct anvil_runner anvil_runner_sleep = {
	.name = "sleep",
	.summary = "sleeps, past its timeout if asked (tests anvil itself)",
	.needs = ANVIL_TEST_ONLY,
	.scope = ANVIL_SCOPE_PER_RANK,
	.params = sleep_params,
	.run = sleep_run,
};
