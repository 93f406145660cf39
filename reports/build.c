/* Journal records → the report tree (report.json's content), judged. */
#include "anvil_build_config.h"
#include "reports/report.h"
#include "reports/peaks.h"
#include "reports/pairwise.h"
#include "reports/drift.h"
#include "reports/ops.h"
#include "common/fsutil.h"
#include "common/journal.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const verdict_names[] = {
	"PASS", "SKIP", "WAIVED", "WARN", "NOT RUN", "ERROR", "FAIL",
};

const char *anvil_verdict_name(enum anvil_verdict v) { return verdict_names[v]; }

enum anvil_verdict anvil_verdict_parse(const char *s)
{
	for (int v = ANVIL_V_PASS; v <= ANVIL_V_FAIL; v++)
		if (s && !strcmp(s, verdict_names[v]))
			return (enum anvil_verdict)v;
	return ANVIL_V_ERROR;
}

static const char *str(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static void add_num(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

/* ---- gathering the journal ------------------------------------------- */

struct gathered {
	const cJSON *start;      /* first run record with a plan */
	cJSON *tests;            /* id → report test object (borrowed into report) */
	cJSON *order;            /* array of ids, plan order then journal order */
	cJSON *inventory;        /* host → inventory */
	cJSON *runinfo;
};

static cJSON *test_obj(struct gathered *g, const char *id, const char *runner)
{
	cJSON *t = cJSON_GetObjectItemCaseSensitive(g->tests, id);
	if (t)
		return t;
	t = cJSON_AddObjectToObject(g->tests, id);
	cJSON_AddStringToObject(t, "id", id);
	cJSON_AddStringToObject(t, "runner", runner ? runner : id);
	cJSON_AddStringToObject(t, "status", "not run");
	cJSON_AddArrayToObject(t, "metrics");
	cJSON_AddArrayToObject(t, "series");
	cJSON_AddArrayToObject(t, "info");
	cJSON_AddArrayToObject(t, "checks");
	cJSON_AddItemToArray(g->order, cJSON_CreateString(id));
	return t;
}

static void gather_run(struct gathered *g, const cJSON *rec)
{
	const char *ev = str(rec, "event");
	if (!g->start && cJSON_GetObjectItemCaseSensitive(rec, "plan")) {
		g->start = rec;
		const cJSON *t;
		cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "plan"), "tests"))
			test_obj(g, str(t, "id") ? str(t, "id") : "?", str(t, "runner"));
	}
	if (ev && (!strcmp(ev, "start") || !strcmp(ev, "resume"))) {
		cJSON *parts = cJSON_GetObjectItemCaseSensitive(g->runinfo, "parts");
		cJSON *p = cJSON_CreateObject();
		char iso[32];
		anvil_iso_time(num(rec, "t"), iso, sizeof(iso));
		cJSON_AddStringToObject(p, "event", ev);
		cJSON_AddStringToObject(p, "started", iso);
		add_num(p, "ranks", num(rec, "ranks"));
		add_num(p, "nodes", num(rec, "nodes"));
		cJSON_AddItemToObject(p, "hosts", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rec, "hosts"), 1));
		anvil_ops_part(p, rec);  /* hostlist, Slurm job: reports/ops.c */
		cJSON_AddItemToArray(parts, p);
	} else if (ev && !strcmp(ev, "end")) {
		cJSON_DeleteItemFromObjectCaseSensitive(g->runinfo, "end_status");
		cJSON_AddStringToObject(g->runinfo, "end_status", str(rec, "status") ? str(rec, "status") : "?");
		if (str(rec, "why")) {
			cJSON_DeleteItemFromObjectCaseSensitive(g->runinfo, "end_why");
			cJSON_AddStringToObject(g->runinfo, "end_why", str(rec, "why"));
		}
	}
}

