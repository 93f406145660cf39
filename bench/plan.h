/* The plan: which tests run, in what order, with which parameters. */
#ifndef ANVIL_PLAN_H
#define ANVIL_PLAN_H
#include "common/json.h"
#include "runners/runner.h"

struct anvil_test {
	char *id;                           /* owned; the runner's name unless the profile names it */
	const struct anvil_runner *runner;
	cJSON *params;                      /* resolved; owned */
	double timeout_s;
	int warmup;
	int threads;                        /* per process; 0: the node's cores / its ranks */
	double estimate_s;                  /* 0: unknown */
};

struct anvil_plan {
	char *profile;                      /* owned */
	struct anvil_test *tests;           /* owned */
	int ntests;
};

struct anvil_plan_opts {
	const char *only;                   /* comma-separated test ids or runner names */
	const char *skip;
	const char *const *sets;            /* "name.key=value" */
	int nsets;
};

/* cluster may be NULL. Returns 0, or -1 with a message in err. */
int anvil_plan_build(struct anvil_plan *plan, const struct anvil_json_doc *profile,
		     const struct anvil_json_doc *cluster, const struct anvil_plan_opts *o,
		     char *err, size_t errlen);
void anvil_plan_release(struct anvil_plan *plan);
cJSON *anvil_plan_to_json(const struct anvil_plan *plan);
/* The inverse, for the other ranks and for --resume. */
int anvil_plan_from_json(struct anvil_plan *plan, const cJSON *j, char *err, size_t errlen);
const struct anvil_test *anvil_plan_find(const struct anvil_plan *plan, const char *id);

#endif
