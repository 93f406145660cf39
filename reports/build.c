/* Journal records → the report tree (report.json's content), judged, one
 * test at a time (see engine.h); the rules themselves are in rules.c. */
#include "anvil_build_config.h"
#include "common/fmt.h"
#include "reports/engine.h"
#include "reports/arena.h"
#include "reports/checkq.h"
#include "reports/report.h"
#include "reports/rules.h"
#include "reports/peaks.h"
#include "reports/jsource.h"
#include "reports/jwrite.h"
#include "reports/keymap.h"
#include "reports/waivers.h"
#include "reports/baseline.h"
#include "reports/pairwise.h"
#include "reports/drift.h"
#include "reports/ops.h"
#include "common/fsutil.h"
#include "common/journal.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "reports/jget.h"

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

static void add_num(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

struct anvil_engine {
	struct anvil_jsource *src;
	const cJSON *start;          /* the first run record with a plan (in src's meta) */
	const cJSON *profile;
	const cJSON *cluster;
	struct anvil_peaks *peaks;
	struct anvil_judge judge;
	cJSON *inventory;            /* host -> inventory; owned until taken */
	cJSON *parts, *notes;
	const char *end_status, *end_why;
	char **order;                /* test ids in report order */
	size_t n, cap;
	struct anvil_keymap seen;
	struct anvil_keymap by_host;   /* host -> inventory, for the judges */
	struct anvil_keymap peaks_seen;
	struct anvil_waivers *waivers;
	struct anvil_baseline *base;
	cJSON *drift, *drift_summary;  /* reports/drift.c, on the inventories */
	cJSON *drift_test;             /* its "inventory" test, reported after the others */
	char *drift_id;                /* its id, while there is one (fixed: read on any thread) */
	char *run_dir;
	struct anvil_engine_sink sink;
	struct anvil_checkq *checkq;   /* where the sink's writes are made, once there is a sink */
	int counts[ANVIL_V_FAIL + 1];
	enum anvil_verdict overall;
};

/* ---- the run's own records -------------------------------------------- */

static void add_test_id(struct anvil_engine *e, const char *id)
{
	if (anvil_keymap_get(&e->seen, id, strlen(id)))
		return;
	anvil_keymap_put(&e->seen, id, strlen(id), (void *)1);
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 32;
		e->order = realloc(e->order, e->cap * sizeof(*e->order));
	}
	e->order[e->n++] = strdup(id);
}

static void gather_run(struct anvil_engine *e, const cJSON *rec)
{
	const char *ev = anvil_jstr(rec, "event");
	if (!e->start && anvil_jget(rec, "plan")) {
		e->start = rec;
		const cJSON *t;
		cJSON_ArrayForEach(t, anvil_jget(anvil_jget(rec, "plan"), "tests"))
			add_test_id(e, anvil_jstr(t, "id") ? anvil_jstr(t, "id") : "?");
	}
	if (ev && (!strcmp(ev, "start") || !strcmp(ev, "resume"))) {
		cJSON *p = cJSON_CreateObject();
		char iso[32];
		anvil_iso_time(anvil_jnum(rec, "t"), iso, sizeof(iso));
		cJSON_AddStringToObject(p, "event", ev);
		cJSON_AddStringToObject(p, "started", iso);
		add_num(p, "ranks", anvil_jnum(rec, "ranks"));
		add_num(p, "nodes", anvil_jnum(rec, "nodes"));
		cJSON_AddItemToObject(p, "hosts", cJSON_Duplicate(anvil_jget(rec, "hosts"), 1));
		anvil_ops_part(p, rec);  /* hostlist, Slurm job: reports/ops.c */
		cJSON_AddItemToArray(e->parts, p);
	} else if (ev && !strcmp(ev, "end")) {
		e->end_status = anvil_jstr(rec, "status") ? anvil_jstr(rec, "status") : "?";
		if (anvil_jstr(rec, "why"))
			e->end_why = anvil_jstr(rec, "why");
	}
}

