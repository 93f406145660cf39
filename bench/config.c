#include "bench/config.h"
#include "anvil_build_config.h"
#include "reports/waivers.h"
#include "common/hostlist.h"
#include "reports/drift.h"
#include "reports/peaks.h"
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *anvil_config_dir(void)
{
	static char dir[PATH_MAX];
	if (dir[0])
		return dir;
	const char *env = getenv("ANVIL_CONFIG_DIR");
	if (env && *env) {
		snprintf(dir, sizeof(dir), "%s", env);
		return dir;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			char cand[PATH_MAX + 16];
			snprintf(cand, sizeof(cand), "%s/../configs", exe);
			if (is_dir(cand) && realpath(cand, dir))
				return dir;
			snprintf(cand, sizeof(cand), "%s/../share/anvil/configs", exe);
			if (is_dir(cand) && realpath(cand, dir))
				return dir;
		}
	}
	snprintf(dir, sizeof(dir), "%s/configs", ANVIL_SOURCE_DIR);
	return dir;
}

void anvil_profile_names(char *buf, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/profiles", anvil_config_dir());
	buf[0] = '\0';
	struct dirent **list;
	int n = scandir(path, &list, NULL, alphasort);
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(list[i]->d_name);
		if (l > 5 && strcmp(list[i]->d_name + l - 5, ".json") == 0 && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%.*s", off ? ", " : "",
						(int)(l - 5), list[i]->d_name);
		free(list[i]);
	}
	if (n > 0)
		free(list);
}

static const struct anvil_json_field profile_fields[] = {
	{ "schema", AJ_STRING, 1 }, { "name", AJ_STRING, 1 }, { "description", AJ_STRING, 0 },
	{ "defaults", AJ_OBJECT, 0 }, { "tests", AJ_ARRAY, 1 }, { "checks", AJ_ARRAY, 0 },
	{ "baseline", AJ_OBJECT, 0 }, { "waivers", AJ_ARRAY, 0 }, { NULL, 0, 0 },
};
static const struct anvil_json_field defaults_fields[] = {
	{ "timeout_s", AJ_NUMBER, 0 }, { "warmup", AJ_NUMBER, 0 }, { "threads", AJ_NUMBER, 0 },
	{ NULL, 0, 0 },
};
static const struct anvil_json_field test_fields[] = {
	{ "id", AJ_STRING, 0 }, { "runner", AJ_STRING, 1 }, { "params", AJ_OBJECT, 0 },
	{ "timeout_s", AJ_NUMBER, 0 }, { "warmup", AJ_NUMBER, 0 }, { "estimate_s", AJ_NUMBER, 0 },
	{ "threads", AJ_NUMBER, 0 }, { NULL, 0, 0 },
};
static const struct anvil_json_field check_fields[] = {
	{ "test", AJ_STRING, 1 }, { "metric", AJ_STRING, 1 }, { "rule", AJ_STRING, 1 },
	{ "peak", AJ_STRING, 0 }, { "min", AJ_NUMBER, 0 }, { "max", AJ_NUMBER, 0 },
	{ "warn", AJ_NUMBER, 0 }, { "labels", AJ_OBJECT, 0 }, { "why", AJ_STRING, 0 },
	{ "k", AJ_NUMBER, 0 }, { "min_dev", AJ_NUMBER, 0 }, { NULL, 0, 0 },
};

static int check_schema(const struct anvil_json_doc *doc, const char *want, char *err, size_t errlen)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(doc->root, "schema");
	char w[256];
	if (!cJSON_IsString(s) || strcmp(s->valuestring, want) != 0) {
		snprintf(err, errlen, "%s: \"schema\" must be \"%s\"%s%s%s",
			 anvil_json_where(doc, s ? s : doc->root, w, sizeof(w)), want,
			 cJSON_IsString(s) ? ", found \"" : "", cJSON_IsString(s) ? s->valuestring : "",
			 cJSON_IsString(s) ? "\"" : "");
		return -1;
	}
	return 0;
}

