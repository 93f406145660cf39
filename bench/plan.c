#include "bench/plan.h"
#include "runners/registry.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_S 1800.0

static const struct anvil_param *param_find(const struct anvil_runner *r, const char *key)
{
	for (const struct anvil_param *p = r->params; p && p->key; p++)
		if (strcmp(p->key, key) == 0)
			return p;
	return NULL;
}

static void param_keys(const struct anvil_runner *r, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (const struct anvil_param *p = r->params; p && p->key && n < len; p++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", p->key);
	if (!n)
		snprintf(buf, len, "none");
}

static const char *type_text(enum anvil_param_type t)
{
	switch (t) {
	case ANVIL_P_INT: return "a whole number";
	case ANVIL_P_DOUBLE: return "a number";
	case ANVIL_P_STRING: return "a string";
	case ANVIL_P_BOOL: return "true or false";
	}
	return "?";
}

/* A parameter's value, checked against its table entry. Parameters are
 * counts, sizes, times and fractions: none is negative unless its default
 * is (-1 meaning "automatic"), and a whole number is one a double holds
 * exactly (so no runner's cast to an integer overflows). 0, or -1 with what
 * was expected in why. */
static int param_check(const struct anvil_param *p, const cJSON *v, char *why, size_t len)
{
	int ok = 0;
	switch (p->type) {
	case ANVIL_P_INT: ok = cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble); break;
	case ANVIL_P_DOUBLE: ok = cJSON_IsNumber(v); break;
	case ANVIL_P_STRING: ok = cJSON_IsString(v); break;
	case ANVIL_P_BOOL: ok = cJSON_IsBool(v); break;
	}
	if (!ok) {
		if (cJSON_IsNumber(v))
			snprintf(why, len, "must be %s, found %.15g", type_text(p->type), v->valuedouble);
		else
			snprintf(why, len, "must be %s, found %s", type_text(p->type), anvil_json_type_name(v));
		return -1;
	}
	if (!cJSON_IsNumber(v))
		return 0;
	if (!isfinite(v->valuedouble)) {  /* --set values parse with cJSON, which takes 1e400 as inf */
		snprintf(why, len, "must be a finite number, found %g", v->valuedouble);
		return -1;
	}
	double def = strtod(p->def ? p->def : "0", NULL), least = def < 0 ? def : 0;
	if (v->valuedouble < least) {
		snprintf(why, len, "must be %g or more, found %.15g", least, v->valuedouble);
		return -1;
	}
	if (p->type == ANVIL_P_INT && v->valuedouble > 9007199254740992.0) {
		snprintf(why, len, "must be at most 2^53 (9007199254740992), found %.15g", v->valuedouble);
		return -1;
	}
	return 0;
}

/* Sets params[key] = v (taking v) after checking it against the runner's table. */
static int param_set(const struct anvil_runner *r, cJSON *params, const char *key, cJSON *v,
		     const char *where, char *err, size_t errlen)
{
	const struct anvil_param *p = param_find(r, key);
	if (!p) {
		char keys[512];
		param_keys(r, keys, sizeof(keys));
		snprintf(err, errlen, "%s: unknown parameter \"%s\" of runner %s (known: %s)",
			 where, key, r->name, keys);
		cJSON_Delete(v);
		return -1;
	}
	char why[200];
	if (param_check(p, v, why, sizeof(why))) {
		snprintf(err, errlen, "%s: parameter \"%s\" of runner %s %s", where, key, r->name, why);
		cJSON_Delete(v);
		return -1;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(params, key);
	cJSON_AddItemToObject(params, key, v);
	return 0;
}

static cJSON *runner_defaults(const struct anvil_runner *r)
{
	cJSON *params = cJSON_CreateObject();
	for (const struct anvil_param *p = r->params; p && p->key; p++) {
		cJSON *v = cJSON_Parse(p->def);
		cJSON_AddItemToObject(params, p->key, v ? v : cJSON_CreateNull());
	}
	return params;
}

static int merge_object(const struct anvil_runner *r, cJSON *params, const cJSON *src,
			const struct anvil_json_doc *doc, char *err, size_t errlen)
{
	const cJSON *v;
	cJSON_ArrayForEach(v, src) {
		char w[256];
		anvil_json_where(doc, v, w, sizeof(w));
		if (param_set(r, params, v->string, cJSON_Duplicate(v, 1), w, err, errlen))
			return -1;
	}
	return 0;
}

/* Does `name` (a test id or a runner name) name test t? */
static int names_test(const char *name, const struct anvil_test *t)
{
	return strcmp(name, t->id) == 0 || strcmp(name, t->runner->name) == 0;
}

static int in_list(const char *list, const struct anvil_test *t)
{
	if (!list)
		return 0;
	char *copy = strdup(list), *save = NULL;
	int hit = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok && !hit; tok = strtok_r(NULL, ",", &save))
		hit = names_test(tok, t);
	free(copy);
	return hit;
}

