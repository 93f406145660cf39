/* Bar charts of report.html: one per figure the profile judges (a metric
 * with an absolute, peak or peers check), one bar per node or GPU from the
 * test's metrics. The threshold line is the checks' limit (peak rule: min x
 * peak; peers: min x median), the bars of figures whose check FAILed are
 * marked bad, and above ANVIL_SVG_MAX_BARS bars the svg module draws the
 * distribution instead. A lower-is-better figure (latency) has a ceiling, not
 * a floor: it is drawn as the reference line and only FAILed bars are bad.
 * Figures of a node-pair matrix are left to the heatmap.
 * Who owns what: the tree is only read; all else is freed here. */
#include "reports/html_util.h"
#include "common/fmt.h"
#include "reports/report.h"
#include "reports/svg.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/sort.h"

#define MAX_NAMES 64
#define MAX_FLAGGED_ROWS 256   /* flagged rows listed in a fleet's table */
#define WORST_ROWS 10          /* worst passing rows listed in a fleet's table */

struct bars {
	const cJSON *test;
	const char *name, *unit;
	const cJSON **m;        /* the metrics of that name */
	size_t n;
	struct anvil_html_bounds b;
	int *verdict;           /* per figure, -1 when unjudged */
	char **label;
};

static int judged(const cJSON *test, const char *name)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(test, "checks")) {
		const char *rule = anvil_html_str(c, "rule");
		if (!strcmp(anvil_html_str(c, "name"), name) &&
		    (!strcmp(rule, "absolute") || !strcmp(rule, "peak") || !strcmp(rule, "peers")))
			return 1;
	}
	return 0;
}

static size_t metric_names(const cJSON *metrics, const char **names)
{
	size_t n = 0;
	const cJSON *m;
	cJSON_ArrayForEach(m, metrics) {
		const char *name = anvil_html_str(m, "name");
		size_t k = 0;
		while (k < n && strcmp(names[k], name))
			k++;
		if (k == n && n < MAX_NAMES && *name)
			names[n++] = name;
	}
	return n;
}

static double value_of(const struct bars *c, size_t i)
{
	return anvil_html_num(c->m[i], "value");
}

static int flagged(int v)
{
	return v == ANVIL_V_FAIL || v == ANVIL_V_ERROR || v == ANVIL_V_WARN;
}

/* ---- the chart ------------------------------------------------------------------- */

static void draw(struct strbuf *out, const struct bars *c, const cJSON *show)
{
	struct anvil_svg_bar *bars = calloc(c->n + 1, sizeof(*bars));
	struct strbuf title = STRBUF_INIT, xl = STRBUF_INIT;
	const cJSON *k;
	for (size_t i = 0; i < c->n; i++)
		bars[i] = (struct anvil_svg_bar){ c->label[i], value_of(c, i), c->verdict[i] == ANVIL_V_FAIL };
	strbuf_adds(&xl, "node");
	cJSON_ArrayForEach(k, show)
		strbuf_addf(&xl, ", %s", k->string);
	strbuf_addf(&title, "%s by %s", c->name, strbuf_str(&xl));
	struct anvil_svg_axes ax = {
		.title = strbuf_str(&title), .x_label = strbuf_str(&xl), .y_label = c->name,
		.y_unit = c->unit, .ref_value = NAN,
	};
	double thr = NAN;
	const char *thr_label = NULL;
	if (c->b.lower) {
		if (isfinite(c->b.limit))
			ax.ref_value = c->b.limit, ax.ref_label = c->b.limit_label;
	} else {
		thr = c->b.limit, thr_label = c->b.limit_label;
		if (isfinite(c->b.peak))
			ax.ref_value = c->b.peak, ax.ref_label = "peak";
		else if (isfinite(c->b.median))
			ax.ref_value = c->b.median, ax.ref_label = "median";
	}
	anvil_svg_bar_chart(out, &ax, bars, c->n, thr, thr_label);
	free(bars);
	strbuf_release(&title);
	strbuf_release(&xl);
}

