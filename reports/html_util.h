/* Shared pieces of the report.html writers (html.c and the html_*.c files
 * it calls): reading the report tree, writing escaped cells, naming a figure,
 * the verdicts and bounds the checks put on a figure, and the cuts that keep
 * the page small on a fleet. Internal to reports/.
 *
 * Escaping discipline: every string that came from the journal goes out
 * through strbuf_add_html (here: anvil_html_text); SVG text goes through the
 * svg module, which escapes itself. Nothing else is written raw. */
#ifndef ANVIL_HTML_UTIL_H
#define ANVIL_HTML_UTIL_H
#include <stddef.h>
#include <cjson/cJSON.h>
#include "common/strbuf.h"

/* Fleet cuts: above these, a chart or table shows the worst items and a
 * summary, and says how many it left out (report.json has them all). */
#define ANVIL_HTML_MAX_LINES 8        /* lines in one chart */
#define ANVIL_HTML_WORST_LINES 5      /* of which the worst (the rest: median, best) */
#define ANVIL_HTML_MAX_ROWS 64        /* rows of a per-figure data table */
#define ANVIL_HTML_MAX_MATRIX_TABLE 16 /* hosts up to which a matrix is also a full table */

const char *anvil_html_str(const cJSON *o, const char *k);  /* "" when absent or not a string */
double anvil_html_num(const cJSON *o, const char *k);       /* NAN when absent or not a number */

/* Inert text (NULL writes nothing). */
void anvil_html_text(struct strbuf *out, const char *s);
/* A number as %.4g, whole from 10^4 up ("&mdash;" when not finite); bytes
 * as "4 KiB" when unit is "B". */
void anvil_html_number(struct strbuf *out, double v, const char *unit);
void anvil_html_td_num(struct strbuf *out, double v, const char *unit, const char *cls);
void anvil_html_td_text(struct strbuf *out, const char *s);
/* <span class="v FAIL">FAIL</span>; "NOT RUN" gets the class NOT_RUN. */
void anvil_html_verdict(struct strbuf *out, const char *verdict);

/* The label keys whose values differ among items[0..n) (or that some
 * lack), as an object key -> true, for anvil_html_who. Caller frees. */
cJSON *anvil_html_varying(const cJSON *const *items, size_t n);
/* How a figure is named on a chart: "cn01", "cn01 ↔ cn02" (label peer),
 * "cn01 gpu=3" (only labels listed in show), host names without the domain
 * they all share (domain, from anvil_html_domain; may be NULL). Plain
 * text, malloc'd. */
char *anvil_html_who(const char *host, const cJSON *labels, const cJSON *show, const char *domain);
/* The ".cluster.local" every item's host has after a name of its own (the
 * longest such suffix), so charts can leave it off; NULL when none. */
const char *anvil_html_domain(const cJSON *const *items, size_t n);

/* Median of v[0..n) (sorts v); NAN when n == 0. */
double anvil_html_median(double *v, size_t n);

/* The worst verdict of the checks on each figure (check name, host,
 * labels), looked up in O(1): a 1024-node report has ~10^4 of both.
 * Baseline checks are left out: a chart marks what its own limits judged. */
struct anvil_html_verdicts {
	size_t cap;
	struct anvil_html_vslot { char *key; int verdict; } *slot;
};
void anvil_html_verdicts_init(struct anvil_html_verdicts *vs, const cJSON *checks);
/* enum anvil_verdict value, or -1 when no check judged that figure. */
int anvil_html_verdicts_get(const struct anvil_html_verdicts *vs, const char *name,
			    const char *host, const cJSON *labels);
void anvil_html_verdicts_release(struct anvil_html_verdicts *vs);

/* What a test's checks say about one figure (a metric name), for the lines
 * drawn on its chart. limit is the bound every figure must clear: for each
 * rule, the most lenient of its per-figure limits; across rules, the
 * strictest. peak is the datasheet value (rule peak), median the peers'
 * median (rule peers); warn the warning level of the limit's rule, from the
 * profile (the check itself records only the limit). */
struct anvil_html_bounds {
	int lower;              /* lower is better: limit and warn are ceilings */
	double limit, warn, peak, median;
	char limit_label[24];   /* "minimum", "75% of peak", "90% of peers" */
};
void anvil_html_bounds_of(const cJSON *test, const cJSON *profile, const char *metric,
			  struct anvil_html_bounds *b);
/* Whether lower is better for figures of this metric (its "better"), else
 * guessed from the unit (times are lower-is-better). */
int anvil_html_lower_better(const cJSON *test, const char *metric, const char *unit);
/* The judged metric that a series column stands for: the one named as the
 * column, or the column's name and "_" ("latency" -> "latency_us"), with the
 * same unit. NULL when none. */
const char *anvil_html_column_metric(const cJSON *test, const char *column, const char *unit);

/* The per-test pieces html.c puts around the charts. */
void anvil_html_series(struct strbuf *out, const cJSON *test, const cJSON *profile);
void anvil_html_bars(struct strbuf *out, const cJSON *test, const cJSON *profile);
/* The node-pair matrix; returns it (or NULL) so bars can leave its metrics out. */
const cJSON *anvil_html_matrix_of(const cJSON *test);
void anvil_html_matrix(struct strbuf *out, const cJSON *test);

/* A <details> holding a data table: opened with its summary text. */
void anvil_html_data_open(struct strbuf *out, const char *what, size_t rows);
void anvil_html_data_close(struct strbuf *out);

#endif