static int check_timeouts(const struct anvil_json_doc *doc, const cJSON *obj, char *err, size_t errlen)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "timeout_s");
	if (t && anvil_json_check_number(doc, t, "timeout_s", 1, 7 * 86400, 0, err, errlen))
		return -1;
	const cJSON *wu = cJSON_GetObjectItemCaseSensitive(obj, "warmup");
	if (wu && anvil_json_check_number(doc, wu, "warmup", 0, 100, 1, err, errlen))
		return -1;
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(obj, "estimate_s");
	if (e && anvil_json_check_number(doc, e, "estimate_s", 0, 7 * 86400, 0, err, errlen))
		return -1;
	const cJSON *th = cJSON_GetObjectItemCaseSensitive(obj, "threads");
	if (th && anvil_json_check_number(doc, th, "threads", 0, 65536, 1, err, errlen))
		return -1;
	return 0;
}

static const char *const rule_names[] = { "peak", "absolute", "peers", "mad", NULL };

/* The mad rule: "k" (the modified z-score beyond which a figure is an
 * outlier, default 3.5), "warn" (a lower score that only warns) and
 * "min_dev" (a fraction of the median: an outlier nearer the median only
 * warns); no bounds. */
static int check_mad(const struct anvil_json_doc *doc, const cJSON *c, char *err, size_t errlen)
{
	char w[256];
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(c, "k"), *warn = cJSON_GetObjectItemCaseSensitive(c, "warn");
	if (cJSON_GetObjectItemCaseSensitive(c, "min") || cJSON_GetObjectItemCaseSensitive(c, "max")) {
		snprintf(err, errlen, "%s: a \"mad\" check takes \"k\" (the modified z-score beyond which a figure is an outlier), "
			 "\"warn\" and \"min_dev\", not \"min\" or \"max\"", anvil_json_where(doc, c, w, sizeof(w)));
		return -1;
	}
	if (k && anvil_json_check_number(doc, k, "k", 0.1, 100, 0, err, errlen))
		return -1;
	if (warn && anvil_json_check_number(doc, warn, "warn", 0.1, k ? k->valuedouble : 3.5, 0, err, errlen))
		return -1;
	const cJSON *dev = cJSON_GetObjectItemCaseSensitive(c, "min_dev");
	if (dev && anvil_json_check_number(doc, dev, "min_dev", 0, 1, 0, err, errlen))
		return -1;
	return 0;
}

static int check_rule(const struct anvil_json_doc *doc, const cJSON *c, char *err, size_t errlen)
{
	char w[256];
	const cJSON *rule = cJSON_GetObjectItemCaseSensitive(c, "rule");
	int known = 0;
	for (int i = 0; rule_names[i]; i++)
		known |= strcmp(rule->valuestring, rule_names[i]) == 0;
	if (!known) {
		snprintf(err, errlen, "%s: unknown rule \"%s\" (expected peak, absolute, peers or mad)",
			 anvil_json_where(doc, rule, w, sizeof(w)), rule->valuestring);
		return -1;
	}
	if (!strcmp(rule->valuestring, "mad"))
		return check_mad(doc, c, err, errlen);
	static const char *const mad_only[] = { "k", "min_dev", NULL };
	for (int i = 0; mad_only[i]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, mad_only[i]);
		if (v) {
			snprintf(err, errlen, "%s: \"%s\" belongs to the \"mad\" rule, not to \"%s\"",
				 anvil_json_where(doc, v, w, sizeof(w)), mad_only[i], rule->valuestring);
			return -1;
		}
	}
	int has_min = cJSON_GetObjectItemCaseSensitive(c, "min") != NULL;
	int has_max = cJSON_GetObjectItemCaseSensitive(c, "max") != NULL;
	if (!has_min && !has_max) {
		snprintf(err, errlen, "%s: a \"%s\" check needs \"min\" or \"max\"",
			 anvil_json_where(doc, c, w, sizeof(w)), rule->valuestring);
		return -1;
	}
	if (strcmp(rule->valuestring, "peak") == 0 &&
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(c, "peak"))) {
		snprintf(err, errlen, "%s: a \"peak\" check needs \"peak\": the datasheet figure to compare with (e.g. \"cpu.fp64_gflops\")",
			 anvil_json_where(doc, c, w, sizeof(w)));
		return -1;
	}
	const char *keys[] = { "min", "max", "warn" };
	for (int i = 0; i < 3; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, keys[i]);
		if (v && anvil_json_check_number(doc, v, keys[i], -1e300, 1e300, 0, err, errlen))
			return -1;
		if (v && strcmp(rule->valuestring, "absolute") != 0 &&
		    anvil_json_check_number(doc, v, keys[i], 0, 1000, 0, err, errlen))
			return -1;
	}
	return 0;
}