static cJSON *strip_common(const cJSON *rec)
{
	cJSON *c = cJSON_Duplicate(rec, 1);
	const char *drop[] = { "v", "seq", "kind", "test", "runner" };
	for (size_t i = 0; i < sizeof(drop) / sizeof(*drop); i++)
		cJSON_DeleteItemFromObjectCaseSensitive(c, drop[i]);
	/* A journal may have been edited: in the report tree "name" and "host"
	 * are strings and "labels" an object of strings, or they are left out,
	 * so no judge or rendering meets another type there. */
	const char *strings[] = { "name", "host" };
	for (size_t i = 0; i < 2; i++)
		if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(c, strings[i])))
			cJSON_DeleteItemFromObjectCaseSensitive(c, strings[i]);
	cJSON *labels = cJSON_GetObjectItemCaseSensitive(c, "labels");
	if (labels && !cJSON_IsObject(labels))
		cJSON_DeleteItemFromObjectCaseSensitive(c, "labels");
	for (cJSON *l = cJSON_IsObject(labels) ? labels->child : NULL, *next; l; l = next) {
		next = l->next;
		if (!cJSON_IsString(l))
			cJSON_Delete(cJSON_DetachItemViaPointer(labels, l));
	}
	return c;
}

static void gather(struct gathered *g, const cJSON *records)
{
	const cJSON *rec;
	cJSON_ArrayForEach(rec, records) {
		const char *kind = str(rec, "kind"), *test = str(rec, "test");
		if (!kind)
			continue;
		if (!strcmp(kind, "run")) {
			gather_run(g, rec);
		} else if (!strcmp(kind, "repair")) {
			char note[200];
			snprintf(note, sizeof(note), "journal line %.0f was cut short by a crash mid-write; the run was resumed after it",
				 num(rec, "torn_line"));
			cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(g->runinfo, "notes"), cJSON_CreateString(note));
		} else if (!strcmp(kind, "inventory") && str(rec, "host")) {
			cJSON_DeleteItemFromObjectCaseSensitive(g->inventory, str(rec, "host"));
			cJSON_AddItemToObject(g->inventory, str(rec, "host"),
					      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rec, "inventory"), 1));
		} else if (test && !strcmp(kind, "test")) {
			cJSON *t = test_obj(g, test, str(rec, "runner"));
			cJSON_ReplaceItemInObjectCaseSensitive(t, "status", cJSON_CreateString(str(rec, "status") ? str(rec, "status") : "?"));
			cJSON_DeleteItemFromObjectCaseSensitive(t, "why");
			if (str(rec, "why"))
				cJSON_AddStringToObject(t, "why", str(rec, "why"));
			cJSON_DeleteItemFromObjectCaseSensitive(t, "duration_s");
			add_num(t, "duration_s", num(rec, "duration_s"));
		} else if (test) {
			const char *arr = !strcmp(kind, "metric") ? "metrics" : !strcmp(kind, "series") ? "series" :
					  !strcmp(kind, "info") ? "info" : !strcmp(kind, "check") ? "runner_checks" : NULL;
			if (!arr || (!strcmp(arr, "metrics") && !str(rec, "name")))
				continue;  /* a figure without a name judges nothing */
			cJSON *t = test_obj(g, test, str(rec, "runner"));
			cJSON *a = cJSON_GetObjectItemCaseSensitive(t, arr);
			if (!a)
				a = cJSON_AddArrayToObject(t, arr);
			cJSON_AddItemToArray(a, strip_common(rec));
		}
	}
}

/* ---- judging ---------------------------------------------------------- */

struct judge {
	const struct anvil_peaks *peaks;
	const cJSON *inventory;
};

static int labels_match(const cJSON *want, const cJSON *have)
{
	const cJSON *w;
	cJSON_ArrayForEach(w, want) {
		const char *h = str(have, w->string);
		if (!cJSON_IsString(w) || !h || strcmp(h, w->valuestring))
			return 0;
	}
	return 1;
}

