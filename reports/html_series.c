/* Series charts of report.html. A test's series are grouped by name and x
 * unit; each column of a group is one chart with one line per host, pair or
 * GPU:
 *   - x in bytes or another size (a sweep): a line chart, log-2 x for bytes,
 *     with the limit (or the datasheet peak) of the figure the column stands
 *     for as a dashed line;
 *   - x in seconds: a time series (telemetry) with its warn and fail lines.
 * A fleet gives thousands of lines; a chart draws at most
 * ANVIL_HTML_MAX_LINES: those whose figure failed, then the worst by the
 * data, then the median and the best line, and says what it left out. Its
 * table holds the drawn lines and, when some were left out, the fleet's
 * min/median/max per size (or per line statistics for a time series).
 * Who owns what: the tree is only read; everything allocated here is freed
 * before the function returns. */
#include "reports/html_util.h"
#include "common/fmt.h"
#include "reports/report.h"
#include "reports/svg.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/sort.h"

#define MAX_GROUPS 64
#define MAX_SHARED_X 512   /* distinct sizes up to which lines are compared point by point */

enum role { NOT_DRAWN, DRAWN, WORST, MEDIAN, BEST };

struct line {
	const cJSON *se;
	char *label;            /* plain text; malloc'd */
	double *x, *y;
	size_t n;
	double bad;             /* larger = worse (sign set by the direction); NAN: no data */
	int verdict;            /* worst verdict of the figure the column stands for; -1 none */
	enum role role;
};

struct group {
	const char *name, *xname, *xunit;
	const char *domain;     /* shared by every host, left off the labels; may be NULL */
	const cJSON **se;
	size_t n;
};

/* One chart's lines and what the checks say about its column. */
struct chart {
	const cJSON *test;
	const struct group *g;
	const char *col, *unit, *metric;
	struct anvil_html_bounds b;
	int lower, time_x;
	struct line *lines;
	size_t n, drawn, failing_left;
	double *xs;             /* the sizes of all lines, sorted, distinct (sweeps) */
	size_t nxs;
};

static const struct { enum role role; const char *suffix; } role_names[] = {
	{ MEDIAN, " (median)" }, { BEST, " (best)" },
};

/* ---- gathering -------------------------------------------------------------- */

static size_t group_series(const cJSON *series, struct group *groups)
{
	size_t ng = 0, total = (size_t)cJSON_GetArraySize(series);
	const cJSON *se;
	cJSON_ArrayForEach(se, series) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(se, "x");
		const char *name = anvil_html_str(se, "name"), *xunit = anvil_html_str(x, "unit");
		size_t k = 0;
		while (k < ng && (strcmp(groups[k].name, name) || strcmp(groups[k].xunit, xunit)))
			k++;
		if (k == ng) {
			if (ng == MAX_GROUPS)
				continue;
			groups[ng++] = (struct group){ name, anvil_html_str(x, "name"), xunit, NULL,
						       calloc(total, sizeof(cJSON *)), 0 };
		}
		groups[k].se[groups[k].n++] = se;
	}
	return ng;
}

/* Index of the column called name in the series' columns, else -1. */
static int column_index(const cJSON *se, const char *name)
{
	const cJSON *c;
	int i = 0;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(se, "columns")) {
		if (!strcmp(anvil_html_str(c, "name"), name))
			return i;
		i++;
	}
	return -1;
}

static void line_fill(struct line *ln, const cJSON *se, int ci)
{
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(se, "rows"), *row;
	size_t cap = (size_t)cJSON_GetArraySize(rows);
	ln->se = se;
	ln->x = malloc((cap + 1) * sizeof(double));
	ln->y = malloc((cap + 1) * sizeof(double));
	ln->n = 0;
	cJSON_ArrayForEach(row, rows) {
		const cJSON *x = cJSON_GetArrayItem(row, 0), *y = ci < 0 ? NULL : cJSON_GetArrayItem(row, ci + 1);
		ln->x[ln->n] = cJSON_IsNumber(x) ? x->valuedouble : NAN;
		ln->y[ln->n] = cJSON_IsNumber(y) ? y->valuedouble : NAN;
		ln->n++;
	}
}

/* Whether the column varies. A column that holds one value at every point
 * of every line (a "wrong elements" count that stays 0, a PCIe link width,
 * a power limit) says its news in one sentence, not in a flat chart; *only
 * gets that value (NAN when the column is empty). A bit mask ("bits") is
 * no quantity to draw at all. */