static const struct anvil_json_field waiver_fields[] = {
	{ "test", AJ_STRING, 1 }, { "metric", AJ_STRING, 0 }, { "host", AJ_STRING, 0 },
	{ "reason", AJ_STRING, 1 }, { "expires", AJ_STRING, 1 }, { NULL, 0, 0 },
};

/* Waivers: each names a test (and a metric, a host), says why and until when. */
static int check_waivers(const struct anvil_json_doc *doc, char *err, size_t errlen)
{
	char w[256];
	const cJSON *wv;
	cJSON_ArrayForEach(wv, cJSON_GetObjectItemCaseSensitive(doc->root, "waivers")) {
		if (anvil_json_check(doc, wv, "a waiver of \"waivers\"", waiver_fields, err, errlen))
			return -1;
		const cJSON *reason = cJSON_GetObjectItemCaseSensitive(wv, "reason");
		if (!*reason->valuestring) {
			snprintf(err, errlen, "%s: a waiver needs a \"reason\" (why the failure is expected, for whoever reads the report)",
				 anvil_json_where(doc, reason, w, sizeof(w)));
			return -1;
		}
		const cJSON *exp = cJSON_GetObjectItemCaseSensitive(wv, "expires");
		if (!anvil_waiver_date_valid(exp->valuestring)) {
			snprintf(err, errlen, "%s: \"expires\" must be a date YYYY-MM-DD (the last day the waiver holds), found \"%s\"",
				 anvil_json_where(doc, exp, w, sizeof(w)), exp->valuestring);
			return -1;
		}
	}
	return 0;
}

static const struct anvil_json_field baseline_fields[] = {
	{ "tolerance", AJ_NUMBER, 0 }, { "k", AJ_NUMBER, 0 }, { "metrics", AJ_OBJECT, 0 }, { NULL, 0, 0 },
};

/* "baseline": tolerance (fraction), k (times the samples' spread), and
 * per "test/metric" tolerances. */
static int check_baseline(const struct anvil_json_doc *doc, const cJSON *b, char *err, size_t errlen)
{
	if (anvil_json_check(doc, b, "\"baseline\"", baseline_fields, err, errlen))
		return -1;
	const cJSON *tol = cJSON_GetObjectItemCaseSensitive(b, "tolerance"), *k = cJSON_GetObjectItemCaseSensitive(b, "k"), *m;
	if (tol && anvil_json_check_number(doc, tol, "baseline tolerance", 0, 10, 0, err, errlen))
		return -1;
	if (k && anvil_json_check_number(doc, k, "baseline k", 0, 100, 0, err, errlen))
		return -1;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(b, "metrics")) {
		char what[200], w[256];
		snprintf(what, sizeof(what), "the tolerance of \"%s\"", m->string);
		if (!strchr(m->string, '/')) {
			snprintf(err, errlen, "%s: \"%s\": a baseline tolerance is for \"test/metric\"",
				 anvil_json_where(doc, m, w, sizeof(w)), m->string);
			return -1;
		}
		if (anvil_json_check_number(doc, m, what, 0, 10, 0, err, errlen))
			return -1;
	}
	return 0;
}