static void caption(struct strbuf *out, const struct bars *c)
{
	size_t bad = 0, warn = 0, listed = 0;
	for (size_t i = 0; i < c->n; i++) {
		bad += c->verdict[i] == ANVIL_V_FAIL || c->verdict[i] == ANVIL_V_ERROR;
		warn += c->verdict[i] == ANVIL_V_WARN;
	}
	strbuf_addf(out, "<p class=cap>%zu figure%s", c->n, c->n == 1 ? "" : "s");
	if (bad) {
		strbuf_addf(out, "; <b class=bad>%zu failed</b>: ", bad);
		for (size_t i = 0; i < c->n && listed < 12; i++)
			if (c->verdict[i] == ANVIL_V_FAIL || c->verdict[i] == ANVIL_V_ERROR) {
				strbuf_adds(out, listed++ ? ", " : "");
				anvil_html_text(out, c->label[i]);
			}
		if (bad > listed)
			strbuf_addf(out, " and %zu more", bad - listed);
	}
	if (warn)
		strbuf_addf(out, "; %zu beyond the warning level", warn);
	strbuf_adds(out, ".");
	if (isfinite(c->b.limit)) {
		strbuf_adds(out, c->b.lower ? " Dashed: the ceiling (" : " Dashed: the floor (");
		anvil_html_text(out, c->b.limit_label);
		strbuf_adds(out, ": ");
		anvil_html_number(out, c->b.limit, c->unit);
		strbuf_adds(out, " ");
		anvil_html_text(out, c->unit);
		strbuf_adds(out, ")");
		if (!c->b.lower && isfinite(c->b.peak)) {
			strbuf_adds(out, " and the datasheet peak (");
			anvil_html_number(out, c->b.peak, c->unit);
			strbuf_adds(out, " ");
			anvil_html_text(out, c->unit);
			strbuf_adds(out, ")");
		} else if (!c->b.lower && isfinite(c->b.median)) {
			strbuf_adds(out, " and the median");
		}
		strbuf_adds(out, ".");
	}
	strbuf_adds(out, "</p>\n");
}

/* ---- the table ------------------------------------------------------------------- */

static void row(struct strbuf *out, const struct bars *c, size_t i)
{
	double v = value_of(c, i);
	int vd = c->verdict[i];
	strbuf_addf(out, "<tr%s><td>", vd == ANVIL_V_FAIL || vd == ANVIL_V_ERROR ? " class=bad" :
			 vd == ANVIL_V_WARN ? " class=warn" : "");
	anvil_html_text(out, c->label[i]);
	strbuf_adds(out, "</td>");
	anvil_html_td_num(out, v, NULL, NULL);
	if (isfinite(c->b.limit))
		anvil_html_td_num(out, 100 * v / c->b.limit, NULL, NULL);
	if (isfinite(c->b.peak))
		anvil_html_td_num(out, 100 * v / c->b.peak, NULL, NULL);
	strbuf_adds(out, "<td>");
	if (vd >= 0)
		anvil_html_verdict(out, anvil_verdict_name((enum anvil_verdict)vd));
	else
		strbuf_adds(out, "&mdash;");
	strbuf_adds(out, "</td></tr>\n");
}

static const struct bars *sort_bars;

/* Flagged first, then worse values first (NaN first: not measured). */
static int cmp_worse(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct bars *c = sort_bars;
	double x = value_of(c, a), y = value_of(c, b);
	if (flagged(c->verdict[a]) != flagged(c->verdict[b]))
		return flagged(c->verdict[b]) - flagged(c->verdict[a]);
	if (isfinite(x) != isfinite(y))
		return isfinite(x) - isfinite(y);
	if (isfinite(x) && x != y)
		return (c->b.lower ? x < y : x > y) ? 1 : -1;
	return (a > b) - (a < b);
}

/* Up to ANVIL_HTML_MAX_ROWS figures: all of them, in order. A fleet: the
 * flagged ones, the worst of the rest, the median and the best, worst first. */