static int varies(const struct chart *c, double *only)
{
	*only = NAN;
	for (size_t i = 0; i < c->n; i++)
		for (size_t j = 0; j < c->lines[i].n; j++) {
			double y = c->lines[i].y[j];
			if (!isfinite(y))
				continue;
			if (isfinite(*only) && y != *only)
				return strcmp(c->unit, "bits") != 0;
			*only = y;
		}
	return 0;
}

/* A time series column judged by a figure of another name ("temperature"
 * by "temp_max_c"): the only judged metric of the test in that unit. */
static const char *same_unit_metric(const cJSON *test, const char *unit)
{
	const cJSON *ch;
	const char *found = NULL;
	cJSON_ArrayForEach(ch, cJSON_GetObjectItemCaseSensitive(test, "checks")) {
		const char *rule = anvil_html_str(ch, "rule"), *name = anvil_html_str(ch, "name");
		if (strcmp(anvil_html_str(ch, "unit"), unit) ||
		    (strcmp(rule, "absolute") && strcmp(rule, "peak") && strcmp(rule, "peers")))
			continue;
		if (found && strcmp(found, name))
			return NULL;
		found = name;
	}
	return found;
}

/* ---- ranking ---------------------------------------------------------------- */

static size_t find_x(const double *xs, size_t n, double x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (xs[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void collect_xs(struct chart *c)
{
	size_t total = 0, k = 0;
	for (size_t i = 0; i < c->n; i++)
		total += c->lines[i].n;
	c->xs = malloc((total + 1) * sizeof(double));
	for (size_t i = 0; i < c->n; i++)
		for (size_t j = 0; j < c->lines[i].n; j++)
			if (isfinite(c->lines[i].x[j]) && isfinite(c->lines[i].y[j]))
				c->xs[k++] = c->lines[i].x[j];
	anvil_sort_doubles(c->xs, k);
	c->nxs = 0;
	for (size_t i = 0; i < k; i++)
		if (!c->nxs || c->xs[c->nxs - 1] != c->xs[i])
			c->xs[c->nxs++] = c->xs[i];
}

/* Values of every line at every shared size: vals[xi * n + line], NAN where missing. */
static double *value_grid(const struct chart *c)
{
	double *v = malloc((c->nxs * c->n + 1) * sizeof(double));
	for (size_t i = 0; i < c->nxs * c->n; i++)
		v[i] = NAN;
	for (size_t i = 0; i < c->n; i++)
		for (size_t j = 0; j < c->lines[i].n; j++) {
			const struct line *ln = &c->lines[i];
			if (!isfinite(ln->x[j]))
				continue;
			size_t xi = find_x(c->xs, c->nxs, ln->x[j]);
			if (xi < c->nxs && c->xs[xi] == ln->x[j])
				v[xi * c->n + i] = ln->y[j];
		}
	return v;
}

/* The min (which < 0), median (0) or max (> 0) of row xi of the grid. */
static double grid_stat(const struct chart *c, const double *grid, size_t xi, int which)
{
	double *tmp = malloc((c->n + 1) * sizeof(double)), r = NAN;
	size_t k = 0;
	for (size_t i = 0; i < c->n; i++) {
		double v = grid[xi * c->n + i];
		if (!isfinite(v))
			continue;
		tmp[k++] = v;
		if (which)
			r = !isfinite(r) ? v : which < 0 ? fmin(r, v) : fmax(r, v);
	}
	if (!which)
		r = anvil_html_median(tmp, k);
	free(tmp);
	return r;
}

/* Sweeps: the mean log-ratio of a line to the median line over the sizes it
 * has; time series (and sweeps too irregular for that): the hottest peak of
 * a lower-is-better line, the mean of a higher-is-better one. */
static void score(struct chart *c)
{
	double *grid = !c->time_x && c->nxs <= MAX_SHARED_X ? value_grid(c) : NULL;
	double *med = grid ? malloc((c->nxs + 1) * sizeof(double)) : NULL;
	for (size_t xi = 0; grid && xi < c->nxs; xi++)
		med[xi] = grid_stat(c, grid, xi, 0);
	for (size_t i = 0; i < c->n; i++) {
		struct line *ln = &c->lines[i];
		double sum = 0, mx = -INFINITY;
		size_t k = 0;
		for (size_t j = 0; j < ln->n; j++) {
			double y = ln->y[j];
			if (!isfinite(y) || !isfinite(ln->x[j]))
				continue;
			if (grid) {
				double m = med[find_x(c->xs, c->nxs, ln->x[j])];
				if (y <= 0 || !(m > 0))
					continue;
				sum += log(y / m);
			} else {
				sum += y;
			}
			mx = fmax(mx, y);
			k++;
		}
		if (!k)
			ln->bad = NAN;
		else if (!grid && c->lower)
			ln->bad = mx;
		else
			ln->bad = (c->lower ? 1 : -1) * sum / (double)k;
	}
	free(grid);
	free(med);
}

static int is_flagged(int verdict)
{
	return verdict == ANVIL_V_FAIL || verdict == ANVIL_V_ERROR || verdict == ANVIL_V_WARN;
}

static const struct line *sort_base;

/* Flagged figures first, then the worse, lines without data last; ties by position. */
static int cmp_worse(const void *pa, const void *pb)
{
	const struct line *a = &sort_base[*(const size_t *)pa], *b = &sort_base[*(const size_t *)pb];
	if (is_flagged(a->verdict) != is_flagged(b->verdict))
		return is_flagged(b->verdict) - is_flagged(a->verdict);
	if (isfinite(a->bad) != isfinite(b->bad))
		return isfinite(b->bad) - isfinite(a->bad);
	if (isfinite(a->bad) && a->bad != b->bad)
		return a->bad < b->bad ? 1 : -1;
	return (a > b) - (a < b);
}

static int cmp_bad(const void *pa, const void *pb)
{
	const struct line *a = &sort_base[*(const size_t *)pa], *b = &sort_base[*(const size_t *)pb];
	if (a->bad != b->bad)
		return a->bad < b->bad ? 1 : -1;
	return (a > b) - (a < b);
}

/* Marks the lines to draw; the caller draws them worst first. */
static void select_lines(struct chart *c, size_t *order)
{
	size_t n = c->n, k = 0;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	if (n <= ANVIL_HTML_MAX_LINES) {
		for (size_t i = 0; i < n; i++)
			c->lines[i].role = DRAWN;
		c->drawn = n;
		return;
	}
	sort_base = c->lines;
	anvil_sort(order, n, sizeof(*order), cmp_worse);
	for (size_t i = 0; i < ANVIL_HTML_WORST_LINES; i++)
		c->lines[order[i]].role = WORST;
	for (size_t i = ANVIL_HTML_WORST_LINES; i < n; i++)
		c->failing_left += is_flagged(c->lines[order[i]].verdict);
	/* the median and the best by the data alone */
	size_t *byval = malloc(n * sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		if (isfinite(c->lines[i].bad))
			byval[k++] = i;
	anvil_sort(byval, k, sizeof(size_t), cmp_bad);
	if (k && c->lines[byval[k / 2]].role == NOT_DRAWN)
		c->lines[byval[k / 2]].role = MEDIAN;
	if (k && c->lines[byval[k - 1]].role == NOT_DRAWN)
		c->lines[byval[k - 1]].role = BEST;
	free(byval);
	/* draw order: the worst first, then median, then best */
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (c->lines[order[i]].role == WORST)
			order[m++] = order[i];
	for (int r = MEDIAN; r <= BEST; r++)
		for (size_t i = 0; i < n; i++)
			if (c->lines[i].role == (enum role)r)
				order[m++] = i;
	c->drawn = m;
}

/* ---- output ------------------------------------------------------------------- */

static const char *role_suffix(enum role r)
{
	for (size_t i = 0; i < sizeof(role_names) / sizeof(*role_names); i++)
		if (role_names[i].role == r)
			return role_names[i].suffix;
	return "";
}

static void draw(struct strbuf *out, const struct chart *c, const size_t *order)
{
	struct anvil_svg_line *sl = calloc(c->drawn + 1, sizeof(*sl));
	char **labels = calloc(c->drawn + 1, sizeof(char *));
	struct strbuf title = STRBUF_INIT;
	double lo = INFINITY, hi = 0;
	for (size_t k = 0; k < c->drawn; k++) {
		const struct line *ln = &c->lines[order[k]];
		size_t len = strlen(ln->label) + 16;
		labels[k] = malloc(len);
		anvil_fmt(labels[k], len, "%s%s", ln->label, role_suffix(ln->role));
		sl[k] = (struct anvil_svg_line){ labels[k], ln->x, ln->y, ln->n };
		for (size_t j = 0; j < ln->n; j++)
			if (isfinite(ln->y[j]) && ln->y[j] > 0)
				lo = fmin(lo, ln->y[j]), hi = fmax(hi, ln->y[j]);
	}
	strbuf_adds(&title, c->g->name);
	if (strcmp(c->g->name, c->col))
		strbuf_addf(&title, ": %s", c->col);
	struct anvil_svg_axes ax = {
		.title = strbuf_str(&title), .x_label = c->g->xname, .x_unit = c->g->xunit,
		.y_label = c->col, .y_unit = c->unit, .ref_value = NAN,
		.log_x = !strcmp(c->g->xunit, "B") ||
			 (c->nxs > 2 && c->xs[0] > 0 && c->xs[c->nxs - 1] / c->xs[0] >= 64),
		.log_y = c->lower && !c->time_x && isfinite(lo) && hi / lo >= 100,
	};
	if (c->time_x) {
		anvil_svg_timeseries(out, &ax, sl, c->drawn, c->b.warn, c->b.limit);
	} else {
		if (isfinite(c->b.limit))
			ax.ref_value = c->b.limit, ax.ref_label = c->b.limit_label;
		else if (isfinite(c->b.peak))
			ax.ref_value = c->b.peak, ax.ref_label = "peak";
		anvil_svg_line_chart(out, &ax, sl, c->drawn);
	}
	for (size_t k = 0; k < c->drawn; k++)
		free(labels[k]);
	free(labels);
	free(sl);
	strbuf_release(&title);
}

static void caption(struct strbuf *out, const struct chart *c, const size_t *order)
{
	strbuf_adds(out, "<p class=cap>");
	if (c->drawn == c->n) {
		strbuf_addf(out, "%zu line%s", c->n, c->n == 1 ? "" : "s");
	} else {
		strbuf_addf(out, "%zu of %zu lines: the %d worst (", c->drawn, c->n, ANVIL_HTML_WORST_LINES);
		for (size_t k = 0; k < c->drawn; k++)
			if (c->lines[order[k]].role == WORST) {
				strbuf_adds(out, k ? ", " : "");
				anvil_html_text(out, c->lines[order[k]].label);
			}
		strbuf_adds(out, "), the median and the best");
		if (c->failing_left)
			strbuf_addf(out, "; <b>%zu more flagged line%s not drawn</b>", c->failing_left,
				    c->failing_left == 1 ? "" : "s");
	}
	strbuf_adds(out, ".");
	if (c->g->domain) {
		strbuf_adds(out, " Hosts without <code>");
		anvil_html_text(out, c->g->domain);
		strbuf_adds(out, "</code>.");
	}
	if (c->metric && (isfinite(c->b.limit) || isfinite(c->b.peak))) {
		strbuf_adds(out, c->time_x ? " Dashed: the limits" : " Dashed: the ");
		if (!c->time_x)
			anvil_html_text(out, isfinite(c->b.limit) ? c->b.limit_label : "peak");
		strbuf_adds(out, " of <code>");
		anvil_html_text(out, c->metric);
		strbuf_adds(out, "</code>, the figure the checks judge");
		if (!c->time_x && strcmp(c->g->xunit, "s"))
			strbuf_adds(out, " (one value per line, not every size)");
		strbuf_adds(out, ".");
	}
	strbuf_adds(out, "</p>\n");
}

static void td_value_cls(struct strbuf *out, const struct chart *c, double v)
{
	const char *cls = NULL;
	if (c->time_x && isfinite(v) && isfinite(c->b.limit) && (c->b.lower ? v > c->b.limit : v < c->b.limit))
		cls = "bad";
	else if (c->time_x && isfinite(v) && isfinite(c->b.warn) && (c->b.lower ? v > c->b.warn : v < c->b.warn))
		cls = "warn";
	anvil_html_td_num(out, v, c->unit, cls);
}

static void th_text(struct strbuf *out, const char *a, const char *b)
{
	strbuf_adds(out, "<th>");
	anvil_html_text(out, a);
	anvil_html_text(out, b);
	strbuf_adds(out, "</th>");
}

static void sweep_table(struct strbuf *out, const struct chart *c, const size_t *order)
{
	double *grid = value_grid(c);
	int fleet = c->drawn < c->n;
	char what[200];
	anvil_fmt(what, sizeof(what), "Data: %s by %s", c->col, c->g->xname[0] ? c->g->xname : "x");
	anvil_html_data_open(out, what, c->nxs);
	strbuf_adds(out, "<thead><tr>");
	strbuf_adds(out, "<th>");
	anvil_html_text(out, c->g->xname[0] ? c->g->xname : "x");
	if (c->g->xunit[0] && strcmp(c->g->xunit, "B")) {
		strbuf_adds(out, " (");
		anvil_html_text(out, c->g->xunit);
		strbuf_adds(out, ")");
	}
	strbuf_adds(out, "</th>");
	for (size_t k = 0; k < c->drawn; k++) {
		const struct line *ln = &c->lines[order[k]];
		th_text(out, ln->label, role_suffix(ln->role));
	}
	if (fleet)
		strbuf_addf(out, "<th>min of %zu</th><th>median</th><th>max</th>", c->n);
	strbuf_adds(out, "</tr></thead><tbody>\n");
	for (size_t xi = 0; xi < c->nxs; xi++) {
		strbuf_adds(out, "<tr>");
		anvil_html_td_num(out, c->xs[xi], c->g->xunit, "x");
		for (size_t k = 0; k < c->drawn; k++)
			td_value_cls(out, c, grid[xi * c->n + order[k]]);
		if (fleet) {
			anvil_html_td_num(out, grid_stat(c, grid, xi, -1), c->unit, "fleet");
			anvil_html_td_num(out, grid_stat(c, grid, xi, 0), c->unit, "fleet");
			anvil_html_td_num(out, grid_stat(c, grid, xi, 1), c->unit, "fleet");
		}
		strbuf_adds(out, "</tr>\n");
	}
	strbuf_adds(out, "</tbody>");
	anvil_html_data_close(out);
	free(grid);
}

struct stats { double min, mean, max, last; size_t n; };

static struct stats line_stats(const struct line *ln)
{
	struct stats s = { INFINITY, 0, -INFINITY, NAN, 0 };
	for (size_t j = 0; j < ln->n; j++)
		if (isfinite(ln->y[j])) {
			s.min = fmin(s.min, ln->y[j]);
			s.max = fmax(s.max, ln->y[j]);
			s.mean += ln->y[j];
			s.last = ln->y[j];
			s.n++;
		}
	if (!s.n)
		return (struct stats){ NAN, NAN, NAN, NAN, 0 };
	s.mean /= (double)s.n;
	return s;
}

static void stats_row(struct strbuf *out, const struct chart *c, const char *who, const char *suffix,
		      struct stats s, const char *cls)
{
	strbuf_addf(out, "<tr%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
	strbuf_adds(out, "<td>");
	anvil_html_text(out, who);
	anvil_html_text(out, suffix);
	strbuf_addf(out, "</td><td class=num>%zu</td>", s.n);
	td_value_cls(out, c, s.min);
	td_value_cls(out, c, s.mean);
	td_value_cls(out, c, s.max);
	td_value_cls(out, c, s.last);
	strbuf_adds(out, "</tr>\n");
}

/* A time series' data: its samples summarised per line (a burn-in gives
 * thousands of samples per GPU), and the fleet's range when lines were left out. */
static void time_table(struct strbuf *out, const struct chart *c, const size_t *order)
{
	int fleet = c->drawn < c->n;
	char what[200];
	anvil_fmt(what, sizeof(what), "Data: %s per line", c->col);
	anvil_html_data_open(out, what, c->drawn + (size_t)fleet);
	strbuf_adds(out, "<thead><tr><th>line</th><th>samples</th><th>min</th><th>mean</th><th>max</th>"
			 "<th>last</th></tr></thead><tbody>\n");
	for (size_t k = 0; k < c->drawn; k++) {
		const struct line *ln = &c->lines[order[k]];
		stats_row(out, c, ln->label, role_suffix(ln->role), line_stats(ln), NULL);
	}
	if (fleet) {
		struct stats all = { INFINITY, 0, -INFINITY, NAN, 0 };
		double *means = malloc((c->n + 1) * sizeof(double));
		size_t k = 0;
		for (size_t i = 0; i < c->n; i++) {
			struct stats s = line_stats(&c->lines[i]);
			if (!s.n)
				continue;
			all.min = fmin(all.min, s.min);
			all.max = fmax(all.max, s.max);
			all.n += s.n;
			means[k++] = s.mean;
		}
		all.mean = anvil_html_median(means, k);
		free(means);
		char who[64];
		anvil_fmt(who, sizeof(who), "all %zu lines (mean: their median)", c->n);
		stats_row(out, c, who, "", all, "fleet");
	}
	strbuf_adds(out, "</tbody>");
	anvil_html_data_close(out);
}

/* ---- one chart per column ---------------------------------------------------- */

static void column_chart(struct strbuf *out, const cJSON *test, const cJSON *profile,
			 const struct group *g, const cJSON *col, const struct anvil_html_verdicts *vs,
			 const cJSON *show, struct strbuf *quiet)
{
	struct chart c = { .test = test, .g = g, .col = anvil_html_str(col, "name"),
			   .unit = anvil_html_str(col, "unit"), .time_x = !strcmp(g->xunit, "s") };
	c.lines = calloc(g->n + 1, sizeof(*c.lines));
	c.n = g->n;
	for (size_t i = 0; i < g->n; i++)
		line_fill(&c.lines[i], g->se[i], column_index(g->se[i], c.col));
	double only;
	if (!varies(&c, &only)) {
		if (!isfinite(only) && strcmp(c.unit, "bits"))
			goto out;  /* nothing recorded */
		strbuf_adds(quiet, quiet->len ? "; " : "");
		anvil_html_text(quiet, c.col);
		if (!strcmp(c.unit, "bits")) {
			strbuf_adds(quiet, " (a bit mask)");
		} else {
			strbuf_adds(quiet, " stayed ");
			anvil_html_number(quiet, only, c.unit);
			if (*c.unit && strcmp(c.unit, "B")) {
				strbuf_adds(quiet, " ");
				anvil_html_text(quiet, c.unit);
			}
		}
		goto out;
	}
	c.metric = anvil_html_column_metric(test, c.col, c.unit);
	if (!c.metric && c.time_x)
		c.metric = same_unit_metric(test, c.unit);
	if (c.metric)
		anvil_html_bounds_of(test, profile, c.metric, &c.b);
	else
		c.b = (struct anvil_html_bounds){ .limit = NAN, .warn = NAN, .peak = NAN, .median = NAN };
	c.lower = c.metric ? c.b.lower : anvil_html_lower_better(test, c.col, c.unit);
	c.b.lower = c.lower;
	for (size_t i = 0; i < c.n; i++) {
		const cJSON *se = c.lines[i].se;
		c.lines[i].label = anvil_html_who(anvil_html_str(se, "host"),
						  cJSON_GetObjectItemCaseSensitive(se, "labels"), show, g->domain);
		c.lines[i].verdict = c.metric ? anvil_html_verdicts_get(vs, c.metric, anvil_html_str(se, "host"),
									 cJSON_GetObjectItemCaseSensitive(se, "labels")) : -1;
	}
	collect_xs(&c);
	score(&c);
	size_t *order = malloc((c.n + 1) * sizeof(size_t));
	select_lines(&c, order);
	strbuf_adds(out, "<div class=fig><div class=plot>");
	draw(out, &c, order);
	strbuf_adds(out, "</div><div class=side>");
	caption(out, &c, order);
	if (c.time_x || c.nxs > MAX_SHARED_X)
		time_table(out, &c, order);
	else
		sweep_table(out, &c, order);
	strbuf_adds(out, "</div></div>\n");
	free(order);
out:
	for (size_t i = 0; i < c.n; i++) {
		free(c.lines[i].label);
		free(c.lines[i].x);
		free(c.lines[i].y);
	}
	free(c.lines);
	free(c.xs);
}

void anvil_html_series(struct strbuf *out, const cJSON *test, const cJSON *profile)
{
	struct group groups[MAX_GROUPS];
	struct anvil_html_verdicts vs;
	size_t ng = group_series(cJSON_GetObjectItemCaseSensitive(test, "series"), groups);
	if (!ng)
		return;
	anvil_html_verdicts_init(&vs, cJSON_GetObjectItemCaseSensitive(test, "checks"));
	for (size_t k = 0; k < ng; k++) {
		struct group *g = &groups[k];
		struct strbuf quiet = STRBUF_INIT;
		g->domain = anvil_html_domain(g->se, g->n);
		cJSON *show = anvil_html_varying(g->se, g->n);
		const cJSON *col;
		cJSON_ArrayForEach(col, cJSON_GetObjectItemCaseSensitive(g->se[0], "columns"))
			column_chart(out, test, profile, g, col, &vs, show, &quiet);
		if (quiet.len) {
			strbuf_adds(out, "<p class=cap>");
			anvil_html_text(out, g->name);
			strbuf_addf(out, ", not charted: %s, at every point of every line.</p>\n", strbuf_str(&quiet));
		}
		strbuf_release(&quiet);
		cJSON_Delete(show);
		free(g->se);
	}
	anvil_html_verdicts_release(&vs);
}