static void label_text(const cJSON *labels, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	const cJSON *l;
	cJSON_ArrayForEach(l, labels)
		if (cJSON_IsString(l) && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s=%s", n ? "," : "", l->string, l->valuestring);
}

static cJSON *new_check(cJSON *checks, const char *test, const char *name, const char *rule,
			const cJSON *m, enum anvil_verdict v, const char *why)
{
	cJSON *c = cJSON_CreateObject();
	char lt[256], id[768];
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(m, "labels");
	label_text(labels, lt, sizeof(lt));
	const char *host = str(m, "host");
	snprintf(id, sizeof(id), "%s/%s/%s%s%s%s%s%s", test, name, rule, host ? "@" : "", host ? host : "",
		 lt[0] ? "[" : "", lt, lt[0] ? "]" : "");
	cJSON_AddStringToObject(c, "id", id);
	cJSON_AddStringToObject(c, "test", test);
	cJSON_AddStringToObject(c, "name", name);
	cJSON_AddStringToObject(c, "rule", rule);
	if (host)
		cJSON_AddStringToObject(c, "host", host);
	if (labels)
		cJSON_AddItemToObject(c, "labels", cJSON_Duplicate(labels, 1));
	cJSON_AddStringToObject(c, "verdict", anvil_verdict_name(v));
	cJSON_AddStringToObject(c, "why", why);
	cJSON_AddItemToArray(checks, c);
	return c;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Labels equal but for "gpu": a GPU's peers are the other GPUs, on this node too. */
static int peer_labels(const cJSON *a, const cJSON *b)
{
	const cJSON *l;
	cJSON_ArrayForEach(l, a) {
		if (!strcmp(l->string, "gpu"))
			continue;
		const char *o = str(b, l->string);
		if (!cJSON_IsString(l) || !o || strcmp(o, l->valuestring))
			return 0;
	}
	cJSON_ArrayForEach(l, b)
		if (strcmp(l->string, "gpu") && !str(a, l->string))
			return 0;
	return 1;
}

/* Median of the same figure of every other record (the other nodes, or the
 * other GPUs); NAN when there is none. */
static double peer_median(const cJSON *metrics, const cJSON *m, int *npeers)
{
	int n = 0, cap = cJSON_GetArraySize(metrics);
	double *v = malloc(sizeof(double) * (size_t)(cap + 1));
	const cJSON *o;
	cJSON_ArrayForEach(o, metrics) {
		if (o == m || strcmp(str(o, "name"), str(m, "name")) ||
		    !peer_labels(cJSON_GetObjectItemCaseSensitive(o, "labels"), cJSON_GetObjectItemCaseSensitive(m, "labels")) ||
		    !isfinite(num(o, "value")))
			continue;
		v[n++] = num(o, "value");
	}
	*npeers = n;
	double med = NAN;
	if (n) {
		qsort(v, (size_t)n, sizeof(double), cmp_double);
		med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	}
	free(v);
	return med;
}

/* Applies bounds on value; lower-is-better figures take max/warn as ceilings. */
static enum anvil_verdict bound(double value, double lo, double hi, double warn, int lower_better,
				double *limit)
{
	*limit = NAN;
	if (isfinite(lo)) {
		*limit = lo;
		if (value < lo)
			return ANVIL_V_FAIL;
	}
	if (isfinite(hi)) {
		if (!isfinite(*limit) || lower_better)
			*limit = hi;
		if (value > hi)
			return ANVIL_V_FAIL;
	}
	if (isfinite(warn) && (lower_better ? value > warn : value < warn))
		return ANVIL_V_WARN;
	return ANVIL_V_PASS;
}

/* A node's peak, or with "cluster." the sum over every node of the run (Rpeak). */
static int peak_for(const struct judge *j, const char *key, const cJSON *inv, const char *gpu,
		    double *value, char *src, size_t len)
{
	if (strncmp(key, "cluster.", 8))
		return anvil_peaks_get(j->peaks, key, inv, gpu, value, src, len);
	const cJSON *node;
	double sum = 0;
	int n = 0;
	cJSON_ArrayForEach(node, j->inventory) {
		double v;
		char why[400];
		if (anvil_peaks_get(j->peaks, key + 8, node, gpu, &v, why, sizeof(why))) {
			snprintf(src, len, "node %s: %s", node->string, why);
			return -1;
		}
		sum += v;
		n++;
	}
	if (!n) {
		snprintf(src, len, "no node inventory in the journal to sum %s over", key + 8);
		return -1;
	}
	*value = sum;
	snprintf(src, len, "sum of %s over %d node(s)", key + 8, n);
	return 0;
}

static void judge_metric(const struct judge *j, cJSON *checks, const char *test, const cJSON *rule,
			 const cJSON *metrics, const cJSON *m)
{
	const char *kind = str(rule, "rule"), *name = str(m, "name"), *unit = str(m, "unit");
	double value = num(m, "value");
	int lower = str(m, "better") && !strcmp(str(m, "better"), "lower");
	double mn = num(rule, "min"), mx = num(rule, "max"), wn = num(rule, "warn");
	char why[600];
	double limit = NAN, ref = NAN;
	enum anvil_verdict v;
	cJSON *extra = NULL;
	if (!unit)
		unit = "";
	if (!isfinite(value)) {
		v = ANVIL_V_ERROR;
		snprintf(why, sizeof(why), "%s was not measured (no value)", name);
	} else if (!strcmp(kind, "absolute")) {
		v = bound(value, mn, mx, wn, lower, &limit);
		snprintf(why, sizeof(why), "%s = %.4g %s; %s %.4g %s%s", name, value, unit,
			 isfinite(mn) && (!lower || !isfinite(mx)) ? "minimum" : "maximum", limit, unit,
			 v == ANVIL_V_WARN ? " (under the warning level)" : "");
	} else if (!strcmp(kind, "peak")) {
		char src[512];
		const cJSON *inv = cJSON_GetObjectItemCaseSensitive(j->inventory, str(m, "host") ? str(m, "host") : "");
		const char *gpu = str(cJSON_GetObjectItemCaseSensitive(m, "labels"), "gpu_name");
		if (peak_for(j, str(rule, "peak"), inv, gpu, &ref, src, sizeof(src))) {
			v = ANVIL_V_SKIP;
			snprintf(why, sizeof(why), "no peak to judge %s by: %s", name, src);
		} else {
			double frac = value / ref;
			v = bound(frac, mn, mx, wn, 0, &limit);
			limit *= ref;
			snprintf(why, sizeof(why), "%.4g %s is %.1f%% of the %.4g %s peak (%s); the floor is %.0f%%",
				 value, unit, 100 * frac, ref, unit, src, 100 * (isfinite(mn) ? mn : 0));
			extra = cJSON_CreateObject();
			add_num(extra, "value", ref);
			cJSON_AddStringToObject(extra, "source", src);
			add_num(extra, "fraction", frac);
		}
	} else { /* peers */
		int n;
		ref = peer_median(metrics, m, &n);
		if (!n) {
			v = ANVIL_V_SKIP;
			snprintf(why, sizeof(why), "no other node or GPU has %s to compare with", name);
		} else {
			double frac = value / ref;
			v = bound(frac, lower ? NAN : mn, lower ? mx : NAN, wn, lower, &limit);
			limit *= ref;
			snprintf(why, sizeof(why), "%.4g %s is %.1f%% of the median of %d peer(s) (%.4g %s); %s %.0f%%",
				 value, unit, 100 * frac, n, ref, unit, lower ? "ceiling" : "floor",
				 100 * (lower ? mx : mn));
			extra = cJSON_CreateObject();
			add_num(extra, "median", ref);
			cJSON_AddNumberToObject(extra, "peers", n);
			add_num(extra, "fraction", frac);
		}
	}
	cJSON *c = new_check(checks, test, name, kind, m, v, str(rule, "why") && v == ANVIL_V_FAIL ? str(rule, "why") : why);
	if (str(rule, "why") && v == ANVIL_V_FAIL)
		cJSON_AddStringToObject(c, "detail", why);
	add_num(c, "value", value);
	cJSON_AddStringToObject(c, "unit", unit);
	add_num(c, "limit", limit);
	if (extra)
		cJSON_AddItemToObject(c, !strcmp(kind, "peak") ? "peak" : "peers", extra);
}

static int rule_applies(const cJSON *rule, const cJSON *t)
{
	const char *want = str(rule, "test");
	return want && (!strcmp(want, str(t, "id")) || !strcmp(want, str(t, "runner")));
}

/* The run's profile was checked when it began, but a journal may have been
 * edited since: a rule that cannot be judged says why, as an ERROR check. */
static const char *rule_unusable(const cJSON *rule)
{
	const char *k = str(rule, "rule");
	if (!str(rule, "metric"))
		return "it names no \"metric\"";
	if (!k || (strcmp(k, "peak") && strcmp(k, "absolute") && strcmp(k, "peers")))
		return "its \"rule\" is not peak, absolute or peers";
	if (!strcmp(k, "peak") && !str(rule, "peak"))
		return "a \"peak\" rule names no \"peak\"";
	return NULL;
}

static void judge_rules(const struct judge *j, cJSON *t, const cJSON *profile)
{
	cJSON *checks = cJSON_GetObjectItemCaseSensitive(t, "checks");
	const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(t, "metrics");
	const char *status = str(t, "status"), *id = str(t, "id");
	const cJSON *rule;
	cJSON_ArrayForEach(rule, cJSON_GetObjectItemCaseSensitive(profile, "checks")) {
		if (!rule_applies(rule, t) || strcmp(status, "ok"))
			continue;
		const char *bad = rule_unusable(rule);
		if (bad) {
			char why[300];
			snprintf(why, sizeof(why), "a check of %s in the profile cannot be judged: %s", id, bad);
			new_check(checks, id, str(rule, "metric") ? str(rule, "metric") : "?",
				  str(rule, "rule") ? str(rule, "rule") : "?", NULL, ANVIL_V_ERROR, why);
			continue;
		}
		int hits = 0;
		const cJSON *m;
		cJSON_ArrayForEach(m, metrics) {
			if (strcmp(str(m, "name") ? str(m, "name") : "", str(rule, "metric")) ||
			    !labels_match(cJSON_GetObjectItemCaseSensitive(rule, "labels"),
					  cJSON_GetObjectItemCaseSensitive(m, "labels")))
				continue;
			judge_metric(j, checks, id, rule, metrics, m);
			hits++;
		}
		if (!hits) {
			char why[300];
			snprintf(why, sizeof(why), "the profile checks %s%s of %s, but the test recorded no such figure: nothing to judge",
				 str(rule, "metric"), cJSON_GetObjectItemCaseSensitive(rule, "labels") ? " (with the labels given)" : "", id);
			new_check(checks, id, str(rule, "metric"), str(rule, "rule"), NULL, ANVIL_V_SKIP, why);
		}
	}
}

static void judge_runner_checks(cJSON *t)
{
	cJSON *checks = cJSON_GetObjectItemCaseSensitive(t, "checks");
	const cJSON *rc;
	cJSON_ArrayForEach(rc, cJSON_GetObjectItemCaseSensitive(t, "runner_checks")) {
		int ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rc, "ok"));
		char why[600];
		snprintf(why, sizeof(why), "%s", str(rc, "why") ? str(rc, "why") :
			 ok ? "the runner's own check passed" : "the runner's own check failed");
		cJSON *c = new_check(checks, str(t, "id"), str(rc, "name") ? str(rc, "name") : "check",
				     "runner", rc, ok ? ANVIL_V_PASS : ANVIL_V_FAIL, why);
		add_num(c, "value", num(rc, "value"));
		add_num(c, "limit", num(rc, "limit"));
	}
	cJSON_DeleteItemFromObjectCaseSensitive(t, "runner_checks");
}