static size_t table_rows(const struct bars *c, size_t *sel, size_t *hidden_ok, size_t *hidden_flag)
{
	size_t n = c->n, k = 0, nflag = 0, *order = malloc((n + 1) * sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		order[i] = sel[i] = i;
	*hidden_ok = *hidden_flag = 0;
	if (n <= ANVIL_HTML_MAX_ROWS) {
		free(order);
		return n;
	}
	sort_bars = c;
	anvil_sort(order, n, sizeof(size_t), cmp_worse);
	while (nflag < n && flagged(c->verdict[order[nflag]]))
		nflag++;
	for (size_t i = 0; i < nflag && i < MAX_FLAGGED_ROWS; i++)
		sel[k++] = order[i];
	*hidden_flag = nflag - k;
	size_t rest = n - nflag, listed_flag = k;
	for (size_t i = 0; i < WORST_ROWS && i < rest; i++)
		sel[k++] = order[nflag + i];
	if (rest > WORST_ROWS + 1)
		sel[k++] = order[nflag + rest / 2];   /* the median of the rest */
	if (rest > WORST_ROWS)
		sel[k++] = order[n - 1];              /* the best */
	*hidden_ok = rest - (k - listed_flag);
	free(order);
	return k;
}

static void table(struct strbuf *out, const struct bars *c)
{
	size_t *rows = malloc((c->n + 1) * sizeof(size_t)), hidden, hidden_flag;
	size_t nrows = table_rows(c, rows, &hidden, &hidden_flag);
	char what[160];
	anvil_fmt(what, sizeof(what), "Data: %s", c->name);
	anvil_html_data_open(out, what, nrows);
	strbuf_adds(out, "<thead><tr><th>figure</th><th>");
	anvil_html_text(out, c->name);
	if (*c->unit) {
		strbuf_adds(out, " (");
		anvil_html_text(out, c->unit);
		strbuf_adds(out, ")");
	}
	strbuf_adds(out, "</th>");
	if (isfinite(c->b.limit))
		strbuf_addf(out, "<th>%% of %s</th>", c->b.lower ? "ceiling" : "floor");
	if (isfinite(c->b.peak))
		strbuf_adds(out, "<th>% of peak</th>");
	strbuf_adds(out, "<th>verdict</th></tr></thead><tbody>\n");
	for (size_t r = 0; r < nrows; r++)
		row(out, c, rows[r]);
	if (hidden)
		strbuf_addf(out, "<tr class=more><td colspan=6>%zu more figures passed, between the worst and the "
				 "best listed; report.json has every one</td></tr>\n", hidden);
	if (hidden_flag)
		strbuf_addf(out, "<tr class=more><td colspan=6>%zu more flagged figures not listed here; the checks "
				 "table and report.json have them</td></tr>\n", hidden_flag);
	strbuf_adds(out, "</tbody>");
	anvil_html_data_close(out);
	free(rows);
}

/* ---- per metric ------------------------------------------------------------------ */

static void metric_bars(struct strbuf *out, const cJSON *test, const cJSON *profile, const char *name,
			const struct anvil_html_verdicts *vs)
{
	const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(test, "metrics"), *m;
	size_t cap = (size_t)cJSON_GetArraySize(metrics) + 1;
	struct bars c = { .test = test, .name = name, .unit = "" };
	c.m = malloc(cap * sizeof(cJSON *));
	cJSON_ArrayForEach(m, metrics)
		if (!strcmp(anvil_html_str(m, "name"), name))
			c.m[c.n++] = m;
	c.unit = anvil_html_str(c.m[0], "unit");
	anvil_html_bounds_of(test, profile, name, &c.b);
	if (c.n < 2) {
		free(c.m);
		return;  /* one figure is a row of the checks table, not a chart */
	}
	cJSON *show = anvil_html_varying(c.m, c.n);
	c.verdict = malloc(cap * sizeof(int));
	c.label = malloc(cap * sizeof(char *));
	for (size_t i = 0; i < c.n; i++) {
		const cJSON *labels = cJSON_GetObjectItemCaseSensitive(c.m[i], "labels");
		c.verdict[i] = anvil_html_verdicts_get(vs, name, anvil_html_str(c.m[i], "host"), labels);
		c.label[i] = anvil_html_who(anvil_html_str(c.m[i], "host"), labels, show, NULL);
	}
	strbuf_adds(out, "<div class=fig><div class=plot>");
	draw(out, &c, show);
	strbuf_adds(out, "</div><div class=side>");
	caption(out, &c);
	table(out, &c);
	strbuf_adds(out, "</div></div>\n");
	for (size_t i = 0; i < c.n; i++)
		free(c.label[i]);
	free(c.label);
	free(c.verdict);
	free(c.m);
	cJSON_Delete(show);
}

void anvil_html_bars(struct strbuf *out, const cJSON *test, const cJSON *profile)
{
	const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(test, "metrics");
	const cJSON *matrix = cJSON_GetObjectItemCaseSensitive(anvil_html_matrix_of(test), "metrics");
	const char *names[MAX_NAMES];
	size_t nn = metric_names(metrics, names);
	struct anvil_html_verdicts vs;
	if (!nn)
		return;
	anvil_html_verdicts_init(&vs, cJSON_GetObjectItemCaseSensitive(test, "checks"));
	for (size_t k = 0; k < nn; k++)
		if (!cJSON_GetObjectItemCaseSensitive(matrix, names[k]) && judged(test, names[k]))
			metric_bars(out, test, profile, names[k], &vs);
	anvil_html_verdicts_release(&vs);
}
