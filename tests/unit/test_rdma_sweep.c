/* The RDMA runners' message-size sweep from their own parameter defaults:
 * 2 B .. 8 MiB in powers of two, perftest's iterations at every size
 * (large_bytes 0), and the older ANVIL_SWEEP_PARAMS users unchanged. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bench/ctx.h"
#include "runners/registry.h"
#include "runners/sweep.h"

/* A context whose parameters are the runner's defaults (what the plan resolves with no overrides). */
static cJSON *defaults_of(const struct anvil_runner *r)
{
	cJSON *p = cJSON_CreateObject();
	for (const struct anvil_param *x = r->params; x && x->key; x++) {
		cJSON *v = cJSON_Parse(x->def);
		assert_non_null(v);
		cJSON_AddItemToObject(p, x->key, v);
	}
	return p;
}

static void sweep_of(const char *name, struct anvil_sweep *sw, cJSON **params)
{
	const struct anvil_runner *r = anvil_runner_find(name);
	assert_non_null(r);
	struct anvil_ctx ctx;
	char why[256];
	memset(&ctx, 0, sizeof(ctx));
	*params = defaults_of(r);
	ctx.params = *params;
	assert_int_equal(anvil_sweep_from_params(sw, &ctx, 1, why, sizeof(why)), 0);
}

static void test_rdma_sweeps(void **state)
{
	(void)state;
	struct { const char *name; long iters; } runners[] = {
		{ "rdma-write-bw", 5000 }, { "rdma-read-bw", 1000 }, { "rdma-send-bw", 1000 },
		{ "rdma-write-lat", 1000 }, { "rdma-read-lat", 1000 }, { "rdma-send-lat", 1000 },
	};
	for (size_t k = 0; k < sizeof(runners) / sizeof(*runners); k++) {
		struct anvil_sweep sw;
		cJSON *params;
		sweep_of(runners[k].name, &sw, &params);
		assert_int_equal(sw.n, 23);   /* 2^1 .. 2^23, as perftest -a */
		for (int i = 0; i < sw.n; i++) {
			assert_int_equal(sw.sizes[i], (size_t)2 << i);
			assert_int_equal(anvil_sweep_iters(&sw, sw.sizes[i]), runners[k].iters);
			assert_int_equal(anvil_sweep_warmup(&sw, sw.sizes[i]), 100);
		}
		assert_int_equal(sw.sizes[sw.n - 1], 8388608);
		anvil_sweep_release(&sw);
		cJSON_Delete(params);
	}
}

static void test_old_users_unchanged(void **state)
{
	(void)state;
	struct anvil_sweep sw;
	cJSON *params;
	sweep_of("mpi-pingpong", &sw, &params);   /* ANVIL_SWEEP_PARAMS: fewer iterations from 8 KiB */
	assert_int_equal(sw.large_bytes, 8192);
	assert_int_equal(anvil_sweep_iters(&sw, 4096), 10000);
	assert_int_equal(anvil_sweep_iters(&sw, 8192), 1000);
	anvil_sweep_release(&sw);
	cJSON_Delete(params);
}

static void test_negative_large_refused(void **state)
{
	(void)state;
	struct anvil_sweep sw;
	cJSON *params;
	sweep_of("rdma-write-bw", &sw, &params);
	anvil_sweep_release(&sw);
	cJSON_ReplaceItemInObject(params, "large_bytes", cJSON_CreateNumber(-1));
	struct anvil_ctx ctx;
	char why[256] = "";
	memset(&ctx, 0, sizeof(ctx));
	ctx.params = params;
	assert_int_equal(anvil_sweep_from_params(&sw, &ctx, 1, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "large_bytes -1"));
	cJSON_Delete(params);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rdma_sweeps),
		cmocka_unit_test(test_old_users_unchanged),
		cmocka_unit_test(test_negative_large_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