/* Every name in --only/--skip must name a test of the profile or a runner. */
static int check_list(const char *opt, const char *list, const struct anvil_plan *plan,
		      char *err, size_t errlen)
{
	if (!list)
		return 0;
	char *copy = strdup(list), *save = NULL;
	int rc = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		int found = anvil_runner_find(tok) != NULL;
		for (int i = 0; i < plan->ntests && !found; i++)
			found = names_test(tok, &plan->tests[i]);
		if (!found) {
			char names[1024];
			anvil_runner_names(names, sizeof(names), 1);
			snprintf(err, errlen, "%s: unknown test or runner \"%s\" (known runners: %s)",
				 opt, tok, names);
			rc = -1;
		}
	}
	free(copy);
	return rc;
}

/* Where the cluster config's storage section goes, for runners doing I/O. */
static const struct { const char *storage_key, *param; } storage_params[] = {
	{ "path", "dir" }, { "max_fill_fraction", "max_fill_fraction" },
};

/* The cluster config's layer over the profile's: its storage section for
 * runners that do I/O, then its params by runner name, then by test id. */
static int apply_cluster(const struct anvil_runner *r, const char *name, cJSON *params,
			 const struct anvil_json_doc *cdoc, char *err, size_t errlen)
{
	if (!cdoc)
		return 0;
	const cJSON *storage = cJSON_GetObjectItemCaseSensitive(cdoc->root, "storage");
	for (size_t i = 0; (r->needs & ANVIL_NEEDS_STORAGE) && i < sizeof(storage_params) / sizeof(storage_params[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(storage, storage_params[i].storage_key);
		char w[256];
		if (v && param_set(r, params, storage_params[i].param, cJSON_Duplicate(v, 1),
				   anvil_json_where(cdoc, v, w, sizeof(w)), err, errlen))
			return -1;
	}
	const cJSON *cluster_params = cJSON_GetObjectItemCaseSensitive(cdoc->root, "params");
	const cJSON *cp = cJSON_GetObjectItemCaseSensitive(cluster_params, r->name);
	if (cp && merge_object(r, params, cp, cdoc, err, errlen))
		return -1;
	cp = strcmp(name, r->name) ? cJSON_GetObjectItemCaseSensitive(cluster_params, name) : NULL;
	if (cp && merge_object(r, params, cp, cdoc, err, errlen))
		return -1;
	return 0;
}

/* A test's timeout_s, warmup and threads: its own (t may be NULL), else the
 * profile's defaults, else anvil's; estimate_s is the test's own only. The
 * profile check has already refused wrong types and ranges. */
static double setting(const cJSON *t, const cJSON *defaults, const char *k, double fallback)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, k);
	if (!v)
		v = cJSON_GetObjectItemCaseSensitive(defaults, k);
	return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

static void test_settings(struct anvil_test *nt, const cJSON *defaults, const cJSON *t)
{
	nt->timeout_s = setting(t, defaults, "timeout_s", DEFAULT_TIMEOUT_S);
	nt->warmup = (int)setting(t, defaults, "warmup", 0);
	nt->threads = (int)setting(t, defaults, "threads", 0);
	nt->estimate_s = setting(t, NULL, "estimate_s", 0);
}

static int add_test(struct anvil_plan *plan, const struct anvil_json_doc *doc, const cJSON *t,
		    const cJSON *defaults, const struct anvil_json_doc *cdoc, char *err, size_t errlen)
{
	char w[256];
	const cJSON *rn = cJSON_GetObjectItemCaseSensitive(t, "runner");
	const struct anvil_runner *r = anvil_runner_find(rn->valuestring);
	if (!r) {
		char names[1024];
		anvil_runner_names(names, sizeof(names), 1);
		snprintf(err, errlen, "%s: unknown runner \"%s\" (known: %s)",
			 anvil_json_where(doc, rn, w, sizeof(w)), rn->valuestring, names);
		return -1;
	}
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(t, "id");
	const char *name = cJSON_IsString(id) ? id->valuestring : r->name;
	if (anvil_plan_find(plan, name)) {
		snprintf(err, errlen, "%s: test \"%s\" appears twice (give one of them an \"id\")",
			 anvil_json_where(doc, t, w, sizeof(w)), name);
		return -1;
	}
	struct anvil_test *nt = &plan->tests[plan->ntests];
	memset(nt, 0, sizeof(*nt));
	nt->id = strdup(name);
	nt->runner = r;
	nt->params = runner_defaults(r);
	plan->ntests++;
	test_settings(nt, defaults, t);
	if (merge_object(r, nt->params, cJSON_GetObjectItemCaseSensitive(t, "params"), doc, err, errlen))
		return -1;
	return apply_cluster(r, name, nt->params, cdoc, err, errlen);
}

static int apply_set(struct anvil_plan *plan, const char *set, char *err, size_t errlen)
{
	char where[300];
	snprintf(where, sizeof(where), "--set %s", set);
	const char *eq = strchr(set, '=');
	const char *dot = eq ? memchr(set, '.', (size_t)(eq - set)) : NULL;
	if (!eq || !dot || dot == set || dot + 1 == eq) {
		snprintf(err, errlen, "%s: expected NAME.KEY=VALUE (e.g. --set hpl.n=8000)", where);
		return -1;
	}
	char *name = strndup(set, (size_t)(dot - set));
	char *key = strndup(dot + 1, (size_t)(eq - dot - 1));
	int hits = 0, rc = 0;
	for (int i = 0; i < plan->ntests && !rc; i++) {
		struct anvil_test *t = &plan->tests[i];
		if (!names_test(name, t))
			continue;
		hits++;
		/* JSON when it parses (numbers, true, "quoted"), else the bare text as a string */
		cJSON *v = cJSON_Parse(eq + 1);
		if (!v)
			v = cJSON_CreateString(eq + 1);
		rc = param_set(t->runner, t->params, key, v, where, err, errlen);
	}
	if (!rc && !hits) {
		snprintf(err, errlen, "%s: no test or runner \"%s\" in this plan", where, name);
		rc = -1;
	}
	free(name);
	free(key);
	return rc;
}

/* --only may name a runner the profile lacks: it runs with its defaults and
 * the cluster config's layer. */
static int add_only_runners(struct anvil_plan *plan, const char *only, const cJSON *defaults,
			    const struct anvil_json_doc *cdoc, char *err, size_t errlen)
{
	int rc = 0;
	char *copy = strdup(only), *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		int named = 0;
		for (int i = 0; i < plan->ntests && !named; i++)
			named = names_test(tok, &plan->tests[i]);
		const struct anvil_runner *r = anvil_runner_find(tok);
		if (named || !r)
			continue;
		struct anvil_test *grown = realloc(plan->tests, sizeof(*plan->tests) * (size_t)(plan->ntests + 1));
		if (!grown) {
			snprintf(err, errlen, "--only %s: out of memory", tok);
			rc = -1;
			break;
		}
		plan->tests = grown;
		struct anvil_test *nt = &plan->tests[plan->ntests++];
		memset(nt, 0, sizeof(*nt));
		nt->id = strdup(tok);
		nt->runner = r;
		nt->params = runner_defaults(r);
		test_settings(nt, defaults, NULL);
		rc = apply_cluster(r, nt->id, nt->params, cdoc, err, errlen);
	}
	free(copy);
	return rc;
}

