/* stream: STREAM copy, scale, add, triad on all cores of every node at once. */
#include "runners/runner.h"
#include "kernels/stream.h"
#include <hwloc.h>
#include <stdio.h>

static const struct anvil_param stream_params[] = {
	{ "n", ANVIL_P_INT, "0", "elements per array (0: 4x the last-level caches, STREAM's rule)" },
	{ "ntimes", ANVIL_P_INT, "10", "trials; the first is dropped, the best of the rest counts" },
	{ "min_elems", ANVIL_P_INT, "10000000", "at least this many elements per array" },
	{ NULL, 0, NULL, NULL },
};

/* All last-level caches of the node together: STREAM's arrays must dwarf them. */
static size_t llc_total(void)
{
	hwloc_topology_t topo;
	size_t total = 0;
	if (hwloc_topology_init(&topo) || hwloc_topology_load(topo))
		return 0;
	static const hwloc_obj_type_t levels[] = { HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L2CACHE };
	for (size_t l = 0; l < 2 && !total; l++) {
		int n = hwloc_get_nbobjs_by_type(topo, levels[l]);
		for (int i = 0; i < n; i++)
			total += hwloc_get_obj_by_type(topo, levels[l], (unsigned)i)->attr->cache.size;
	}
	hwloc_topology_destroy(topo);
	return total;
}

static enum anvil_status stream_run(struct anvil_ctx *ctx)
{
	long long n = anvil_param_int(ctx, "n"), min = anvil_param_int(ctx, "min_elems");
	int ntimes = (int)anvil_param_int(ctx, "ntimes");
	if (n == 0)
		n = (long long)anvil_stream_n_for_cache(llc_total(), min > 0 ? (size_t)min : 0);
	if (n < 1024)
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "n %lld is too small (at least 1024 elements)", n);
	struct anvil_stream_result r;
	char err[256];
	if (anvil_stream_run((size_t)n, ntimes, anvil_ctx_threads(ctx), &r, err, sizeof(err)))
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "%s", err);
	/* the best trial, as STREAM reports it, with every counted trial as samples */
	for (int k = 0; k < ANVIL_STREAM_KERNELS; k++) {
		char metric[32];
		snprintf(metric, sizeof(metric), "%s_gbs", anvil_stream_names[k]);
		anvil_emit_metric_samples(ctx, metric, r.trial_gbs[k], r.ntimes - 1, "GB/s", ANVIL_HIGHER,
					  ANVIL_STAT_BEST);
	}
	double worst = r.max_err[0];
	for (int i = 1; i < 3; i++)
		worst = r.max_err[i] > worst ? r.max_err[i] : worst;
	anvil_emit_check(ctx, "validated", r.valid, worst, ANVIL_STREAM_EPSILON, r.why);
	cJSON *info = cJSON_CreateObject();
	cJSON_AddNumberToObject(info, "n", (double)r.n);
	cJSON_AddNumberToObject(info, "array_bytes", (double)r.n * 8);
	cJSON_AddNumberToObject(info, "llc_bytes", (double)llc_total());
	cJSON_AddNumberToObject(info, "ntimes", r.ntimes);
	cJSON_AddNumberToObject(info, "threads", anvil_ctx_threads(ctx));
	anvil_emit_info(ctx, info);
	return ANVIL_OK;
}

const struct anvil_runner anvil_runner_stream = {
	.name = "stream",
	.summary = "STREAM copy/scale/add/triad with OpenMP on every node at once, GB/s, validated",
	.scope = ANVIL_SCOPE_PER_NODE,
	.params = stream_params,
	.run = stream_run,
};
