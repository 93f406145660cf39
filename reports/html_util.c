/* Shared pieces of the report.html writers: see html_util.h. */
#include "reports/html_util.h"
#include "common/fmt.h"
#include "reports/report.h"
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "reports/jget.h"
#include "common/sort.h"

const char *anvil_html_str(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(anvil_jget(o, k));
	return v ? v : "";
}

double anvil_html_num(const cJSON *o, const char *k)
{
	const cJSON *v = anvil_jget(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

void anvil_html_text(struct strbuf *out, const char *s)
{
	if (s)
		strbuf_add_html(out, s);
}

void anvil_html_number(struct strbuf *out, double v, const char *unit)
{
	static const char *const bin[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	if (!isfinite(v)) {
		strbuf_adds(out, "&mdash;");
		return;
	}
	if (fabs(v) >= 1e4 && fabs(v) < 1e12 && (!unit || strcmp(unit, "B"))) {
		strbuf_addf(out, "%.0f", v);  /* 51012, not 5.101e+04 */
		return;
	}
	if (unit && !strcmp(unit, "B") && v >= 1024) {
		int k = 0;
		while (v >= 1024 && k < 5)
			v /= 1024, k++;
		strbuf_addf(out, "%.4g %s", v, bin[k]);
		return;
	}
	strbuf_addf(out, "%.4g", v);
}

void anvil_html_td_num(struct strbuf *out, double v, const char *unit, const char *cls)
{
	strbuf_addf(out, "<td class=\"num%s%s\">", cls ? " " : "", cls ? cls : "");
	anvil_html_number(out, v, unit);
	strbuf_adds(out, "</td>");
}

void anvil_html_td_text(struct strbuf *out, const char *s)
{
	strbuf_adds(out, "<td>");
	anvil_html_text(out, s);
	strbuf_adds(out, "</td>");
}

void anvil_html_verdict(struct strbuf *out, const char *v)
{
	strbuf_adds(out, "<span class=\"v ");
	/* a class name from a fixed set; anything else gets no styling */
	enum anvil_verdict k = anvil_verdict_parse(v);
	strbuf_adds(out, v && !strcmp(v, anvil_verdict_name(k)) ? anvil_verdict_name(k) : "other");
	if (k == ANVIL_V_NOT_RUN)
		strbuf_adds(out, " NOT_RUN");
	strbuf_adds(out, "\">");
	anvil_html_text(out, v);
	strbuf_adds(out, "</span>");
}

/* ---- naming figures ------------------------------------------------------ */

cJSON *anvil_html_varying(const cJSON *const *items, size_t n)
{
	cJSON *vary = cJSON_CreateObject();
	const cJSON *first = n ? anvil_jget(items[0], "labels") : NULL, *l;
	for (size_t i = 1; i < n; i++) {
		const cJSON *labels = anvil_jget(items[i], "labels");
		cJSON_ArrayForEach(l, labels) {
			const char *o = cJSON_GetStringValue(anvil_jget(first, l->string));
			if (cJSON_IsString(l) && (!o || strcmp(o, l->valuestring)) &&
			    !anvil_jget(vary, l->string))
				cJSON_AddTrueToObject(vary, l->string);
		}
		cJSON_ArrayForEach(l, first)
			if (!anvil_jget(labels, l->string) &&
			    !anvil_jget(vary, l->string))
				cJSON_AddTrueToObject(vary, l->string);
	}
	return vary;
}

static void add_host(struct strbuf *sb, const char *host, const char *domain)
{
	size_t len = strlen(host), dl = domain ? strlen(domain) : 0;
	if (dl && len > dl && !strcmp(host + len - dl, domain))
		len -= dl;
	strbuf_add(sb, host, len);
}

char *anvil_html_who(const char *host, const cJSON *labels, const cJSON *show, const char *domain)
{
	struct strbuf sb = STRBUF_INIT;
	const char *peer = cJSON_GetStringValue(anvil_jget(labels, "peer"));
	const cJSON *l;
	add_host(&sb, host && *host ? host : "?", domain);
	if (peer) {
		strbuf_adds(&sb, " \xe2\x86\x94 ");
		add_host(&sb, peer, domain);
	}
	cJSON_ArrayForEach(l, labels)
		if (cJSON_IsString(l) && strcmp(l->string, "peer") &&
		    anvil_jget(show, l->string))
			strbuf_addf(&sb, " %s=%s", l->string, l->valuestring);
	return strbuf_detach(&sb);
}

const char *anvil_html_domain(const cJSON *const *items, size_t n)
{
	const char *first = n ? anvil_html_str(items[0], "host") : "";
	for (const char *d = strchr(first, '.'); d && d > first; d = strchr(d + 1, '.')) {
		size_t dl = strlen(d), i;
		if (!isalpha((unsigned char)d[1]))
			continue;  /* "10.0.1.1" is an address, not a domain */
		for (i = 0; i < n; i++) {
			const char *h = anvil_html_str(items[i], "host");
			size_t hl = strlen(h);
			if (hl <= dl || strcmp(h + hl - dl, d))
				break;
		}
		if (i == n)
			return d;
	}
	return NULL;
}

double anvil_html_median(double *v, size_t n)
{
	if (!n)
		return NAN;
	anvil_sort_doubles(v, n);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- verdict per figure ------------------------------------------------- */

static char *figure_key(const char *name, const char *host, const cJSON *labels)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *l;
	strbuf_reserve(&sb, 64);
	/* by hand, not strbuf_addf: once per check of the run (printf is slow here, see svg_px) */
	strbuf_adds(&sb, name ? name : "");
	strbuf_addch(&sb, '\x1f');
	strbuf_adds(&sb, host ? host : "");
	strbuf_addch(&sb, '\x1f');
	cJSON_ArrayForEach(l, labels)
		if (cJSON_IsString(l)) {
			strbuf_adds(&sb, l->string ? l->string : "(null)");
			strbuf_addch(&sb, '=');
			strbuf_adds(&sb, l->valuestring);
			strbuf_addch(&sb, '\x1e');
		}
	return strbuf_detach(&sb);
}

static size_t key_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;  /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

static struct anvil_html_vslot *vslot(const struct anvil_html_verdicts *vs, const char *key)
{
	size_t i = key_hash(key) & (vs->cap - 1);
	while (vs->slot[i].key && strcmp(vs->slot[i].key, key))
		i = (i + 1) & (vs->cap - 1);
	return &vs->slot[i];
}

void anvil_html_verdicts_init(struct anvil_html_verdicts *vs, const cJSON *checks)
{
	size_t n = (size_t)cJSON_GetArraySize(checks);
	const cJSON *c;
	vs->cap = 16;
	while (vs->cap < 2 * n + 2)
		vs->cap *= 2;
	vs->slot = calloc(vs->cap, sizeof(*vs->slot));
	if (!vs->slot)
		anvil_out_of_memory();
	cJSON_ArrayForEach(c, checks) {
		if (!strcmp(anvil_html_str(c, "rule"), "baseline"))
			continue;  /* regressions have their own section; a chart shows its limits */
		char *key = figure_key(anvil_html_str(c, "name"), anvil_html_str(c, "host"),
				       anvil_jget(c, "labels"));
		struct anvil_html_vslot *s = vslot(vs, key);
		int v = (int)anvil_verdict_parse(anvil_html_str(c, "verdict"));
		if (s->key) {
			free(key);
			if (v > s->verdict)
				s->verdict = v;
		} else {
			s->key = key;
			s->verdict = v;
		}
	}
}

int anvil_html_verdicts_get(const struct anvil_html_verdicts *vs, const char *name,
			    const char *host, const cJSON *labels)
{
	char *key = figure_key(name, host, labels);
	const struct anvil_html_vslot *s = vslot(vs, key);
	free(key);
	return s->key ? s->verdict : -1;
}

void anvil_html_verdicts_release(struct anvil_html_verdicts *vs)
{
	for (size_t i = 0; i < vs->cap; i++)
		free(vs->slot[i].key);
	free(vs->slot);
	vs->slot = NULL;
	vs->cap = 0;
}

/* ---- bounds ------------------------------------------------------------- */

/* Units whose figures are better low: times, and temperatures. */
static int is_lower_unit(const char *u)
{
	static const char *const t[] = { "ns", "us", "\xc2\xb5s", "ms", "s", "min", "h",
					 "C", "\xc2\xb0\x43", "degC" };
	for (size_t i = 0; u && i < sizeof(t) / sizeof(*t); i++)
		if (!strcmp(u, t[i]))
			return 1;
	return 0;
}

int anvil_html_lower_better(const cJSON *test, const char *metric, const char *unit)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, anvil_jget(test, "metrics")) {
		if (strcmp(anvil_html_str(m, "name"), metric ? metric : ""))
			continue;
		const char *b = anvil_html_str(m, "better");
		if (!strcmp(b, "lower") || !strcmp(b, "higher"))
			return !strcmp(b, "lower");
	}
	return is_lower_unit(unit);
}

static int judged_by_rule(const char *rule)
{
	return !strcmp(rule, "absolute") || !strcmp(rule, "peak") || !strcmp(rule, "peers");
}

/* A number of the profile's rule of that kind for this test and metric
 * ("warn", "min", "max"); NAN when there is no such rule or number. */
static double rule_num(const cJSON *profile, const cJSON *test, const char *metric, const char *kind,
		       const char *key)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, anvil_jget(profile, "checks")) {
		const char *want = anvil_html_str(r, "test");
		if ((strcmp(want, anvil_html_str(test, "id")) && strcmp(want, anvil_html_str(test, "runner"))) ||
		    strcmp(anvil_html_str(r, "metric"), metric) || strcmp(anvil_html_str(r, "rule"), kind))
			continue;
		return anvil_html_num(r, key);
	}
	return NAN;
}

