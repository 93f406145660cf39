#include "bench/slurm.h"
#include "common/hostlist.h"
#include <stdlib.h>
#include <string.h>

static void add_env(cJSON *o, const char *key, const char *const *names, int number)
{
	for (int i = 0; names[i]; i++) {
		const char *v = getenv(names[i]);
		if (!v || !*v)
			continue;
		char *end;
		double d = strtod(v, &end);
		if (number && !*end)
			cJSON_AddNumberToObject(o, key, d);
		else
			cJSON_AddStringToObject(o, key, v);
		return;
	}
}

cJSON *anvil_slurm_env(void)
{
	const char *job = getenv("SLURM_JOB_ID");
	if (!job || !*job)
		job = getenv("SLURM_JOBID");
	if (!job || !*job)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "job_id", job);
	static const char *const name[] = { "SLURM_JOB_NAME", NULL };
	static const char *const part[] = { "SLURM_JOB_PARTITION", NULL };
	static const char *const acct[] = { "SLURM_JOB_ACCOUNT", NULL };
	static const char *const clus[] = { "SLURM_CLUSTER_NAME", NULL };
	static const char *const step[] = { "SLURM_STEP_ID", "SLURM_STEPID", NULL };
	static const char *const nn[] = { "SLURM_JOB_NUM_NODES", "SLURM_NNODES", NULL };
	static const char *const nt[] = { "SLURM_NTASKS", "SLURM_NPROCS", NULL };
	static const char *const tpn[] = { "SLURM_TASKS_PER_NODE", NULL };
	add_env(o, "job_name", name, 0);
	add_env(o, "partition", part, 0);
	add_env(o, "account", acct, 0);
	add_env(o, "cluster", clus, 0);
	add_env(o, "step_id", step, 0);
	add_env(o, "nodes", nn, 1);
	add_env(o, "ntasks", nt, 1);
	add_env(o, "tasks_per_node", tpn, 0);
	const char *list = getenv("SLURM_JOB_NODELIST");
	if (!list || !*list)
		list = getenv("SLURM_NODELIST");
	if (list && *list) {
		char why[256];
		char *c = anvil_hostlist_normalise(list, strlen(list), why, sizeof(why));
		cJSON_AddStringToObject(o, "nodelist", c ? c : list);
		if (!c)
			cJSON_AddStringToObject(o, "nodelist_error", why);
		free(c);
	}
	return o;
}
