#include "bench/storage.h"
#include "common/fsutil.h"
#include <limits.h>
#include <stdio.h>

/* The test's "dir" when it is an I/O test that nothing pointed anywhere. */
static int unset_dir(const struct anvil_test *t)
{
	if (!(t->runner->needs & ANVIL_NEEDS_STORAGE))
		return 0;
	const char *dir = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t->params, "dir"));
	return dir && !dir[0];
}

int anvil_storage_check(const struct anvil_plan *plan, int nnodes, char *err, size_t errlen)
{
	for (int i = 0; i < plan->ntests && nnodes > 1; i++) {
		const struct anvil_test *t = &plan->tests[i];
		if (!unset_dir(t))
			continue;
		snprintf(err, errlen,
			 "test %s does I/O on %d nodes and needs a directory they all share: set \"storage\": {\"path\": \"/shared/dir\"} in the cluster config (-c), or --set %s.dir=PATH",
			 t->id, nnodes, t->id);
		return -1;
	}
	return 0;
}

int anvil_storage_default(struct anvil_plan *plan, const char *run_dir, char *err, size_t errlen)
{
	char scratch[PATH_MAX];
	snprintf(scratch, sizeof(scratch), "%s/scratch", run_dir);
	int made = 0;
	for (int i = 0; i < plan->ntests; i++) {
		struct anvil_test *t = &plan->tests[i];
		if (!unset_dir(t))
			continue;
		if (!made && anvil_mkdir_p(scratch, err, errlen))
			return -1;
		made = 1;
		cJSON_ReplaceItemInObjectCaseSensitive(t->params, "dir", cJSON_CreateString(scratch));
	}
	return 0;
}