static void gather_meta(struct anvil_engine *e)
{
	const cJSON *rec;
	cJSON_ArrayForEach(rec, anvil_jsource_meta(e->src)) {
		const char *kind = anvil_jstr(rec, "kind");
		if (!kind)
			continue;
		if (!strcmp(kind, "run")) {
			gather_run(e, rec);
		} else if (!strcmp(kind, "repair")) {
			char note[200];
			anvil_fmt(note, sizeof(note), "journal line %.0f was cut short by a crash mid-write; the run was resumed after it",
				 anvil_jnum(rec, "torn_line"));
			cJSON_AddItemToArray(e->notes, cJSON_CreateString(note));
		} else if (!strcmp(kind, "inventory") && anvil_jstr(rec, "host")) {
			/* a host's last inventory, in the place of its last record (found
			 * by the map: a search of the object for each of a thousand hosts
			 * was a tenth of a second) */
			const char *host = anvil_jstr(rec, "host");
			cJSON *old = anvil_keymap_put(&e->by_host, host, strlen(host), NULL);
			if (old)
				cJSON_Delete(cJSON_DetachItemViaPointer(e->inventory, old));
			cJSON *inv = anvil_jsource_meta_take(e->src, rec, "inventory");
			if (inv) {
				cJSON_AddItemToObject(e->inventory, host, inv);
				anvil_keymap_put(&e->by_host, host, strlen(host), inv);
			}
		}
	}
	for (size_t i = 0; i < anvil_jsource_ntests(e->src); i++)
		add_test_id(e, anvil_jsource_test_id(e->src, i));
}

/* Inventory drift needs only the inventories: judged before any test, its
 * "inventory" test (when it has checks) comes after the run's own tests. */
static void judge_drift(struct anvil_engine *e)
{
	cJSON *scratch = cJSON_CreateObject();
	anvil_drift_judge(scratch, e->inventory, e->cluster);
	e->drift = cJSON_DetachItemFromObjectCaseSensitive(scratch, "drift");
	e->drift_summary = cJSON_DetachItemFromObjectCaseSensitive(scratch, "drift_summary");
	cJSON *tests = anvil_jget(scratch, "tests");
	if (tests && tests->child) {
		e->drift_test = cJSON_DetachItemViaPointer(tests, tests->child);
		if (anvil_keymap_get(&e->seen, anvil_jstr(e->drift_test, "id"), strlen(anvil_jstr(e->drift_test, "id"))))
			cJSON_Delete(e->drift_test), e->drift_test = NULL;  /* a test of that name ran: it wins */
		else {
			add_test_id(e, anvil_jstr(e->drift_test, "id"));
			e->drift_id = strdup(anvil_jstr(e->drift_test, "id"));
		}
	}
	cJSON_Delete(scratch);
}

static void today_utc(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

struct anvil_engine *anvil_engine_new(struct anvil_jsource *src, const struct anvil_engine_opts *o,
				      char *err, size_t errlen)
{
	struct anvil_engine *e = calloc(1, sizeof(*e));
	e->src = src;
	e->inventory = cJSON_CreateObject();
	e->parts = cJSON_CreateArray();
	e->notes = cJSON_CreateArray();
	gather_meta(e);
	if (!e->start) {
		anvil_fmt(err, errlen, "%s%s%s: no run start record, the first record of every run (is this an anvil run directory?)",
			 o->run_dir ? o->run_dir : "", o->run_dir ? "/" : "", ANVIL_JOURNAL_NAME);
		anvil_engine_free(e);
		return NULL;
	}
	e->cluster = anvil_jget(e->start, "cluster");
	if (!cJSON_IsObject(e->cluster))
		e->cluster = NULL;
	e->profile = o->profile ? o->profile : anvil_jget(e->start, "profile_doc");
	e->peaks = anvil_peaks_load(o->hardware_dir, e->cluster);
	e->judge = (struct anvil_judge){ e->peaks, e->inventory, &e->by_host, &e->peaks_seen };
	e->base = o->base;
	e->run_dir = strdup(o->run_dir ? o->run_dir : "");
	char day[16];
	if (!o->today)
		today_utc(day, sizeof(day));
	e->waivers = anvil_waivers_new(e->profile, o->today ? o->today : day);
	long torn_line;
	if (anvil_jsource_torn(src, &torn_line)) {
		char note[200];
		anvil_fmt(note, sizeof(note), "the journal's last line (%ld) was cut short, as by a crash mid-write; it was ignored", torn_line);
		cJSON_AddItemToArray(e->notes, cJSON_CreateString(note));
	}
	if (*anvil_peaks_problems(e->peaks))
		cJSON_AddItemToArray(e->notes, cJSON_CreateString(anvil_peaks_problems(e->peaks)));
	anvil_waivers_notes(e->waivers, e->notes);
	judge_drift(e);
	return e;
}

void anvil_engine_free(struct anvil_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++)
		free(e->order[i]);
	free(e->order);
	anvil_keymap_release(&e->seen);
	anvil_keymap_release(&e->by_host);
	anvil_judge_release(&e->judge);
	anvil_keymap_release(&e->peaks_seen);
	anvil_peaks_free(e->peaks);
	anvil_waivers_free(e->waivers);
	cJSON_Delete(e->inventory);
	cJSON_Delete(e->parts);
	cJSON_Delete(e->notes);
	cJSON_Delete(e->drift);
	cJSON_Delete(e->drift_summary);
	cJSON_Delete(e->drift_test);
	anvil_checkq_free(e->checkq);
	free(e->drift_id);
	free(e->run_dir);
	free(e);
}

