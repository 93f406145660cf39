/* Regression against a baseline run; see baseline.h. The baseline's figures
 * are kept in a hash by (test, name, host, labels), so each figure of the new
 * run costs one lookup, and only its figures are ever read. */
#include "reports/baseline.h"
#include "reports/arena.h"
#include "reports/report.h"
#include "reports/rules.h"
#include "reports/rscan.h"
#include "common/json.h"
#include "reports/jsource.h"
#include "reports/jwrite.h"
#include "reports/keymap.h"
#include "common/journal.h"
#include "common/fsutil.h"
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/sort.h"
#include "reports/jget.h"

#define KEPT_ROWS 2000
#define MISSING_ROWS 1000

struct fig {
	double value, spread;
	int used;
	char *unit;
	char *ident;    /* {"test", "name", "host", "labels"} as compact JSON, for the missing list */
};

struct anvil_baseline {
	char *source, *generated;
	struct anvil_keymap figs;     /* key -> struct fig */
	struct strbuf key;            /* scratch */
	struct strbuf rows;           /* every row, compact JSON, comma-separated */
	cJSON *kept;                  /* rows kept as a tree */
	int keep_all;
	long nrows, regressions, warnings;
	double tolerance, k;          /* the profile's defaults, as last used */
};

static const char *s(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
	return v ? v : "";
}

double anvil_metric_spread(const cJSON *m)
{
	double sd = anvil_jnum(m, "stddev");
	if (isfinite(sd) && sd >= 0)
		return sd;
	const cJSON *v;
	double sum = 0, sq = 0;
	int n = 0;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(m, "samples"))
		if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
			sum += v->valuedouble;
			n++;
		}
	if (n < 2)
		return NAN;
	double mean = sum / n;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(m, "samples"))
		if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
			sq += (v->valuedouble - mean) * (v->valuedouble - mean);
	return sqrt(sq / (n - 1));
}


/* test, name, host and the labels in key order, each with its length. */
static void fig_key(struct strbuf *key, const char *test, const cJSON *m)
{
	const char *name = s(m, "name"), *host = s(m, "host");
	key->len = 0;
	anvil_key_add(key, test);
	anvil_key_add(key, name);
	anvil_key_add(key, host);
	anvil_key_add_labels(key, cJSON_GetObjectItemCaseSensitive(m, "labels"), NULL);
}

static struct anvil_baseline *baseline_new(const char *source)
{
	struct anvil_baseline *b = calloc(1, sizeof(*b));
	b->source = strdup(source);
	b->generated = strdup("");
	strbuf_init(&b->key);
	strbuf_init(&b->rows);
	b->kept = cJSON_CreateArray();
	b->tolerance = ANVIL_BASELINE_TOLERANCE;
	b->k = ANVIL_BASELINE_K;
	return b;
}

/* A figure of the baseline; one without a direction or a value is no figure. */
static void add_fig(struct anvil_baseline *b, const char *test, const cJSON *m)
{
	const char *better = s(m, "better");
	double v = anvil_jnum(m, "value");
	if ((strcmp(better, "higher") && strcmp(better, "lower")) || !isfinite(v))
		return;
	fig_key(&b->key, test, m);
	struct fig *f = calloc(1, sizeof(*f));
	f->value = v;
	f->spread = anvil_metric_spread(m);
	f->unit = strdup(s(m, "unit"));
	cJSON *id = cJSON_CreateObject();
	cJSON_AddStringToObject(id, "test", test);
	cJSON_AddStringToObject(id, "name", s(m, "name"));
	cJSON_AddStringToObject(id, "host", s(m, "host"));
	if (cJSON_GetObjectItemCaseSensitive(m, "labels"))
		cJSON_AddItemToObject(id, "labels", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(m, "labels"), 1));
	struct strbuf text = STRBUF_INIT;
	anvil_jw_compact(&text, id);
	cJSON_Delete(id);
	f->ident = strbuf_detach(&text);
	struct fig *old = anvil_keymap_put(&b->figs, b->key.buf, b->key.len, f);
	if (old) {
		free(old->unit);
		free(old->ident);
		free(old);
	}
}