void anvil_html_bounds_of(const cJSON *test, const cJSON *profile, const char *metric,
			  struct anvil_html_bounds *b)
{
	static const char *const rules[] = { "absolute", "peak", "peers" };
	const cJSON *checks = anvil_jget(test, "checks"), *c;
	size_t cap = (size_t)cJSON_GetArraySize(checks) + 1, np = 0, nm = 0;
	double *peaks = malloc(cap * sizeof(double)), *meds = malloc(cap * sizeof(double));
	const char *unit = NULL, *chosen = NULL;
	*b = (struct anvil_html_bounds){ .limit = NAN, .warn = NAN, .peak = NAN, .median = NAN };
	cJSON_ArrayForEach(c, checks)
		if (!strcmp(anvil_html_str(c, "name"), metric) && judged_by_rule(anvil_html_str(c, "rule"))) {
			unit = unit ? unit : anvil_html_str(c, "unit");
			double p = anvil_html_num(anvil_jget(c, "peak"), "value");
			double m = anvil_html_num(anvil_jget(c, "peers"), "median");
			if (isfinite(p))
				peaks[np++] = p;
			if (isfinite(m))
				meds[nm++] = m;
		}
	b->lower = anvil_html_lower_better(test, metric, unit);
	b->peak = anvil_html_median(peaks, np);
	b->median = anvil_html_median(meds, nm);
	free(peaks);
	free(meds);
	for (size_t r = 0; r < sizeof(rules) / sizeof(*rules); r++) {
		double lenient = NAN;
		cJSON_ArrayForEach(c, checks) {
			double l = anvil_html_num(c, "limit");
			if (strcmp(anvil_html_str(c, "name"), metric) || strcmp(anvil_html_str(c, "rule"), rules[r]) ||
			    !isfinite(l))
				continue;
			if (!isfinite(lenient) || (b->lower ? l > lenient : l < lenient))
				lenient = l;
		}
		if (isfinite(lenient) && (!isfinite(b->limit) || (b->lower ? lenient < b->limit : lenient > b->limit))) {
			b->limit = lenient;
			chosen = rules[r];
		}
	}
	if (!chosen)
		return;
	double w = rule_num(profile, test, metric, chosen, "warn"), ref = NAN;
	if (!strcmp(chosen, "absolute")) {
		anvil_fmt(b->limit_label, sizeof(b->limit_label), "%s", b->lower ? "maximum" : "minimum");
		b->warn = w;
		return;
	}
	ref = !strcmp(chosen, "peak") ? b->peak : b->median;
	double frac = rule_num(profile, test, metric, chosen, b->lower ? "max" : "min");
	if (!strcmp(chosen, "peers") && isfinite(frac))
		/* each node's limit is frac x the median of the others: the line is the lowest of them */
		anvil_fmt(b->limit_label, sizeof(b->limit_label), "%.0f%% of peers", 100 * frac);
	else if (isfinite(ref) && ref != 0)
		anvil_fmt(b->limit_label, sizeof(b->limit_label), "%.0f%% of %s", 100 * b->limit / ref,
			 !strcmp(chosen, "peak") ? "peak" : "median");
	else
		anvil_fmt(b->limit_label, sizeof(b->limit_label), "%s", b->lower ? "ceiling" : "floor");
	b->warn = w * ref;
}