/* The test's status as a check: skipped, not run, error, timeout. */
static void judge_status(cJSON *t)
{
	const char *status = str(t, "status"), *why = str(t, "why");
	enum anvil_verdict v;
	char text[700];
	if (!strcmp(status, "ok"))
		return;
	if (!strcmp(status, "skipped")) {
		v = ANVIL_V_SKIP;
		snprintf(text, sizeof(text), "skipped: %s", why ? why : "no reason recorded");
	} else if (!strcmp(status, "not run")) {
		v = ANVIL_V_NOT_RUN;
		snprintf(text, sizeof(text), "not run: the journal has no result for this test (the run ended before it)");
	} else if (!strcmp(status, "timeout")) {
		v = ANVIL_V_FAIL;
		snprintf(text, sizeof(text), "timeout: %s", why ? why : "exceeded its timeout");
	} else {
		v = ANVIL_V_ERROR;
		snprintf(text, sizeof(text), "harness error: %s", why ? why : "no reason recorded");
	}
	new_check(cJSON_GetObjectItemCaseSensitive(t, "checks"), str(t, "id"), "status", "status", NULL, v, text);
}

/* The worst verdict; SKIP and WAIVED count only when every check is one. */
static enum anvil_verdict worst_of(const cJSON *checks)
{
	enum anvil_verdict w = ANVIL_V_PASS, quiet = ANVIL_V_PASS;
	const cJSON *c;
	int judged = 0, any = 0;
	cJSON_ArrayForEach(c, checks) {
		enum anvil_verdict v = anvil_verdict_parse(str(c, "verdict"));
		any = 1;
		if (v == ANVIL_V_SKIP || v == ANVIL_V_WAIVED) {
			quiet = v > quiet ? v : quiet;
			continue;
		}
		w = !judged || v > w ? v : w;
		judged = 1;
	}
	return judged || !any ? w : quiet;
}