int anvil_profile_check(const struct anvil_json_doc *doc, char *err, size_t errlen)
{
	char w[256];
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(doc->root, "baseline");
	if (b && check_baseline(doc, b, err, errlen))
		return -1;
	if (anvil_json_check(doc, doc->root, "the profile", profile_fields, err, errlen) ||
	    check_schema(doc, "anvil-profile/1", err, errlen) || check_waivers(doc, err, errlen))
		return -1;
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(doc->root, "defaults");
	if (d && (anvil_json_check(doc, d, "\"defaults\"", defaults_fields, err, errlen) ||
		  check_timeouts(doc, d, err, errlen)))
		return -1;
	const cJSON *tests = cJSON_GetObjectItemCaseSensitive(doc->root, "tests");
	const cJSON *t;
	cJSON_ArrayForEach(t, tests) {
		if (anvil_json_check(doc, t, "a test of \"tests\"", test_fields, err, errlen) ||
		    check_timeouts(doc, t, err, errlen))
			return -1;
	}
	if (!cJSON_GetArraySize(tests)) {
		snprintf(err, errlen, "%s: \"tests\" is empty (expected at least one test)",
			 anvil_json_where(doc, tests, w, sizeof(w)));
		return -1;
	}
	/* the plan and the report compare every test (check) with every other:
	 * a bound keeps an absurd profile from running for hours before any test */
	const char *lists[] = { "tests", "checks" };
	for (int i = 0; i < 2; i++) {
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(doc->root, lists[i]);
		int n = cJSON_GetArraySize(l);
		if (n > ANVIL_PROFILE_MAX_ENTRIES) {
			snprintf(err, errlen, "%s: \"%s\" has %d entries (at most %d)",
				 anvil_json_where(doc, l, w, sizeof(w)), lists[i], n, ANVIL_PROFILE_MAX_ENTRIES);
			return -1;
		}
	}
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(doc->root, "checks")) {
		if (anvil_json_check(doc, c, "a check of \"checks\"", check_fields, err, errlen) ||
		    check_rule(doc, c, err, errlen))
			return -1;
	}
	return 0;
}

static const struct anvil_json_field cluster_fields[] = {
	{ "schema", AJ_STRING, 1 }, { "name", AJ_STRING, 0 }, { "description", AJ_STRING, 0 },
	{ "hardware", AJ_OBJECT, 0 }, { "peaks", AJ_OBJECT, 0 }, { "params", AJ_OBJECT, 0 },
	{ "storage", AJ_OBJECT, 0 }, { "expect", AJ_OBJECT, 0 }, { "nodes", AJ_STRING, 0 },
	{ "slurm", AJ_OBJECT, 0 }, { NULL, 0, 0 },
};
static const struct anvil_json_field hardware_fields[] = {
	{ "cpu", AJ_STRING, 0 }, { "gpu", AJ_STRING, 0 }, { "nic", AJ_STRING, 0 }, { NULL, 0, 0 },
};

/* "nodes": one hostlist expression ("gpu[01-16]"), as Slurm writes node sets. */
static int check_nodes(const struct anvil_json_doc *doc, const cJSON *n, char *err, size_t errlen)
{
	char w[256], why[256];
	struct anvil_hostlist hl = ANVIL_HOSTLIST_INIT;
	int rc = anvil_hostlist_expand(&hl, n->valuestring, strlen(n->valuestring), why, sizeof(why));
	if (rc)
		snprintf(err, errlen, "%s: \"nodes\" is not a hostlist expression: %s (expected e.g. \"gpu[01-16]\")",
			 anvil_json_where(doc, n, w, sizeof(w)), why);
	else if (!hl.n)
		snprintf(err, errlen, "%s: \"nodes\" is empty (expected a hostlist expression such as \"gpu[01-16]\")",
			 anvil_json_where(doc, n, w, sizeof(w)));
	rc = rc || !hl.n;
	anvil_hostlist_release(&hl);
	return rc ? -1 : 0;
}

static int check_pin_value(const struct anvil_json_doc *doc, const cJSON *v, const char *what,
			   char *err, size_t errlen)
{
	char w[256];
	if (cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v))
		return 0;
	snprintf(err, errlen, "%s: %s must be a string, number or true/false (the value every node must report), found %s",
		 anvil_json_where(doc, v, w, sizeof(w)), what, anvil_json_type_name(v));
	return -1;
}

/* A field name or pattern: dotted segments, none empty ("gpus.*.pcie"). */
static int check_field_name(const struct anvil_json_doc *doc, const cJSON *at, const char *name,
			    char *err, size_t errlen)
{
	char w[256];
	size_t n = strlen(name);
	if (n && name[0] != '.' && name[n - 1] != '.' && !strstr(name, ".."))
		return 0;
	snprintf(err, errlen, "%s: \"%s\" is not a field name (expected dotted names as in inventory.json, e.g. \"os.version_id\" or \"gpus.*.pcie\")",
		 anvil_json_where(doc, at, w, sizeof(w)), name);
	return -1;
}