struct anvil_baseline *anvil_baseline_from_report(const cJSON *report, const char *source)
{
	struct anvil_baseline *b = baseline_new(source);
	free(b->generated);
	b->generated = strdup(s(report, "generated"));
	const cJSON *t, *m;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(report, "tests"))
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(t, "metrics"))
			add_fig(b, s(t, "id"), m);
	return b;
}

static void free_fig(void *value, void *arg)
{
	struct fig *f = value;
	(void)arg;
	free(f->unit);
	free(f->ident);
	free(f);
}

void anvil_baseline_free(struct anvil_baseline *b)
{
	if (!b)
		return;
	anvil_keymap_each(&b->figs, free_fig, NULL);
	anvil_keymap_release(&b->figs);
	strbuf_release(&b->key);
	strbuf_release(&b->rows);
	cJSON_Delete(b->kept);
	free(b->source);
	free(b->generated);
	free(b);
}

void anvil_baseline_keep_all(struct anvil_baseline *b) { b->keep_all = 1; }
long anvil_baseline_regressions(const struct anvil_baseline *b) { return b->regressions; }

/* ---- reading a baseline run ------------------------------------------------ */

/* A run directory: the metric records of its journal, test by test. */
static struct anvil_baseline *load_journal(const char *dir, const char *jpath, char *err, size_t errlen)
{
	struct anvil_jsource *src = anvil_jsource_file(jpath, err, errlen);
	if (!src)
		return NULL;
	struct anvil_baseline *b = baseline_new(dir);
	const cJSON *rec;
	cJSON_ArrayForEach(rec, anvil_jsource_meta(src)) {
		if (!strcmp(s(rec, "kind"), "run") && !strcmp(s(rec, "event"), "start")) {
			char iso[32];
			anvil_iso_time(anvil_jnum(rec, "t"), iso, sizeof(iso));
			free(b->generated);
			b->generated = strdup(iso);
			break;
		}
	}
	for (size_t i = 0; i < anvil_jsource_ntests(src); i++) {
		cJSON *recs = anvil_jsource_test_records(src, i, err, errlen);
		if (!recs) {
			anvil_baseline_free(b);
			anvil_jsource_free(src);
			return NULL;
		}
		cJSON_ArrayForEach(rec, recs)
			if (!strcmp(s(rec, "kind"), "metric"))
				add_fig(b, anvil_jsource_test_id(src, i), rec);
		cJSON_Delete(recs);
	}
	anvil_jsource_free(src);
	return b;
}

/* A report.json: tests[].metrics[] read one object at a time. */
static void report_member(void *arg, const struct anvil_jscan_it *top)
{
	struct anvil_baseline *b = arg;
	char generated[64];
	if (anvil_jscan_key_is(top, "generated") &&
	    anvil_jscan_string(top->val, top->vend, generated, sizeof(generated)) == 0) {
		free(b->generated);
		b->generated = strdup(generated);
	}
}

static void report_metric(void *arg, const char *test, const char *scope, const cJSON *m)
{
	(void)scope;
	add_fig(arg, test, m);
}

struct anvil_baseline *anvil_baseline_load(const char *path, char *err, size_t errlen)
{
	char jpath[PATH_MAX];
	snprintf(jpath, sizeof(jpath), "%s/%s", path, ANVIL_JOURNAL_NAME);
	if (access(jpath, F_OK) == 0)
		return load_journal(path, jpath, err, errlen);
	struct anvil_baseline *b = baseline_new(path);
	struct anvil_rscan rs = { report_member, report_metric, b };
	if (anvil_rscan_file(path, &rs, err, errlen)) {
		anvil_baseline_free(b);
		return NULL;
	}
	return b;
}

/* ---- comparing ----------------------------------------------------------- */

static void tolerances(struct anvil_baseline *b, const cJSON *profile, const char *test, const char *metric,
		       double *tol, double *k)
{
	const cJSON *conf = cJSON_GetObjectItemCaseSensitive(profile, "baseline"), *p;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(conf, "tolerance");
	const cJSON *kk = cJSON_GetObjectItemCaseSensitive(conf, "k");
	*tol = cJSON_IsNumber(t) ? t->valuedouble : ANVIL_BASELINE_TOLERANCE;
	*k = cJSON_IsNumber(kk) ? kk->valuedouble : ANVIL_BASELINE_K;
	b->tolerance = *tol;
	b->k = *k;
	size_t tl = strlen(test);
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(conf, "metrics"))
		if (cJSON_IsNumber(p) && !strncmp(p->string, test, tl) && p->string[tl] == '/' &&
		    !strcmp(p->string + tl + 1, metric))
			*tol = p->valuedouble;
}