const cJSON *anvil_engine_profile(const struct anvil_engine *e) { return e->profile; }

void anvil_engine_set_sink(struct anvil_engine *e, const struct anvil_engine_sink *sink)
{
	e->sink = sink ? *sink : (struct anvil_engine_sink){ NULL, NULL, NULL };
	if (sink && !e->checkq)
		e->checkq = anvil_checkq_new();
}

uint64_t anvil_engine_sink_mark(struct anvil_engine *e)
{
	return e->checkq ? anvil_checkq_mark(e->checkq) : 0;
}

void anvil_engine_sink_wait(struct anvil_engine *e, uint64_t mark)
{
	if (e->checkq)
		anvil_checkq_wait(e->checkq, mark);
}
size_t anvil_engine_ntests(const struct anvil_engine *e) { return e->n; }
const cJSON *anvil_engine_inventory(const struct anvil_engine *e) { return e->inventory; }

cJSON *anvil_engine_take_inventory(struct anvil_engine *e)
{
	cJSON *inv = e->inventory;
	e->inventory = NULL;
	e->judge.inventory = NULL;  /* the report owns it now; the hash still points into it */
	return inv;
}

cJSON *anvil_engine_head(struct anvil_engine *e)
{
	cJSON *report = cJSON_CreateObject();
	cJSON_AddStringToObject(report, "schema", ANVIL_REPORT_SCHEMA);
	char iso[32];
	anvil_iso_time(time(NULL), iso, sizeof(iso));
	cJSON_AddStringToObject(report, "generated", iso);
	cJSON_AddStringToObject(report, "anvil_version", ANVIL_VERSION);
	cJSON *run = cJSON_AddObjectToObject(report, "run");
	cJSON_AddStringToObject(run, "dir", e->run_dir);
	cJSON_AddStringToObject(run, "profile", anvil_jstr(e->profile, "name") ? anvil_jstr(e->profile, "name") : "?");
	const char *cname = anvil_jstr(e->cluster, "name");
	if (cname)
		cJSON_AddStringToObject(run, "cluster", cname);
	else
		cJSON_AddNullToObject(run, "cluster");
	cJSON_AddItemToObject(run, "parts", cJSON_Duplicate(e->parts, 1));
	cJSON_AddItemToObject(run, "profile_doc", cJSON_Duplicate(e->profile, 1));
	if (e->cluster)
		cJSON_AddItemToObject(run, "cluster_doc", cJSON_Duplicate(e->cluster, 1));
	cJSON_AddStringToObject(run, "end", e->end_status ? e->end_status : "none (the run did not finish)");
	if (e->end_why)
		cJSON_AddStringToObject(run, "end_why", e->end_why);
	cJSON *journal = cJSON_AddObjectToObject(run, "journal");
	cJSON_AddNumberToObject(journal, "records", (double)anvil_jsource_records_count(e->src));
	cJSON_AddBoolToObject(journal, "torn_tail", anvil_jsource_torn(e->src, NULL));
	cJSON_AddItemToObject(report, "notes", cJSON_Duplicate(e->notes, 1));
	if (e->drift)
		cJSON_AddItemToObject(report, "drift", cJSON_Duplicate(e->drift, 1));
	if (e->drift_summary)
		cJSON_AddItemToObject(report, "drift_summary", cJSON_Duplicate(e->drift_summary, 1));
	cJSON_AddArrayToObject(report, "tests");
	return report;
}