static int check_expect_alias(const struct anvil_json_doc *doc, const cJSON *c, char *err, size_t errlen)
{
	char w[256], what[64];
	snprintf(what, sizeof(what), "\"expect\".\"%s\"", c->string);
	if (check_pin_value(doc, c, what, err, errlen))
		return -1;
	if (!strcmp(c->string, "gpus_per_node"))
		return anvil_json_check_number(doc, c, what, 0, 1024, 1, err, errlen);
	if (!strcmp(c->string, "pcie")) {
		const char *v = cJSON_IsString(c) ? c->valuestring : "", *p = v + 3;
		size_t gen = strncmp(v, "Gen", 3) ? 0 : strspn(p, "0123456789"), width = 0;
		if (gen && !strncmp(p + gen, " x", 2))
			width = strspn(p + gen + 2, "0123456789");
		if (!width || p[gen + 2 + width]) {
			snprintf(err, errlen, "%s: %s must read like \"Gen5 x16\" (generation and lane width of every GPU's link)",
				 anvil_json_where(doc, c, w, sizeof(w)), what);
			return -1;
		}
	}
	return 0;
}

/* "expect": values every node must report, checked by the drift judge
 * (reports/drift.c): aliases, "fields", "tolerances", "ignore". */
static int check_expect(const struct anvil_json_doc *doc, const cJSON *ex, char *err, size_t errlen)
{
	char w[256];
	const cJSON *c, *f;
	cJSON_ArrayForEach(c, ex) {
		if (!strcmp(c->string, "fields") || !strcmp(c->string, "tolerances")) {
			if (!cJSON_IsObject(c)) {
				snprintf(err, errlen, "%s: \"expect\".\"%s\" must be an object of field: value, found %s",
					 anvil_json_where(doc, c, w, sizeof(w)), c->string, anvil_json_type_name(c));
				return -1;
			}
			int tol = !strcmp(c->string, "tolerances");
			cJSON_ArrayForEach(f, c) {
				char what[320];
				snprintf(what, sizeof(what), "%s \"%s\"", tol ? "the tolerance of" : "the pinned value of", f->string);
				if (check_field_name(doc, f, f->string, err, errlen) ||
				    (tol ? anvil_json_check_number(doc, f, what, 0, 1, 0, err, errlen)
					 : check_pin_value(doc, f, what, err, errlen)))
					return -1;
				const cJSON *a;
				cJSON_ArrayForEach(a, ex)
					if (!tol && anvil_drift_alias(a->string) && !strcmp(anvil_drift_alias(a->string), f->string)) {
						snprintf(err, errlen, "%s: \"%s\" is pinned twice: here and as \"%s\"",
							 anvil_json_where(doc, f, w, sizeof(w)), f->string, a->string);
						return -1;
					}
			}
		} else if (!strcmp(c->string, "ignore")) {
			if (!cJSON_IsArray(c)) {
				snprintf(err, errlen, "%s: \"expect\".\"ignore\" must be an array of field names, found %s",
					 anvil_json_where(doc, c, w, sizeof(w)), anvil_json_type_name(c));
				return -1;
			}
			cJSON_ArrayForEach(f, c) {
				if (!cJSON_IsString(f)) {
					snprintf(err, errlen, "%s: \"expect\".\"ignore\" holds field names (strings), found %s",
						 anvil_json_where(doc, f, w, sizeof(w)), anvil_json_type_name(f));
					return -1;
				}
				if (check_field_name(doc, f, f->valuestring, err, errlen))
					return -1;
			}
		} else if (anvil_drift_alias(c->string)) {
			if (check_expect_alias(doc, c, err, errlen))
				return -1;
		} else {
			snprintf(err, errlen, "%s: unknown key \"%s\" in \"expect\" (expected fields, tolerances, ignore, or one of: %s)",
				 anvil_json_where(doc, c, w, sizeof(w)), c->string, anvil_drift_alias_names());
			return -1;
		}
	}
	return 0;
}

static const struct anvil_json_field slurm_fields[] = {
	{ "partition", AJ_STRING, 0 }, { "account", AJ_STRING, 0 }, { "qos", AJ_STRING, 0 },
	{ "constraint", AJ_STRING, 0 }, { "mpi", AJ_STRING, 0 }, { "exclusive", AJ_BOOL, 0 },
	{ "time_margin", AJ_NUMBER, 0 }, { NULL, 0, 0 },
};

/* srun --mpi plug-ins anvil knows to work with an MPI built for them. */
static const char *const slurm_mpi_names[] = { "pmix", "pmix_v3", "pmix_v4", "pmix_v5", "pmi2", "none", NULL };