int anvil_report_exit_code(const cJSON *report)
{
	enum anvil_verdict v = anvil_verdict_parse(str(report, "verdict"));
	return v == ANVIL_V_FAIL ? 1 : v >= ANVIL_V_NOT_RUN ? 3 : 0;
}

void anvil_report_summarise(cJSON *report)
{
	int counts[ANVIL_V_FAIL + 1] = { 0 };
	enum anvil_verdict overall = ANVIL_V_PASS;
	cJSON *t;
	const cJSON *c;
	cJSON *tests = cJSON_GetObjectItemCaseSensitive(report, "tests");
	cJSON_ArrayForEach(t, tests) {
		cJSON_DeleteItemFromObjectCaseSensitive(t, "verdict");
		cJSON_AddStringToObject(t, "verdict", verdict_names[worst_of(cJSON_GetObjectItemCaseSensitive(t, "checks"))]);
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "checks"))
			counts[anvil_verdict_parse(str(c, "verdict"))]++;
		enum anvil_verdict v = anvil_verdict_parse(str(t, "verdict"));
		if (v > overall && v != ANVIL_V_SKIP && v != ANVIL_V_WAIVED)
			overall = v;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(report, "summary");
	cJSON_DeleteItemFromObjectCaseSensitive(report, "verdict");
	cJSON_DeleteItemFromObjectCaseSensitive(report, "exit_code");
	cJSON *s = cJSON_AddObjectToObject(report, "summary");
	for (int v = ANVIL_V_PASS; v <= ANVIL_V_FAIL; v++)
		cJSON_AddNumberToObject(s, verdict_names[v], counts[v]);
	cJSON_AddStringToObject(report, "verdict", verdict_names[overall]);
	cJSON_AddNumberToObject(report, "exit_code", anvil_report_exit_code(report));
}