/* ---- one test ------------------------------------------------------------ */

static const cJSON *plan_entry(const struct anvil_engine *e, const char *id)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, anvil_jget(anvil_jget(e->start, "plan"), "tests"))
		if (!strcmp(anvil_jstr(t, "id") ? anvil_jstr(t, "id") : "?", id))
			return t;
	return NULL;
}

static cJSON *test_new(const char *id, const char *runner, const char *scope)
{
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "id", id);
	cJSON_AddStringToObject(t, "runner", runner ? runner : id);
	if (scope)
		cJSON_AddStringToObject(t, "scope", scope);
	cJSON_AddStringToObject(t, "status", "not run");
	cJSON_AddArrayToObject(t, "metrics");
	cJSON_AddArrayToObject(t, "series");
	cJSON_AddArrayToObject(t, "info");
	cJSON_AddArrayToObject(t, "checks");
	return t;
}

/* "v", "seq", "kind", "test" or "runner": said once for the test, not in
 * each of its records (the first letter first: a record of a thousand
 * nodes' test is one of hundreds of thousands). */
static int is_common_field(const char *k)
{
	switch (k[0]) {
	case 'v':
		return !k[1];
	case 's':
		return !strcmp(k, "seq");
	case 'k':
		return !strcmp(k, "kind");
	case 't':
		return !strcmp(k, "test");
	case 'r':
		return !strcmp(k, "runner");
	default:
		return 0;
	}
}

/* One record of the test, owned: moved into the test without its common fields. */
/* A record into its test's tree; 1 when it is a figure of a node pair. */
static int gather_record(cJSON *t, cJSON *rec)
{
	const char *kind = anvil_jstr(rec, "kind");
	if (!strcmp(kind, "test")) {
		cJSON_ReplaceItemInObjectCaseSensitive(t, "status", cJSON_CreateString(anvil_jstr(rec, "status") ? anvil_jstr(rec, "status") : "?"));
		cJSON_DeleteItemFromObjectCaseSensitive(t, "why");
		if (anvil_jstr(rec, "why"))
			cJSON_AddStringToObject(t, "why", anvil_jstr(rec, "why"));
		cJSON_DeleteItemFromObjectCaseSensitive(t, "duration_s");
		add_num(t, "duration_s", anvil_jnum(rec, "duration_s"));
		cJSON_DeleteItemFromObjectCaseSensitive(t, "started");
		if (isfinite(anvil_jnum(rec, "started"))) {
			char iso[32];
			anvil_iso_time(anvil_jnum(rec, "started"), iso, sizeof(iso));
			cJSON_AddStringToObject(t, "started", iso);
		}
		cJSON_Delete(rec);
		return 0;
	}
	const char *arr = !strcmp(kind, "metric") ? "metrics" : !strcmp(kind, "series") ? "series" :
			  !strcmp(kind, "info") ? "info" : "runner_checks";
	/* the record's common fields, in one walk over its members */
	for (cJSON *m = rec->child, *next; m; m = next) {
		next = m->next;
		if (m->string && is_common_field(m->string))
			cJSON_Delete(cJSON_DetachItemViaPointer(rec, m));
	}
	/* A journal may have been edited: in the report tree "name" and "host"
	 * are strings and "labels" an object of strings, or they are left out,
	 * so no judge or rendering meets another type there. */
	static const char *const strings[] = { "name", "host" };
	for (size_t i = 0; i < 2; i++)
		if (!cJSON_IsString(anvil_jget(rec, strings[i])))
			cJSON_DeleteItemFromObjectCaseSensitive(rec, strings[i]);
	cJSON *labels = anvil_jget(rec, "labels");
	if (labels && !cJSON_IsObject(labels))
		cJSON_DeleteItemFromObjectCaseSensitive(rec, "labels");
	for (cJSON *l = cJSON_IsObject(labels) ? labels->child : NULL, *next; l; l = next) {
		next = l->next;
		if (!cJSON_IsString(l))
			cJSON_Delete(cJSON_DetachItemViaPointer(labels, l));
	}
	if (!strcmp(arr, "metrics") && !anvil_jstr(rec, "name")) {
		cJSON_Delete(rec);  /* a figure without a name judges nothing */
		return 0;
	}
	cJSON *a = anvil_jget(t, arr);
	if (!a)
		a = cJSON_AddArrayToObject(t, arr);
	cJSON_AddItemToArray(a, rec);
	return !strcmp(arr, "metrics") && anvil_pairwise_metric(rec);  /* looked at while it is in the cache */
}