static int check_slurm(const struct anvil_json_doc *doc, const cJSON *sl, char *err, size_t errlen)
{
	char w[256];
	if (anvil_json_check(doc, sl, "\"slurm\"", slurm_fields, err, errlen))
		return -1;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(sl, "mpi");
	int known = !m;
	for (int i = 0; m && slurm_mpi_names[i]; i++)
		known |= !strcmp(m->valuestring, slurm_mpi_names[i]);
	if (!known) {
		snprintf(err, errlen, "%s: unknown srun --mpi type \"%s\" (expected pmix, pmix_v3, pmix_v4, pmix_v5, pmi2 or none)",
			 anvil_json_where(doc, m, w, sizeof(w)), m->valuestring);
		return -1;
	}
	const cJSON *tm = cJSON_GetObjectItemCaseSensitive(sl, "time_margin");
	if (tm && anvil_json_check_number(doc, tm, "\"slurm\".\"time_margin\"", 1, 10, 0, err, errlen))
		return -1;
	/* text that goes into #SBATCH lines: one line, no shell or quote characters */
	const cJSON *c;
	cJSON_ArrayForEach(c, sl) {
		if (!cJSON_IsString(c))
			continue;
		for (const char *p = c->valuestring; *p; p++) {
			if (!(isalnum((unsigned char)*p) || strchr("-_.,:&|()[]!*", *p))) {
				snprintf(err, errlen, "%s: \"slurm\".\"%s\" holds '%c', which sbatch options never need (expected letters, digits and -_.,:&|()[]!*)",
					 anvil_json_where(doc, c, w, sizeof(w)), c->string, isprint((unsigned char)*p) ? *p : '?');
				return -1;
			}
		}
	}
	return 0;
}

static const struct anvil_json_field storage_fields[] = {
	{ "path", AJ_STRING, 0 }, { "description", AJ_STRING, 0 }, { "rated", AJ_OBJECT, 0 },
	{ "max_fill_fraction", AJ_NUMBER, 0 }, { NULL, 0, 0 },
};
static const struct anvil_json_field rated_fields[] = {
	{ "read_gbs", AJ_NUMBER, 0 }, { "write_gbs", AJ_NUMBER, 0 },
	{ "read_iops", AJ_NUMBER, 0 }, { "write_iops", AJ_NUMBER, 0 }, { NULL, 0, 0 },
};

/* "storage": the shared directory the I/O runners use and the figures the
 * file system is rated for (file systems have no datasheet). */
static int check_storage(const struct anvil_json_doc *doc, const cJSON *st, char *err, size_t errlen)
{
	char w[256];
	if (anvil_json_check(doc, st, "\"storage\"", storage_fields, err, errlen))
		return -1;
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(st, "path");
	if (path && !path->valuestring[0]) {
		snprintf(err, errlen, "%s: \"storage\".\"path\" is empty (expected the shared directory every node can write, e.g. \"/lustre/scratch/anvil\")",
			 anvil_json_where(doc, path, w, sizeof(w)));
		return -1;
	}
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(st, "max_fill_fraction");
	if (f && anvil_json_check_number(doc, f, "\"storage\".\"max_fill_fraction\"", 0, 1, 0, err, errlen))
		return -1;
	const cJSON *rated = cJSON_GetObjectItemCaseSensitive(st, "rated");
	if (rated && anvil_json_check(doc, rated, "\"storage\".\"rated\"", rated_fields, err, errlen))
		return -1;
	const cJSON *r;
	cJSON_ArrayForEach(r, rated) {
		char what[160];
		snprintf(what, sizeof(what), "rated figure \"%s\"", r->string);
		if (anvil_json_check_number(doc, r, what, 1e-9, 1e15, 0, err, errlen))
			return -1;
	}
	return 0;
}