int anvil_plan_build(struct anvil_plan *plan, const struct anvil_json_doc *profile,
		     const struct anvil_json_doc *cluster, const struct anvil_plan_opts *o,
		     char *err, size_t errlen)
{
	memset(plan, 0, sizeof(*plan));
	const cJSON *root = profile->root;
	plan->profile = strdup(cJSON_GetObjectItemCaseSensitive(root, "name")->valuestring);
	const cJSON *tests = cJSON_GetObjectItemCaseSensitive(root, "tests");
	const cJSON *defaults = cJSON_GetObjectItemCaseSensitive(root, "defaults");
	const cJSON *cparams = cluster ? cJSON_GetObjectItemCaseSensitive(cluster->root, "params") : NULL;
	plan->tests = calloc((size_t)cJSON_GetArraySize(tests) + 1, sizeof(*plan->tests));
	if (!plan->tests) {
		snprintf(err, errlen, "out of memory for %d tests", cJSON_GetArraySize(tests));
		goto err;
	}
	const cJSON *t;
	cJSON_ArrayForEach(t, tests) {
		if (add_test(plan, profile, t, defaults, cluster, err, errlen))
			goto err;
	}
	if (cparams) {
		const cJSON *c;
		cJSON_ArrayForEach(c, cparams) {
			int found = anvil_runner_find(c->string) || anvil_plan_find(plan, c->string);
			if (!found) {
				char w[256];
				snprintf(err, errlen, "%s: \"params\" names \"%s\", which is neither a runner nor a test of the profile",
					 anvil_json_where(cluster, c, w, sizeof(w)), c->string);
				goto err;
			}
		}
	}
	if (check_list("--only", o ? o->only : NULL, plan, err, errlen) ||
	    check_list("--skip", o ? o->skip : NULL, plan, err, errlen))
		goto err;
	if (o && o->only && add_only_runners(plan, o->only, defaults, cluster, err, errlen))
		goto err;
	for (int i = 0; o && i < o->nsets; i++)
		if (apply_set(plan, o->sets[i], err, errlen))
			goto err;
	/* --only/--skip last, so --set may name a test that is then left out */
	int kept = 0;
	for (int i = 0; i < plan->ntests; i++) {
		struct anvil_test *x = &plan->tests[i];
		int keep = (!o || !o->only || in_list(o->only, x)) && !(o && in_list(o->skip, x));
		if (keep) {
			plan->tests[kept++] = *x;
		} else {
			free(x->id);
			cJSON_Delete(x->params);
		}
	}
	plan->ntests = kept;
	return 0;
err:
	anvil_plan_release(plan);
	return -1;
}

