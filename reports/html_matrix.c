/* The node-pair matrix of report.html: the culprits named from it, then one
 * heatmap per pair metric with the slow pairs outlined, each with its data
 * (the whole matrix up to ANVIL_HTML_MAX_MATRIX_TABLE nodes; above, a row
 * per node, worst first, and the slow pairs).
 *
 * Where the matrix comes from: the test's "matrix" ({"hosts": [...],
 * "metrics": {name: N x N}, optional "units", "better", "slow" (N x N
 * booleans per name) and "notes"}) and "culprits" ([{"kind", "hosts",
 * "why"}]), which reports/pairwise.c adds for node-pair tests; or, for a
 * runner that measures a whole matrix itself, the same two keys in one of
 * its info records. Slow pairs are the matrix's "slow", else the FAILed
 * checks of that metric on (host, labels.peer).
 * Who owns what: the tree is only read; all else is freed here. */
#include "reports/html_util.h"
#include "common/fmt.h"
#include "reports/svg.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/sort.h"

#define MAX_SLOW_ROWS 64

static const cJSON *info_key(const cJSON *test, const char *key)
{
	const cJSON *i;
	cJSON_ArrayForEach(i, cJSON_GetObjectItemCaseSensitive(test, "info")) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(i, "info"), key);
		if (v)
			return v;
	}
	return NULL;
}

const cJSON *anvil_html_matrix_of(const cJSON *test)
{
	const cJSON *mx = cJSON_GetObjectItemCaseSensitive(test, "matrix");
	if (!cJSON_IsObject(mx))
		mx = info_key(test, "matrix");
	if (!cJSON_IsObject(mx) || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(mx, "hosts")) ||
	    !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(mx, "metrics")))
		return NULL;
	return mx;
}

struct heat {
	const cJSON *test, *mx;
	const char *name, *unit;
	const char **hosts;
	size_t n;
	int lower;
	double *v;
	unsigned char *bad;
};

/* ---- reading --------------------------------------------------------------------- */

struct host_ix { const char *name; size_t i; };

static int cmp_host_ix(const void *a, const void *b)
{
	return strcmp(((const struct host_ix *)a)->name, ((const struct host_ix *)b)->name);
}

static long find_host(const struct host_ix *ix, size_t n, const char *name)
{
	struct host_ix key = { name, 0 };
	const struct host_ix *f = name ? bsearch(&key, ix, n, sizeof(*ix), cmp_host_ix) : NULL;
	return f ? (long)f->i : -1;
}

/* Slow pairs from the FAILed checks on (host, peer), for a matrix without "slow". */
static void bad_from_checks(struct heat *h)
{
	struct host_ix *ix = malloc((h->n + 1) * sizeof(*ix));
	const cJSON *c;
	for (size_t i = 0; i < h->n; i++)
		ix[i] = (struct host_ix){ h->hosts[i], i };
	anvil_sort(ix, h->n, sizeof(*ix), cmp_host_ix);
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(h->test, "checks")) {
		const char *peer = anvil_html_str(cJSON_GetObjectItemCaseSensitive(c, "labels"), "peer");
		if (strcmp(anvil_html_str(c, "name"), h->name) || strcmp(anvil_html_str(c, "verdict"), "FAIL"))
			continue;
		long a = find_host(ix, h->n, anvil_html_str(c, "host")), b = find_host(ix, h->n, peer);
		if (a >= 0 && b >= 0)
			h->bad[a * (long)h->n + b] = h->bad[b * (long)h->n + a] = 1;
	}
	free(ix);
}

static void read_matrix(struct heat *h, const cJSON *rows)
{
	const cJSON *slow = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(h->mx, "slow"), h->name);
	size_t n = h->n;
	h->v = malloc((n * n + 1) * sizeof(double));
	h->bad = calloc(n * n + 1, 1);
	for (size_t i = 0; i < n * n; i++)
		h->v[i] = NAN;
	const cJSON *row = rows ? rows->child : NULL, *srow = slow ? slow->child : NULL;
	for (size_t i = 0; i < n && row; i++, row = row->next, srow = srow ? srow->next : NULL) {
		const cJSON *cell = row->child, *scell = srow ? srow->child : NULL;
		for (size_t j = 0; j < n && cell; j++, cell = cell->next, scell = scell ? scell->next : NULL) {
			if (cJSON_IsNumber(cell) && isfinite(cell->valuedouble))
				h->v[i * n + j] = cell->valuedouble;
			if (cJSON_IsTrue(scell))
				h->bad[i * n + j] = 1;
		}
	}
	if (!cJSON_IsArray(slow))
		bad_from_checks(h);
}

/* The unit from the matrix, else from a metric of that name. */
static const char *unit_of(const cJSON *test, const cJSON *mx, const char *name)
{
	const char *u = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(mx, "units"), name));
	const cJSON *m;
	if (u)
		return u;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(test, "metrics"))
		if (!strcmp(anvil_html_str(m, "name"), name))
			return anvil_html_str(m, "unit");
	return "";
}