int anvil_cluster_check(const struct anvil_json_doc *doc, char *err, size_t errlen)
{
	if (anvil_json_check(doc, doc->root, "the cluster config", cluster_fields, err, errlen) ||
	    check_schema(doc, "anvil-cluster/1", err, errlen))
		return -1;
	const cJSON *hw = cJSON_GetObjectItemCaseSensitive(doc->root, "hardware");
	if (hw && anvil_json_check(doc, hw, "\"hardware\"", hardware_fields, err, errlen))
		return -1;
	const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(doc->root, "nodes");
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(doc->root, "expect");
	const cJSON *sl = cJSON_GetObjectItemCaseSensitive(doc->root, "slurm");
	if ((nodes && check_nodes(doc, nodes, err, errlen)) || (ex && check_expect(doc, ex, err, errlen)) ||
	    (sl && check_slurm(doc, sl, err, errlen)))
		return -1;
	const cJSON *p;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(doc->root, "peaks")) {
		char what[160];
		snprintf(what, sizeof(what), "peak \"%s\"", p->string);
		if (anvil_json_check_number(doc, p, what, 1e-9, 1e12, 0, err, errlen))
			return -1;
	}
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(doc->root, "storage");
	if (st && check_storage(doc, st, err, errlen))
		return -1;
	const cJSON *r;
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(doc->root, "params")) {
		char w[256];
		if (!cJSON_IsObject(r)) {
			snprintf(err, errlen, "%s: \"params\".\"%s\" must be an object of runner parameters, found %s",
				 anvil_json_where(doc, r, w, sizeof(w)), r->string, anvil_json_type_name(r));
			return -1;
		}
	}
	return 0;
}

int anvil_profile_load(const char *name_or_path, struct anvil_json_doc *doc, char *err, size_t errlen)
{
	char path[PATH_MAX];
	if (strchr(name_or_path, '/') || strstr(name_or_path, ".json")) {
		snprintf(path, sizeof(path), "%s", name_or_path);
	} else {
		snprintf(path, sizeof(path), "%s/profiles/%s.json", anvil_config_dir(), name_or_path);
		if (access(path, R_OK) != 0) {
			char names[512];
			anvil_profile_names(names, sizeof(names));
			snprintf(err, errlen, "unknown profile \"%s\" (known: %s; or give a path to a .json file)",
				 name_or_path, names[0] ? names : "none found in the configs directory");
			return -1;
		}
	}
	if (anvil_json_load(path, 16u << 20, doc, err, errlen))
		return -1;
	if (anvil_profile_check(doc, err, errlen)) {
		anvil_json_doc_release(doc);
		return -1;
	}
	return 0;
}

int anvil_cluster_check_hardware(const struct anvil_json_doc *doc, const char *hardware_dir,
				 char *err, size_t errlen)
{
	const cJSON *pin;
	struct anvil_peaks *peaks = NULL;
	int rc = 0;
	cJSON_ArrayForEach(pin, cJSON_GetObjectItemCaseSensitive(doc->root, "hardware")) {
		if (!peaks)
			peaks = anvil_peaks_load(hardware_dir, NULL);
		const cJSON *sheet = anvil_peaks_by_id(peaks, pin->valuestring);
		const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sheet, "kind"));
		if (sheet && !strcmp(kind, pin->string))
			continue;
		char w[256], ids[1024];
		anvil_peaks_ids(peaks, pin->string, ids, sizeof(ids));
		if (sheet)
			snprintf(err, errlen, "%s: \"hardware\".\"%s\" pins datasheet \"%s\", which is a %s datasheet (%s datasheets: %s)",
				 anvil_json_where(doc, pin, w, sizeof(w)), pin->string, pin->valuestring, kind,
				 pin->string, ids[0] ? ids : "none");
		else
			snprintf(err, errlen, "%s: \"hardware\".\"%s\" pins datasheet \"%s\", which is not in %s (%s datasheets: %s)",
				 anvil_json_where(doc, pin, w, sizeof(w)), pin->string, pin->valuestring,
				 hardware_dir, pin->string, ids[0] ? ids : "none");
		rc = -1;
		break;
	}
	anvil_peaks_free(peaks);
	return rc;
}

int anvil_cluster_load(const char *path, struct anvil_json_doc *doc, char *err, size_t errlen)
{
	char hw[PATH_MAX];
	snprintf(hw, sizeof(hw), "%s/hardware", anvil_config_dir());
	if (anvil_json_load(path, 16u << 20, doc, err, errlen))
		return -1;
	if (anvil_cluster_check(doc, err, errlen) || anvil_cluster_check_hardware(doc, hw, err, errlen)) {
		anvil_json_doc_release(doc);
		return -1;
	}
	return 0;
}