static void judge_runner_checks(cJSON *t)
{
	cJSON *checks = anvil_jget(t, "checks");
	const cJSON *rc;
	cJSON_ArrayForEach(rc, anvil_jget(t, "runner_checks")) {
		int ok = cJSON_IsTrue(anvil_jget(rc, "ok"));
		char why[600];
		anvil_fmt(why, sizeof(why), "%s", anvil_jstr(rc, "why") ? anvil_jstr(rc, "why") :
			 ok ? "the runner's own check passed" : "the runner's own check failed");
		cJSON *c = anvil_check_new(checks, anvil_jstr(t, "id"), anvil_jstr(rc, "name") ? anvil_jstr(rc, "name") : "check",
					   "runner", rc, ok ? ANVIL_V_PASS : ANVIL_V_FAIL, why);
		add_num(c, "value", anvil_jnum(rc, "value"));
		add_num(c, "limit", anvil_jnum(rc, "limit"));
	}
	cJSON_DeleteItemFromObjectCaseSensitive(t, "runner_checks");
}

/* The test's status as a check: skipped, not run, error, timeout. */
static void judge_status(cJSON *t)
{
	const char *status = anvil_jstr(t, "status"), *why = anvil_jstr(t, "why");
	enum anvil_verdict v;
	char text[700];
	if (!strcmp(status, "ok"))
		return;
	if (!strcmp(status, "skipped")) {
		v = ANVIL_V_SKIP;
		anvil_fmt(text, sizeof(text), "skipped: %s", why ? why : "no reason recorded");
	} else if (!strcmp(status, "not run")) {
		v = ANVIL_V_NOT_RUN;
		anvil_fmt(text, sizeof(text), "not run: the journal has no result for this test (the run ended before it)");
	} else if (!strcmp(status, "timeout")) {
		v = ANVIL_V_FAIL;
		anvil_fmt(text, sizeof(text), "timeout: %s", why ? why : "exceeded its timeout");
	} else {
		v = ANVIL_V_ERROR;
		anvil_fmt(text, sizeof(text), "harness error: %s", why ? why : "no reason recorded");
	}
	anvil_check_new(anvil_jget(t, "checks"), anvil_jstr(t, "id"), "status", "status", NULL, v, text);
}

/* The worst verdict; SKIP and WAIVED count only when every check is one. */
static enum anvil_verdict worst_of(const cJSON *checks)
{
	enum anvil_verdict w = ANVIL_V_PASS, quiet = ANVIL_V_PASS;
	const cJSON *c;
	int judged = 0, any = 0;
	cJSON_ArrayForEach(c, checks) {
		enum anvil_verdict v = anvil_verdict_parse(anvil_jstr(c, "verdict"));
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

static void count_test(int *counts, enum anvil_verdict *overall, const cJSON *t)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, anvil_jget(t, "checks"))
		counts[anvil_verdict_parse(anvil_jstr(c, "verdict"))]++;
	enum anvil_verdict v = anvil_verdict_parse(anvil_jstr(t, "verdict"));
	if (v > *overall && v != ANVIL_V_SKIP && v != ANVIL_V_WAIVED)
		*overall = v;
}