/* ---- culprits -------------------------------------------------------------------- */

static void culprits(struct strbuf *out, const cJSON *test, const cJSON *mx)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(test, "culprits"), *c, *h;
	if (!cJSON_IsArray(list))
		list = info_key(test, "culprits");
	if (cJSON_GetArraySize(list)) {
		strbuf_adds(out, "<div class=culprits><h4>What the matrix points at</h4><ul>\n");
		cJSON_ArrayForEach(c, list) {
			const char *kind = anvil_html_str(c, "kind"), *why = anvil_html_str(c, "why");
			const char *first = cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c, "hosts"), 0));
			int link = !strcmp(kind, "link");
			strbuf_addf(out, "<li><span class=\"tag %s\">%s</span> ", link ? "link" : "node", link ? "link" : "node");
			if (!first || !strstr(why, first)) {  /* the why names them itself, as pairwise.c writes it */
				strbuf_adds(out, "<b>");
				cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(c, "hosts")) {
					anvil_html_text(out, cJSON_GetStringValue(h));
					strbuf_adds(out, h->next ? " \xe2\x86\x94 " : "");
				}
				strbuf_adds(out, "</b> ");
			}
			anvil_html_text(out, why);
			strbuf_adds(out, "</li>\n");
		}
		strbuf_adds(out, "</ul></div>\n");
	}
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(mx, "notes")) {
		strbuf_adds(out, "<p class=note>");
		anvil_html_text(out, cJSON_GetStringValue(c));
		strbuf_adds(out, "</p>\n");
	}
}

/* ---- data ------------------------------------------------------------------------ */

static void full_table(struct strbuf *out, const struct heat *h)
{
	char what[160];
	anvil_fmt(what, sizeof(what), "Data: %s matrix", h->name);
	anvil_html_data_open(out, what, h->n);
	strbuf_adds(out, "<thead><tr><th></th>");
	for (size_t j = 0; j < h->n; j++) {
		strbuf_adds(out, "<th>");
		anvil_html_text(out, h->hosts[j]);
		strbuf_adds(out, "</th>");
	}
	strbuf_adds(out, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < h->n; i++) {
		strbuf_adds(out, "<tr><th>");
		anvil_html_text(out, h->hosts[i]);
		strbuf_adds(out, "</th>");
		for (size_t j = 0; j < h->n; j++)
			anvil_html_td_num(out, h->v[i * h->n + j], NULL, h->bad[i * h->n + j] ? "bad" : NULL);
		strbuf_adds(out, "</tr>\n");
	}
	strbuf_adds(out, "</tbody>");
	anvil_html_data_close(out);
}

struct node_row { size_t i; double min, med, max; size_t pairs, slow; };

static const struct heat *sort_heat;

static int cmp_node_row(const void *pa, const void *pb)
{
	const struct node_row *a = pa, *b = pb;
	if (a->slow != b->slow)
		return a->slow < b->slow ? 1 : -1;
	if (isfinite(a->med) != isfinite(b->med))
		return isfinite(a->med) - isfinite(b->med);
	if (isfinite(a->med) && a->med != b->med)
		return (sort_heat->lower ? a->med < b->med : a->med > b->med) ? 1 : -1;
	return (a->i > b->i) - (a->i < b->i);
}

/* A fleet: one row per node (its pairs' min/median/max and slow count),
 * worst first and cut, then the slow pairs. */