static void add_row(struct anvil_baseline *b, cJSON *row, const char *verdict)
{
	if (b->nrows++)
		strbuf_add(&b->rows, ", ", 2);
	anvil_jw_compact(&b->rows, row);
	if (b->keep_all || (strcmp(verdict, "PASS") && cJSON_GetArraySize(b->kept) < KEPT_ROWS)) {
		int arena = anvil_arena_on(0);  /* kept past the test: not in its arena */
		cJSON_AddItemToArray(b->kept, cJSON_Duplicate(row, 1));
		anvil_arena_on(arena);
	}
	cJSON_Delete(row);
}

static void compare_one(struct anvil_baseline *b, cJSON *checks, const char *test, const cJSON *m,
			const cJSON *profile)
{
	const char *better = s(m, "better");
	int dir = !strcmp(better, "higher") ? 1 : !strcmp(better, "lower") ? -1 : 0;
	double after = anvil_jnum(m, "value");
	if (!dir || !isfinite(after))
		return;
	fig_key(&b->key, test, m);
	struct fig *f = anvil_keymap_get(&b->figs, b->key.buf, b->key.len);
	if (!f)
		return;
	f->used = 1;
	if (f->value == 0)
		return;
	double before = f->value, change = (after - before) / fabs(before), tol, k;
	tolerances(b, profile, test, s(m, "name"), &tol, &k);
	double sa = anvil_metric_spread(m), sb = f->spread;
	/* the noise of a difference of two measurements: their spreads in quadrature */
	double spread = isfinite(sa) && isfinite(sb) ? sqrt(sa * sa + sb * sb) : isfinite(sa) ? sa : sb;
	int beyond_tol = dir * change < -tol;
	int beyond_noise = !isfinite(spread) || fabs(after - before) > k * spread;
	const char *verdict = beyond_tol ? (beyond_noise ? "FAIL" : "WARN") : "PASS";
	b->regressions += beyond_tol && beyond_noise;
	b->warnings += beyond_tol && !beyond_noise;
	char why[500], noise[160] = "";
	if (isfinite(spread))
		snprintf(noise, sizeof(noise), "; noise: %g x spread %.3g = %.3g %s", k, spread, k * spread, s(m, "unit"));
	snprintf(why, sizeof(why), "%s %.4g -> %.4g %s (%+.1f%%; %s %.1f%% allowed%s)%s", s(m, "name"), before, after,
		 s(m, "unit"), 100 * change, dir > 0 ? "a drop of" : "a rise of", 100 * tol, noise,
		 beyond_tol && !beyond_noise ? ": beyond the tolerance but within the noise of the repeated samples" : "");
	/* the bound the new value must keep: the tolerance, or the noise where that is wider */
	double margin = fmax(tol * fabs(before), isfinite(spread) ? k * spread : 0);
	cJSON *c = anvil_check_new(checks, test, s(m, "name"), "baseline", m, anvil_verdict_parse(verdict), why);
	cJSON_AddNumberToObject(c, "value", after);
	cJSON_AddStringToObject(c, "unit", s(m, "unit"));
	cJSON_AddNumberToObject(c, "limit", before - dir * margin);
	cJSON *bx = cJSON_AddObjectToObject(c, "baseline");
	cJSON_AddNumberToObject(bx, "before", before);
	cJSON_AddNumberToObject(bx, "change", change);
	cJSON_AddNumberToObject(bx, "tolerance", tol);
	if (isfinite(spread)) {
		cJSON_AddNumberToObject(bx, "spread", spread);
		cJSON_AddNumberToObject(bx, "k", k);
	}
	cJSON *row = cJSON_CreateObject();
	cJSON_AddStringToObject(row, "test", test);
	cJSON_AddStringToObject(row, "name", s(m, "name"));
	cJSON_AddStringToObject(row, "host", s(m, "host"));
	if (cJSON_GetObjectItemCaseSensitive(m, "labels"))
		cJSON_AddItemToObject(row, "labels", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(m, "labels"), 1));
	cJSON_AddNumberToObject(row, "before", before);
	cJSON_AddNumberToObject(row, "after", after);
	cJSON_AddNumberToObject(row, "change", change);
	if (isfinite(spread))
		cJSON_AddNumberToObject(row, "spread", spread);
	cJSON_AddStringToObject(row, "unit", s(m, "unit"));
	cJSON_AddStringToObject(row, "verdict", verdict);
	add_row(b, row, verdict);
}