/* Every check carries value, unit and limit, null (and "") where the judge
 * has none: a test's status, a rule with nothing to judge. */
static void complete_check(cJSON *c)
{
	if (!anvil_jget(c, "value"))
		cJSON_AddItemToObjectCS(c, "value", cJSON_CreateNull());
	if (!anvil_jget(c, "unit"))
		cJSON_AddItemToObjectCS(c, "unit", cJSON_CreateString(""));
	if (!anvil_jget(c, "limit"))
		cJSON_AddItemToObjectCS(c, "limit", cJSON_CreateNull());
}

static cJSON *finish_test(struct anvil_engine *e, cJSON *t)
{
	cJSON *c;
	cJSON_ArrayForEach(c, anvil_jget(t, "checks"))
		complete_check(c);
	anvil_waivers_apply(e->waivers, t);
	cJSON_AddStringToObject(t, "verdict", verdict_names[worst_of(anvil_jget(t, "checks"))]);
	count_test(e->counts, &e->overall, t);
	return t;
}

/* Checks handed to the sink as they become final; the test's verdict is
 * kept as worst_of would find it over all of them. */
struct drain {
	struct anvil_engine *e;
	int arena;              /* the test's tree is in the arena: checks go to a scratch region */
	int scratch;            /* which, for this batch */
	cJSON *last;            /* the last check kept; those after it are new */
	int counts[ANVIL_V_FAIL + 1];
	enum anvil_verdict worst, quiet;
	int judged, any;
};

static void drain(void *arg, cJSON *t)
{
	struct drain *d = arg;
	struct anvil_checkq *q = d->e->checkq;
	cJSON *checks = anvil_jget(t, "checks"), *c, *next;
	anvil_checkq_begin(q, d->e->sink.write, d->e->sink.arg, anvil_jstr(t, "id"));
	for (c = d->last ? d->last->next : checks->child; c; c = next) {
		next = c->next;
		complete_check(c);
		anvil_waivers_apply_check(d->e->waivers, t, c);
		enum anvil_verdict v = anvil_verdict_parse(anvil_jstr(c, "verdict"));
		d->counts[v]++;
		d->any = 1;
		if (v == ANVIL_V_SKIP || v == ANVIL_V_WAIVED) {
			d->quiet = v > d->quiet ? v : d->quiet;
		} else {
			d->worst = !d->judged || v > d->worst ? v : d->worst;
			d->judged = 1;
		}
		/* written from where it is now (the scratch region's copy stays
		 * until the batch is written; a malloc'd check is freed then) */
		anvil_checkq_add(q, c);
		if (d->e->sink.keep(d->e->sink.arg, v)) {
			if (d->arena) {  /* kept: into the test's region */
				anvil_arena_on(ANVIL_ARENA_TEST);
				cJSON *keep = cJSON_Duplicate(c, 1);
				anvil_arena_on(ANVIL_ARENA_SCRATCH);
				cJSON_ReplaceItemViaPointer(checks, c, keep);  /* frees nothing of the scratch region's */
				c = keep;
			}
			d->last = c;
		} else if (d->arena) {
			cJSON_DetachItemViaPointer(checks, c);  /* in the scratch region: gone once written */
		} else {
			anvil_checkq_drop(q, cJSON_DetachItemViaPointer(checks, c));
		}
	}
	anvil_checkq_hand(q, d->arena ? d->scratch : -1);
	if (d->arena) {  /* the next batch in the other scratch region, once its last batch is written */
		d->scratch ^= 1;
		anvil_checkq_scratch_free(q, d->scratch);
		anvil_arena_scratch(d->scratch);
	}
}

/* The runner's own checks, a few thousand at a time into the sink. */
static void judge_runner_checks_drained(cJSON *t, struct drain *d)
{
	cJSON *rcs = cJSON_DetachItemFromObjectCaseSensitive(t, "runner_checks");
	while (rcs && rcs->child) {
		cJSON *part = cJSON_AddArrayToObject(t, "runner_checks");
		for (int n = 0; n < 4096 && rcs->child; n++)
			cJSON_AddItemToArray(part, cJSON_DetachItemViaPointer(rcs, rcs->child));
		judge_runner_checks(t);
		drain(d, t);
	}
	cJSON_Delete(rcs);
}