void anvil_plan_release(struct anvil_plan *plan)
{
	for (int i = 0; i < plan->ntests; i++) {
		free(plan->tests[i].id);
		cJSON_Delete(plan->tests[i].params);
	}
	free(plan->tests);
	free(plan->profile);
	memset(plan, 0, sizeof(*plan));
}

const struct anvil_test *anvil_plan_find(const struct anvil_plan *plan, const char *id)
{
	for (int i = 0; i < plan->ntests; i++)
		if (strcmp(plan->tests[i].id, id) == 0)
			return &plan->tests[i];
	return NULL;
}

cJSON *anvil_plan_to_json(const struct anvil_plan *plan)
{
	cJSON *out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "profile", plan->profile);
	cJSON *tests = cJSON_AddArrayToObject(out, "tests");
	for (int i = 0; i < plan->ntests; i++) {
		const struct anvil_test *t = &plan->tests[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "id", t->id);
		cJSON_AddStringToObject(j, "runner", t->runner->name);
		cJSON_AddStringToObject(j, "scope", anvil_scope_name(t->runner->scope));
		cJSON_AddItemToObject(j, "params", cJSON_Duplicate(t->params, 1));
		cJSON_AddNumberToObject(j, "timeout_s", t->timeout_s);
		cJSON_AddNumberToObject(j, "warmup", t->warmup);
		if (t->threads > 0)
			cJSON_AddNumberToObject(j, "threads", t->threads);
		if (t->estimate_s > 0)
			cJSON_AddNumberToObject(j, "estimate_s", t->estimate_s);
		cJSON_AddItemToArray(tests, j);
	}
	return out;
}

int anvil_plan_from_json(struct anvil_plan *plan, const cJSON *j, char *err, size_t errlen)
{
	memset(plan, 0, sizeof(*plan));
	const char *profile = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "profile"));
	const cJSON *tests = cJSON_GetObjectItemCaseSensitive(j, "tests");
	if (!profile || !cJSON_IsArray(tests)) {
		snprintf(err, errlen, "the recorded plan lacks \"profile\" or \"tests\"");
		return -1;
	}
	plan->profile = strdup(profile);
	plan->tests = calloc((size_t)cJSON_GetArraySize(tests) + 1, sizeof(*plan->tests));
	if (!plan->tests) {
		snprintf(err, errlen, "out of memory for the recorded plan's %d tests", cJSON_GetArraySize(tests));
		anvil_plan_release(plan);
		return -1;
	}
	const cJSON *t;
	cJSON_ArrayForEach(t, tests) {
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "id"));
		const char *rn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "runner"));
		const struct anvil_runner *r = rn ? anvil_runner_find(rn) : NULL;
		if (!id || !r) {
			snprintf(err, errlen, "the recorded plan names %s runner \"%s\"",
				 r ? "a test without id for" : "an unknown", rn ? rn : "?");
			anvil_plan_release(plan);
			return -1;
		}
		struct anvil_test *nt = &plan->tests[plan->ntests++];
		nt->id = strdup(id);
		nt->runner = r;
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(t, "params");
		nt->params = runner_defaults(r);
		/* a journal's plan (--resume) is checked as a profile's is */
		const cJSON *v, *given = cJSON_IsObject(p) ? p : NULL;
		cJSON_ArrayForEach(v, given) {
			char where[300];
			snprintf(where, sizeof(where), "the recorded plan, test \"%s\"", id);
			if (param_set(r, nt->params, v->string, cJSON_Duplicate(v, 1), where, err, errlen)) {
				anvil_plan_release(plan);
				return -1;
			}
		}
		nt->timeout_s = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(t, "timeout_s"));
		if (!(nt->timeout_s > 0))
			nt->timeout_s = DEFAULT_TIMEOUT_S;
		const cJSON *wu = cJSON_GetObjectItemCaseSensitive(t, "warmup");
		nt->warmup = cJSON_IsNumber(wu) ? wu->valueint : 0;
		const cJSON *th = cJSON_GetObjectItemCaseSensitive(t, "threads");
		nt->threads = cJSON_IsNumber(th) && th->valuedouble >= 0 && th->valuedouble <= 65536 ? th->valueint : 0;
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(t, "estimate_s");
		nt->estimate_s = cJSON_IsNumber(e) ? e->valuedouble : 0;
	}
	return 0;
}