static void node_table(struct strbuf *out, const struct heat *h)
{
	struct node_row *r = calloc(h->n + 1, sizeof(*r));
	double *tmp = malloc((h->n + 1) * sizeof(double));
	size_t nslow = 0, shown;
	char what[160];
	for (size_t i = 0; i < h->n; i++) {
		size_t k = 0;
		r[i] = (struct node_row){ .i = i, .min = NAN, .max = NAN };
		for (size_t j = 0; j < h->n; j++) {
			double v = h->v[i * h->n + j];
			r[i].slow += h->bad[i * h->n + j];
			nslow += j > i && h->bad[i * h->n + j];
			if (!isfinite(v))
				continue;
			tmp[k++] = v;
			r[i].min = isfinite(r[i].min) ? fmin(r[i].min, v) : v;
			r[i].max = isfinite(r[i].max) ? fmax(r[i].max, v) : v;
		}
		r[i].pairs = k;
		r[i].med = anvil_html_median(tmp, k);
	}
	sort_heat = h;
	anvil_sort(r, h->n, sizeof(*r), cmp_node_row);
	shown = h->n < ANVIL_HTML_MAX_ROWS ? h->n : ANVIL_HTML_MAX_ROWS;
	anvil_fmt(what, sizeof(what), "Data: %s per node, worst first", h->name);
	anvil_html_data_open(out, what, shown);
	strbuf_adds(out, "<thead><tr><th>node</th><th>pairs</th><th>slow</th><th>min</th><th>median</th>"
			 "<th>max</th></tr></thead><tbody>\n");
	for (size_t k = 0; k < shown; k++) {
		strbuf_addf(out, "<tr%s><td>", r[k].slow ? " class=bad" : "");
		anvil_html_text(out, h->hosts[r[k].i]);
		strbuf_addf(out, "</td><td class=num>%zu</td><td class=num>%zu</td>", r[k].pairs, r[k].slow);
		anvil_html_td_num(out, r[k].min, NULL, NULL);
		anvil_html_td_num(out, r[k].med, NULL, NULL);
		anvil_html_td_num(out, r[k].max, NULL, NULL);
		strbuf_adds(out, "</tr>\n");
	}
	if (shown < h->n)
		strbuf_addf(out, "<tr class=more><td colspan=6>%zu more nodes, each better than those listed; "
				 "report.json has the whole matrix</td></tr>\n", h->n - shown);
	strbuf_adds(out, "</tbody>");
	anvil_html_data_close(out);
	if (nslow) {
		size_t listed = 0;
		anvil_fmt(what, sizeof(what), "Slow pairs of %s", h->name);
		anvil_html_data_open(out, what, nslow < MAX_SLOW_ROWS ? nslow : MAX_SLOW_ROWS);
		strbuf_adds(out, "<thead><tr><th>pair</th><th>value</th></tr></thead><tbody>\n");
		for (size_t i = 0; i < h->n && listed < MAX_SLOW_ROWS; i++)
			for (size_t j = i + 1; j < h->n && listed < MAX_SLOW_ROWS; j++) {
				if (!h->bad[i * h->n + j])
					continue;
				strbuf_adds(out, "<tr class=bad><td>");
				anvil_html_text(out, h->hosts[i]);
				strbuf_adds(out, " \xe2\x86\x94 ");
				anvil_html_text(out, h->hosts[j]);
				strbuf_adds(out, "</td>");
				anvil_html_td_num(out, h->v[i * h->n + j], NULL, NULL);
				strbuf_adds(out, "</tr>\n");
				listed++;
			}
		if (nslow > listed)
			strbuf_addf(out, "<tr class=more><td colspan=2>%zu more slow pairs</td></tr>\n", nslow - listed);
		strbuf_adds(out, "</tbody>");
		anvil_html_data_close(out);
	}
	free(r);
	free(tmp);
}

static void caption(struct strbuf *out, const struct heat *h)
{
	size_t pairs = 0, slow = 0;
	for (size_t i = 0; i < h->n; i++)
		for (size_t j = i + 1; j < h->n; j++) {
			pairs += isfinite(h->v[i * h->n + j]);
			slow += h->bad[i * h->n + j];
		}
	strbuf_addf(out, "<p class=cap>%zu nodes, %zu of %zu pairs measured", h->n, pairs,
		    h->n * (h->n - (h->n > 0)) / 2);
	if (slow)
		strbuf_addf(out, "; <b class=bad>%zu slow</b> (outlined)", slow);
	strbuf_adds(out, h->lower ? ". Lower is better: bright cells are the slow ones." :
				    ". Higher is better: dark cells are the slow ones.");
	strbuf_adds(out, "</p>\n");
}

static void heatmap(struct strbuf *out, const cJSON *test, const cJSON *mx, const cJSON *rows)
{
	struct heat h = { .test = test, .mx = mx, .name = rows->string };
	const cJSON *hosts = cJSON_GetObjectItemCaseSensitive(mx, "hosts"), *x;
	const char *better = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(mx, "better"), h.name));
	struct strbuf title = STRBUF_INIT;
	h.hosts = malloc(((size_t)cJSON_GetArraySize(hosts) + 1) * sizeof(char *));
	cJSON_ArrayForEach(x, hosts)
		h.hosts[h.n++] = cJSON_IsString(x) ? x->valuestring : "?";
	h.unit = unit_of(test, mx, h.name);
	h.lower = better ? !strcmp(better, "lower") : anvil_html_lower_better(test, h.name, h.unit);
	read_matrix(&h, rows);
	strbuf_addf(&title, "%s between node pairs", h.name);
	strbuf_adds(out, "<div class=fig><div class=plot>");
	anvil_svg_heatmap(out, strbuf_str(&title), h.hosts, h.n, h.v, h.bad, h.unit);
	strbuf_adds(out, "</div><div class=side>");
	caption(out, &h);
	if (h.n <= ANVIL_HTML_MAX_MATRIX_TABLE)
		full_table(out, &h);
	else
		node_table(out, &h);
	strbuf_adds(out, "</div></div>\n");
	strbuf_release(&title);
	free(h.hosts);
	free(h.v);
	free(h.bad);
}

void anvil_html_matrix(struct strbuf *out, const cJSON *test)
{
	const cJSON *mx = anvil_html_matrix_of(test), *rows;
	if (!mx)
		return;
	culprits(out, test, mx);
	cJSON_ArrayForEach(rows, cJSON_GetObjectItemCaseSensitive(mx, "metrics"))
		if (cJSON_IsArray(rows) && rows->string)
			heatmap(out, test, mx, rows);
}