static cJSON *judge_drained(struct anvil_engine *e, cJSON *t)
{
	/* Hundreds of thousands of checks are made, written and (most) dropped:
	 * when the test is in the arena, in its two scratch regions by turns,
	 * each reset once the batch made in it is written (reports/checkq.c). */
	int region = anvil_arena_on(0);
	struct drain d = { e, region == ANVIL_ARENA_TEST, 0, NULL, { 0 }, ANVIL_V_PASS, ANVIL_V_PASS, 0, 0 };
	if (d.arena) {
		anvil_checkq_scratch_free(e->checkq, 0);
		anvil_arena_scratch(0);
	}
	anvil_arena_on(d.arena ? ANVIL_ARENA_SCRATCH : region);
	anvil_rules_judge(&e->judge, t, e->profile, drain, &d);
	judge_runner_checks_drained(t, &d);
	judge_status(t);
	drain(&d, t);
	if (e->base) {
		anvil_baseline_test(e->base, t, e->profile);
		drain(&d, t);
	}
	anvil_arena_on(region);
	enum anvil_verdict v = d.judged || !d.any ? d.worst : d.quiet;
	cJSON_AddStringToObject(t, "verdict", verdict_names[v]);
	cJSON *cc = cJSON_AddObjectToObject(t, "check_counts");
	for (int k = ANVIL_V_PASS; k <= ANVIL_V_FAIL; k++) {
		cJSON_AddNumberToObject(cc, verdict_names[k], d.counts[k]);
		e->counts[k] += d.counts[k];
	}
	if (v > e->overall && v != ANVIL_V_SKIP && v != ANVIL_V_WAIVED)
		e->overall = v;
	return t;
}

int anvil_engine_sunk(const cJSON *t)
{
	return anvil_jget(t, "check_counts") != NULL;
}

static int is_drift(const struct anvil_engine *e, const char *id)
{
	return e->drift_id && !strcmp(id, e->drift_id);
}

cJSON *anvil_engine_records(const struct anvil_engine *e, size_t i, char *err, size_t errlen)
{
	const char *id = e->order[i];
	size_t at = is_drift(e, id) ? (size_t)-1 : anvil_jsource_find(e->src, id);
	return at == (size_t)-1 ? cJSON_CreateArray() : anvil_jsource_test_records(e->src, at, err, errlen);
}

uint64_t anvil_engine_records_bytes(const struct anvil_engine *e, size_t i)
{
	const char *id = e->order[i];
	size_t at = is_drift(e, id) ? (size_t)-1 : anvil_jsource_find(e->src, id);
	return at == (size_t)-1 ? 0 : anvil_jsource_test_bytes(e->src, at);
}

cJSON *anvil_engine_judge(struct anvil_engine *e, size_t i, cJSON *recs)
{
	const char *id = e->order[i];
	if (e->drift_test && is_drift(e, id)) {
		cJSON *t = e->drift_test;
		e->drift_test = NULL;
		cJSON_Delete(recs);
		return finish_test(e, t);
	}
	const cJSON *plan = plan_entry(e, id);
	const char *runner = plan ? anvil_jstr(plan, "runner") : recs->child ? anvil_jstr(recs->child, "runner") : NULL;
	cJSON *t = test_new(id, runner, plan ? anvil_jstr(plan, "scope") : NULL);
	cJSON *rec;
	int pairs = anvil_pairwise_runner(t);
	while ((rec = cJSON_DetachItemViaPointer(recs, recs->child)))
		pairs |= gather_record(t, rec);
	cJSON_Delete(recs);
	if (e->sink.write && e->checkq && !pairs)
		return judge_drained(e, t);
	anvil_rules_judge(&e->judge, t, e->profile, NULL, NULL);
	anvil_pairwise_judge(t, e->profile);  /* node-pair tests: matrix, pair medians, culprits */
	judge_runner_checks(t);
	judge_status(t);
	if (e->base)
		anvil_baseline_test(e->base, t, e->profile);
	return finish_test(e, t);
}