void anvil_baseline_test(struct anvil_baseline *b, cJSON *t, const cJSON *profile)
{
	const cJSON *m;
	cJSON *checks = cJSON_GetObjectItemCaseSensitive(t, "checks");
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(t, "metrics"))
		compare_one(b, checks, s(t, "id"), m, profile);
}

struct missing {
	const struct fig **f;
	size_t n, cap;
};

static void collect_missing(void *value, void *arg)
{
	const struct fig *f = value;
	struct missing *ms = arg;
	if (f->used)
		return;
	if (ms->n == ms->cap) {
		ms->cap = ms->cap ? 2 * ms->cap : 64;
		ms->f = realloc(ms->f, ms->cap * sizeof(*ms->f));
	}
	ms->f[ms->n++] = f;
}

static int cmp_ident(const void *a, const void *b)
{
	return strcmp((*(const struct fig *const *)a)->ident, (*(const struct fig *const *)b)->ident);
}

cJSON *anvil_baseline_section(const struct anvil_baseline *b, int raw_rows)
{
	cJSON *sec = cJSON_CreateObject();
	cJSON_AddStringToObject(sec, "source", b->source);
	cJSON_AddStringToObject(sec, "generated", b->generated);
	cJSON_AddNumberToObject(sec, "tolerance", b->tolerance);
	cJSON_AddNumberToObject(sec, "k", b->k);
	if (raw_rows) {
		struct strbuf text = STRBUF_INIT;
		strbuf_addch(&text, '[');
		strbuf_add(&text, b->rows.buf ? b->rows.buf : "", b->rows.len);
		strbuf_addch(&text, ']');
		cJSON_AddRawToObject(sec, "rows", text.buf);
		strbuf_release(&text);
	} else {
		cJSON_AddItemToObject(sec, "rows", cJSON_Duplicate(b->kept, 1));
	}
	cJSON_AddNumberToObject(sec, "rows_total", (double)b->nrows);
	cJSON_AddNumberToObject(sec, "regressions", (double)b->regressions);
	cJSON_AddNumberToObject(sec, "warnings", (double)b->warnings);
	/* figures of the baseline this run does not have: a node or a test gone */
	cJSON *missing = cJSON_AddArrayToObject(sec, "missing");
	struct missing ms = { NULL, 0, 0 };
	anvil_keymap_each((struct anvil_keymap *)&b->figs, collect_missing, &ms);
	anvil_sort(ms.f, ms.n, sizeof(*ms.f), cmp_ident);
	for (size_t i = 0; i < ms.n && i < MISSING_ROWS; i++) {
		cJSON *row = cJSON_Parse(ms.f[i]->ident);
		cJSON_AddNumberToObject(row, "before", ms.f[i]->value);
		cJSON_AddStringToObject(row, "unit", ms.f[i]->unit);
		cJSON_AddItemToArray(missing, row);
	}
	long nmissing = (long)ms.n;
	free(ms.f);
	cJSON_AddNumberToObject(sec, "missing_total", (double)nmissing);
	return sec;
}

void anvil_baseline_compare(cJSON *report, const cJSON *base, const char *source, const cJSON *profile)
{
	struct anvil_baseline *b = anvil_baseline_from_report(base, source);
	anvil_baseline_keep_all(b);
	cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(report, "tests"))
		anvil_baseline_test(b, t, profile);
	cJSON_DeleteItemFromObjectCaseSensitive(report, "baseline");
	cJSON_AddItemToObject(report, "baseline", anvil_baseline_section(b, 0));
	anvil_baseline_free(b);
}