static int judged(const cJSON *test, const char *name)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, anvil_jget(test, "checks"))
		if (!strcmp(anvil_html_str(c, "name"), name) && judged_by_rule(anvil_html_str(c, "rule")))
			return 1;
	return 0;
}

const char *anvil_html_column_metric(const cJSON *test, const char *column, const char *unit)
{
	const cJSON *m;
	const char *found = NULL, *seen[8];
	size_t len = strlen(column ? column : ""), nseen = 0;
	if (!len)
		return NULL;
	cJSON_ArrayForEach(m, anvil_jget(test, "metrics")) {
		const char *name = anvil_html_str(m, "name");
		size_t k = 0;
		if (strcmp(anvil_html_str(m, "unit"), unit ? unit : "") ||
		    (strcmp(name, column) && (strncmp(name, column, len) || name[len] != '_')))
			continue;
		while (k < nseen && strcmp(seen[k], name))
			k++;
		if (k < nseen || nseen == sizeof(seen) / sizeof(*seen))
			continue;  /* each name is asked about its checks once */
		seen[nseen++] = name;
		if (judged(test, name))
			return name;
		found = found ? found : name;
	}
	return found;
}

/* ---- data tables ------------------------------------------------------------ */

void anvil_html_data_open(struct strbuf *out, const char *what, size_t rows)
{
	strbuf_adds(out, "<details class=data><summary>");
	anvil_html_text(out, what);
	strbuf_addf(out, " <span class=muted>(%zu row%s)</span></summary><div class=scroll><table class=dt>",
		    rows, rows == 1 ? "" : "s");
}

void anvil_html_data_close(struct strbuf *out)
{
	strbuf_adds(out, "</table></div></details>\n");
}