cJSON *anvil_engine_test(struct anvil_engine *e, size_t i, char *err, size_t errlen)
{
	cJSON *recs = anvil_engine_records(e, i, err, errlen);
	return recs ? anvil_engine_judge(e, i, recs) : NULL;
}

/* ---- the whole report ------------------------------------------------------ */

int anvil_report_exit_code(const cJSON *report)
{
	enum anvil_verdict v = anvil_verdict_parse(anvil_jstr(report, "verdict"));
	return v == ANVIL_V_FAIL ? 1 : v >= ANVIL_V_NOT_RUN ? 3 : 0;
}

static void set_summary(cJSON *report, const int *counts, enum anvil_verdict overall)
{
	cJSON_DeleteItemFromObjectCaseSensitive(report, "summary");
	cJSON_DeleteItemFromObjectCaseSensitive(report, "verdict");
	cJSON_DeleteItemFromObjectCaseSensitive(report, "exit_code");
	cJSON *s = cJSON_AddObjectToObject(report, "summary");
	for (int v = ANVIL_V_PASS; v <= ANVIL_V_FAIL; v++)
		cJSON_AddNumberToObject(s, verdict_names[v], counts[v]);
	cJSON_AddStringToObject(report, "verdict", verdict_names[overall]);
	cJSON_AddNumberToObject(report, "exit_code", anvil_report_exit_code(report));
}

void anvil_engine_summary(const struct anvil_engine *e, cJSON *report)
{
	set_summary(report, e->counts, e->overall);
}

cJSON *anvil_engine_waivers(const struct anvil_engine *e)
{
	return anvil_waivers_section(e->waivers);
}

void anvil_report_summarise(cJSON *report)
{
	int counts[ANVIL_V_FAIL + 1] = { 0 };
	enum anvil_verdict overall = ANVIL_V_PASS;
	cJSON *t;
	cJSON_ArrayForEach(t, anvil_jget(report, "tests")) {
		cJSON_DeleteItemFromObjectCaseSensitive(t, "verdict");
		cJSON_AddStringToObject(t, "verdict", verdict_names[worst_of(anvil_jget(t, "checks"))]);
		count_test(counts, &overall, t);
	}
	set_summary(report, counts, overall);
}

cJSON *anvil_report_build(const cJSON *records, const cJSON *profile, const char *hardware_dir,
			  const char *run_dir, int torn_tail, long torn_line, char *err, size_t errlen)
{
	struct anvil_jsource *src = anvil_jsource_records(records, torn_tail, torn_line);
	struct anvil_engine_opts o = { profile, hardware_dir, run_dir, NULL, NULL };
	cJSON *report = anvil_report_build_from(src, &o, err, errlen);
	anvil_jsource_free(src);
	return report;
}

cJSON *anvil_report_build_from(struct anvil_jsource *src, const struct anvil_engine_opts *o,
			       char *err, size_t errlen)
{
	struct anvil_engine *e = anvil_engine_new(src, o, err, errlen);
	if (!e)
		return NULL;
	cJSON *report = anvil_engine_head(e);
	cJSON *tests = anvil_jget(report, "tests");
	for (size_t i = 0; i < anvil_engine_ntests(e); i++) {
		cJSON *t = anvil_engine_test(e, i, err, errlen);
		if (!t) {
			cJSON_Delete(report);
			anvil_engine_free(e);
			return NULL;
		}
		anvil_jw_unraw(t);
		cJSON_AddItemToArray(tests, t);
	}
	anvil_engine_summary(e, report);
	if (e->base)
		cJSON_AddItemToObject(report, "baseline", anvil_baseline_section(e->base, 0));
	cJSON *w = anvil_engine_waivers(e);
	if (w)
		cJSON_AddItemToObject(report, "waivers", w);
	cJSON_AddItemToObject(report, "inventory", anvil_engine_take_inventory(e));
	anvil_engine_free(e);
	return report;
}