cJSON *anvil_report_build(const cJSON *records, const cJSON *profile, const char *hardware_dir,
			  const char *run_dir, int torn_tail, long torn_line, char *err, size_t errlen)
{
	struct gathered g = { 0 };
	g.tests = cJSON_CreateObject();
	g.order = cJSON_CreateArray();
	g.inventory = cJSON_CreateObject();
	g.runinfo = cJSON_CreateObject();
	cJSON_AddArrayToObject(g.runinfo, "parts");
	cJSON_AddArrayToObject(g.runinfo, "notes");
	gather(&g, records);
	if (!g.start) {
		snprintf(err, errlen, "%s%s%s: no run start record, the first record of every run (is this an anvil run directory?)",
			 run_dir ? run_dir : "", run_dir ? "/" : "", ANVIL_JOURNAL_NAME);
		cJSON_Delete(g.tests); cJSON_Delete(g.order); cJSON_Delete(g.inventory); cJSON_Delete(g.runinfo);
		return NULL;
	}
	const cJSON *cluster = cJSON_GetObjectItemCaseSensitive(g.start, "cluster");
	if (!profile)
		profile = cJSON_GetObjectItemCaseSensitive(g.start, "profile_doc");
	struct anvil_peaks *peaks = anvil_peaks_load(hardware_dir, cJSON_IsObject(cluster) ? cluster : NULL);
	struct judge j = { peaks, g.inventory };

	cJSON *report = cJSON_CreateObject();
	cJSON_AddStringToObject(report, "schema", ANVIL_REPORT_SCHEMA);
	char iso[32];
	anvil_iso_time(time(NULL), iso, sizeof(iso));
	cJSON_AddStringToObject(report, "generated", iso);
	cJSON_AddStringToObject(report, "anvil_version", ANVIL_VERSION);
	cJSON *run = cJSON_AddObjectToObject(report, "run");
	cJSON_AddStringToObject(run, "dir", run_dir ? run_dir : "");
	cJSON_AddStringToObject(run, "profile", str(profile, "name") ? str(profile, "name") : "?");
	const char *cname = str(cluster, "name");
	if (cname)
		cJSON_AddStringToObject(run, "cluster", cname);
	else
		cJSON_AddNullToObject(run, "cluster");
	cJSON_AddItemToObject(run, "parts", cJSON_DetachItemFromObjectCaseSensitive(g.runinfo, "parts"));
	cJSON_AddItemToObject(run, "profile_doc", cJSON_Duplicate(profile, 1));
	cJSON_AddStringToObject(run, "end", str(g.runinfo, "end_status") ? str(g.runinfo, "end_status") : "none (the run did not finish)");
	if (str(g.runinfo, "end_why"))
		cJSON_AddStringToObject(run, "end_why", str(g.runinfo, "end_why"));
	cJSON *journal = cJSON_AddObjectToObject(run, "journal");
	cJSON_AddNumberToObject(journal, "records", cJSON_GetArraySize(records));
	cJSON_AddBoolToObject(journal, "torn_tail", torn_tail);
	cJSON *notes = cJSON_DetachItemFromObjectCaseSensitive(g.runinfo, "notes");
	cJSON_AddItemToObject(report, "notes", notes);
	if (torn_tail) {
		char note[200];
		snprintf(note, sizeof(note), "the journal's last line (%ld) was cut short, as by a crash mid-write; it was ignored", torn_line);
		cJSON_AddItemToArray(notes, cJSON_CreateString(note));
	}
	if (*anvil_peaks_problems(peaks))
		cJSON_AddItemToArray(notes, cJSON_CreateString(anvil_peaks_problems(peaks)));

	cJSON *tests = cJSON_AddArrayToObject(report, "tests");
	const cJSON *id;
	cJSON_ArrayForEach(id, g.order) {
		cJSON *t = cJSON_DetachItemFromObjectCaseSensitive(g.tests, id->valuestring);
		if (!t)
			continue;
		judge_rules(&j, t, profile);
		anvil_pairwise_judge(t, profile);  /* node-pair tests: matrix, pair medians, culprits */
		judge_runner_checks(t);
		judge_status(t);
		cJSON_AddItemToArray(tests, t);
	}
	anvil_drift_judge(report, g.inventory, cJSON_IsObject(cluster) ? cluster : NULL);
	anvil_report_summarise(report);
	cJSON_AddItemToObject(report, "inventory", g.inventory);
	anvil_peaks_free(peaks);
	cJSON_Delete(g.tests);
	cJSON_Delete(g.order);
	cJSON_Delete(g.runinfo);
	return report;
}
