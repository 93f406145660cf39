/* report.html: the report an operator reads and signs. One self-contained
 * file: inline CSS and inline SVG, no script, no external URL, and a
 * Content-Security-Policy that would block either. Every text from the
 * journal is escaped (anvil_html_text = strbuf_add_html); ids and classes
 * are made here, never taken from the journal.
 *
 * Order: the verdict and what needs attention first, then the nodes and
 * the judged inventory drift (reports/ops.c), the tests at a glance, the
 * baseline comparison, one section per test (charts with their data,
 * checks, figures), every node's inventory, and a sign-off block. On a fleet
 * long lists are cut to the flagged rows and say what they left out;
 * report.json and junit.xml keep everything. */
#include "reports/report.h"
#include "reports/render.h"
#include "reports/arena.h"
#include "common/fmt.h"
#include "reports/html_charts.h"
#include "reports/html_util.h"
#include "reports/ops.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "common/sort.h"

#define MAX_ATTENTION 300      /* rows of "needs attention" */
#define MAX_FLAGGED_ROWS 200   /* flagged checks listed per test */
#define MAX_GROUPS 64          /* kinds of rows in a fleet's summary table */
#define MAX_BASELINE_ROWS 300  /* baseline rows listed per verdict */

static const char *s(const cJSON *o, const char *k) { return anvil_html_str(o, k); }
static void text(struct strbuf *out, const char *t) { anvil_html_text(out, t); }

static const char css[] =
	":root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--accent:#0b5cad;"
	"--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--warn:#9a6700;--warn-bg:#fff8c5;"
	"--err:#8250df;--err-bg:#fbefff;--skip:#59636e;--skip-bg:#eff2f5;--nr-bg:#ddf4ff;--nr:#0550ae;"
	"--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}"
	"*{box-sizing:border-box}"
	"html{-webkit-text-size-adjust:100%}"
	"body{margin:0;color:var(--ink);background:var(--soft);"
	"font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}"
	"main{max-width:1240px;margin:0 auto;padding:28px 32px 56px;background:#fff;min-height:100vh;"
	"box-shadow:0 0 0 1px var(--line)}"
	"h1{font-size:22px;margin:0;font-weight:650;letter-spacing:-.01em}"
	"h2{font-size:18px;margin:36px 0 10px;padding-bottom:6px;border-bottom:1px solid var(--line);font-weight:650}"
	"h3{font-size:15px;margin:22px 0 8px}"
	"code,.mono{font-family:var(--mono);font-size:12.5px}"
	"a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}"
	".muted{color:var(--muted)}"
	"p.lead{margin:6px 0 12px}"
	"header.top{display:flex;justify-content:space-between;align-items:flex-end;gap:16px;flex-wrap:wrap;"
	"padding-bottom:14px;border-bottom:2px solid var(--ink)}"
	"header.top .sub{color:var(--muted);font-size:13px;margin-top:2px}"
	"header.top .brand{font-family:var(--mono);font-size:12px;color:var(--muted);text-align:right}"
	".banner{display:flex;align-items:center;gap:22px;flex-wrap:wrap;margin:20px 0 8px;padding:16px 20px;"
	"border-radius:10px;border:1px solid;background:var(--skip-bg);border-color:var(--line)}"
	".banner .word{font-size:30px;font-weight:800;letter-spacing:.04em;line-height:1}"
	".banner .says{font-size:15px;font-weight:500}"
	".banner .counts{margin-left:auto;display:flex;gap:6px;flex-wrap:wrap}"
	".banner.PASS{background:var(--pass-bg);border-color:#4ac26b}.banner.PASS .word{color:var(--pass)}"
	".banner.FAIL{background:var(--fail-bg);border-color:#ff8182}.banner.FAIL .word{color:var(--fail)}"
	".banner.WARN{background:var(--warn-bg);border-color:#d4a72c}.banner.WARN .word{color:var(--warn)}"
	".banner.ERROR{background:var(--err-bg);border-color:#c297ff}.banner.ERROR .word{color:var(--err)}"
	".banner.NOT_RUN{background:var(--nr-bg);border-color:#54aeff}.banner.NOT_RUN .word{color:var(--nr)}"
	"dl.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:10px 24px;"
	"margin:16px 0 6px}"
	"dl.facts div{min-width:0}dl.facts dt{font-size:11px;text-transform:uppercase;letter-spacing:.06em;"
	"color:var(--muted);font-weight:600}"
	"dl.facts dd{margin:1px 0 0;font-weight:500;overflow-wrap:anywhere}"
	"table{border-collapse:collapse;font-size:13px;margin:8px 0}"
	"th,td{border-bottom:1px solid var(--line);padding:5px 10px;text-align:left;vertical-align:top}"
	"thead th,table>tbody>tr>th{background:var(--soft);font-weight:600;font-size:12px;color:#343b43}"
	"thead th{border-bottom:1px solid #afb8c1;white-space:nowrap}"
	"td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	"td.why{min-width:18em;max-width:46em;overflow-wrap:anywhere}"
	"td.id{min-width:9em;overflow-wrap:anywhere}"
	"td.who{min-width:12em;max-width:24em;overflow-wrap:anywhere}"
	"td.why .detail{display:block;color:var(--muted);font-size:12px}"
	"table.wide{width:100%}"
	".v{display:inline-block;font-size:11px;font-weight:700;letter-spacing:.04em;padding:1px 7px;"
	"border-radius:10px;white-space:nowrap;background:var(--skip-bg);color:var(--skip);border:1px solid transparent}"
	".v.PASS{background:var(--pass-bg);color:var(--pass)}.v.FAIL{background:var(--fail);color:#fff}"
	".v.WARN{background:var(--warn-bg);color:var(--warn);border-color:#d4a72c}"
	".v.ERROR{background:var(--err-bg);color:var(--err);border-color:#c297ff}"
	".v.NOT_RUN{background:var(--nr-bg);color:var(--nr)}"
	".chip{display:inline-flex;align-items:center;gap:5px;background:#fff;border:1px solid var(--line);"
	"border-radius:14px;padding:2px 9px 2px 3px;font-size:13px;font-weight:600}"
	"p.notes{background:var(--warn-bg);border:1px solid #d4a72c;border-radius:6px;padding:8px 12px;margin:8px 0}"
	"section.test{margin-top:34px}"
	"section.test>h2{display:flex;align-items:center;gap:10px;flex-wrap:wrap}"
	"section.test>h2 .meta{margin-left:auto;font-size:12.5px;font-weight:400;color:var(--muted)}"
	"p.status{background:var(--soft);border-left:3px solid var(--line);padding:6px 12px;margin:8px 0}"
	"section.signoff table{width:100%;max-width:760px}"
	"section.signoff td{height:38px;border-bottom:1px solid #8c959f}"
	"section.signoff th{width:210px;background:transparent;font-size:13px;vertical-align:bottom}"
	".box{display:inline-block;width:12px;height:12px;border:1.5px solid var(--ink);margin:0 6px 0 16px;"
	"vertical-align:-1px}"
	"footer{margin-top:40px;padding-top:10px;border-top:1px solid var(--line);color:var(--muted);font-size:12px}"
	"@media (max-width:700px){main{padding:16px}}"
	"@page{size:A4;margin:14mm 12mm}"
	"@media print{body{background:#fff;font-size:10.5pt}main{max-width:none;padding:0;box-shadow:none}"
	"a{color:inherit}details>summary{list-style:none}details>summary::-webkit-details-marker{display:none}"
	"details::details-content{content-visibility:visible;display:block}"
	"h2{break-after:avoid}tr{break-inside:avoid}section.signoff{break-inside:avoid}"
	"table{font-size:8.5pt}th,td{padding:2px 5px}thead th{white-space:normal}"
	"td.why,td.who,td.id{min-width:0;max-width:none;overflow-wrap:anywhere}td.who{width:24%}td.why{width:36%}td.id{width:12%}"
	".banner,.v,.chip,td.bad,tr.bad>td,td.odd{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

static int is_verdict(const cJSON *c, const char *v)
{
	return !strcmp(s(c, "verdict"), v);
}

/* The flagged checks by verdict (FAIL, ERROR, NOT RUN, WARN: the order they
 * are listed in), gathered in one pass: a pass a verdict was four walks
 * over up to a hundred thousand checks. */
static const char *const flag_order[] = { "FAIL", "ERROR", "NOT RUN", "WARN" };
#define NFLAG (sizeof(flag_order) / sizeof(*flag_order))

/* A flagged verdict's place in flag_order, or NFLAG for the others. */
static size_t flag_rank(const char *v)
{
	size_t i = 0;
	while (i < NFLAG && strcmp(v, flag_order[i]))
		i++;
	return i;
}

static int flagged(const char *v)
{
	return flag_rank(v) < NFLAG;
}

static void labels_text(struct strbuf *out, const cJSON *labels)
{
	const cJSON *l;
	int first = 1;
	cJSON_ArrayForEach(l, labels) {
		if (!cJSON_IsString(l))
			continue;
		if (!first)
			strbuf_adds(out, ", ");
		text(out, l->string);
		strbuf_addch(out, '=');
		text(out, l->valuestring);
		first = 0;
	}
}

static void host_cell(struct strbuf *out, const cJSON *o)
{
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(o, "labels");
	strbuf_adds(out, "<td class=who>");
	text(out, s(o, "host"));
	if (cJSON_GetArraySize(labels)) {
		strbuf_adds(out, " <span class=muted>");
		labels_text(out, labels);
		strbuf_adds(out, "</span>");
	}
	strbuf_adds(out, "</td>");
}

/* ---- checks tables ------------------------------------------------------------ */

static void check_row(struct strbuf *out, const cJSON *c, int test_index)
{
	strbuf_adds(out, "<tr><td>");
	anvil_html_verdict(out, s(c, "verdict"));
	strbuf_adds(out, "</td>");
	if (test_index >= 0) {
		strbuf_addf(out, "<td class=id><a href=\"#t-%d\">", test_index);
		text(out, s(c, "test"));
		strbuf_adds(out, "</a></td>");
	}
	strbuf_adds(out, "<td class=id>");
	text(out, s(c, "name"));
	strbuf_adds(out, "</td>");
	host_cell(out, c);
	anvil_html_td_num(out, anvil_html_num(c, "value"), NULL, NULL);
	anvil_html_td_num(out, anvil_html_num(c, "limit"), NULL, NULL);
	anvil_html_td_text(out, s(c, "unit"));
	anvil_html_td_text(out, s(c, "rule"));
	strbuf_adds(out, "<td class=why>");
	text(out, s(c, "why"));
	if (*s(c, "detail")) {
		strbuf_adds(out, "<span class=detail>");
		text(out, s(c, "detail"));
		strbuf_adds(out, "</span>");
	}
	strbuf_adds(out, "</td></tr>\n");
}

static void check_head(struct strbuf *out, int with_test)
{
	strbuf_addf(out, "<div class=scroll><table class=wide><thead><tr><th>verdict</th>%s<th>check</th>"
			 "<th>host</th><th>value</th><th>limit</th><th>unit</th><th>rule</th><th>why</th></tr>"
			 "</thead><tbody>\n", with_test ? "<th>test</th>" : "");
}

static void check_tail(struct strbuf *out)
{
	strbuf_adds(out, "</tbody></table></div>\n");
}

/* Failing items first: everything that is not PASS, SKIP or WAIVED, across tests. */

struct flagged_check {
	const cJSON *c;
	int test;
};

struct flag_lists {
	struct flagged_check *by[NFLAG];
	size_t n[NFLAG], cap[NFLAG];
};

static void flag_lists_add(struct flag_lists *f, const cJSON *checks, int test)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, checks) {
		size_t i = flag_rank(s(c, "verdict"));
		if (i == NFLAG)
			continue;
		if (f->n[i] == f->cap[i]) {
			f->cap[i] = f->cap[i] ? 2 * f->cap[i] : 64;
			f->by[i] = realloc(f->by[i], f->cap[i] * sizeof(*f->by[i]));
		}
		f->by[i][f->n[i]++] = (struct flagged_check){ c, test };
	}
}

static void flag_lists_release(struct flag_lists *f)
{
	for (size_t i = 0; i < NFLAG; i++)
		free(f->by[i]);
}

static void attention(struct strbuf *out, const cJSON *tests)
{
	struct flag_lists f;
	memset(&f, 0, sizeof(f));
	const cJSON *t;
	int ti = 0;
	cJSON_ArrayForEach(t, tests)
		flag_lists_add(&f, cJSON_GetObjectItemCaseSensitive(t, "checks"), ti++);
	size_t shown = 0, total = 0;
	for (size_t i = 0; i < NFLAG; i++) {
		for (size_t k = 0; k < f.n[i]; k++) {
			if (!total++) {
				strbuf_adds(out, "<section id=attention><h2>Needs attention</h2>\n");
				check_head(out, 1);
			}
			if (shown < MAX_ATTENTION) {
				check_row(out, f.by[i][k].c, f.by[i][k].test);
				shown++;
			}
		}
	}
	flag_lists_release(&f);
	if (!total)
		return;
	if (total > shown)
		strbuf_addf(out, "<tr class=more><td colspan=9>%zu more (the worst are listed first); every one is in "
				 "report.json and junit.xml</td></tr>\n", total - shown);
	check_tail(out);
	strbuf_adds(out, "</section>\n");
}

/* A fleet's many rows of one kind, as one row per (name, rule, verdict):
 * how many, and the range of their values. */
struct group_row {
	const char *name, *rule, *verdict, *unit;
	double *v;
	size_t n, nv;
};

static void summary_rows(struct strbuf *out, const cJSON *items, int want_flagged, int with_rule)
{
	struct group_row g[MAX_GROUPS];
	size_t ng = 0, cap = (size_t)cJSON_GetArraySize(items) + 1, other = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, items) {
		const char *v = s(c, "verdict"), *rule = with_rule ? s(c, "rule") : "";
		size_t k = 0;
		if (with_rule && flagged(v) != want_flagged)
			continue;
		while (k < ng && (strcmp(g[k].name, s(c, "name")) || strcmp(g[k].rule, rule) || strcmp(g[k].verdict, v)))
			k++;
		if (k == ng) {
			if (ng == MAX_GROUPS) {
				other++;
				continue;
			}
			g[ng++] = (struct group_row){ s(c, "name"), rule, v, s(c, "unit"), malloc(cap * sizeof(double)), 0, 0 };
		}
		g[k].n++;
		if (isfinite(anvil_html_num(c, "value")))
			g[k].v[g[k].nv++] = anvil_html_num(c, "value");
	}
	for (size_t k = 0; k < ng; k++) {
		double med = anvil_html_median(g[k].v, g[k].nv);  /* sorts: v[0] is the min */
		strbuf_adds(out, "<tr>");
		if (with_rule) {
			strbuf_adds(out, "<td>");
			anvil_html_verdict(out, g[k].verdict);
			strbuf_adds(out, "</td>");
		}
		anvil_html_td_text(out, g[k].name);
		if (with_rule)
			anvil_html_td_text(out, g[k].rule);
		strbuf_addf(out, "<td class=num>%zu</td>", g[k].n);
		anvil_html_td_num(out, g[k].nv ? g[k].v[0] : NAN, NULL, NULL);
		anvil_html_td_num(out, med, NULL, NULL);
		anvil_html_td_num(out, g[k].nv ? g[k].v[g[k].nv - 1] : NAN, NULL, NULL);
		anvil_html_td_text(out, g[k].unit);
		strbuf_adds(out, "</tr>\n");
		free(g[k].v);
	}
	if (other)
		strbuf_addf(out, "<tr class=more><td colspan=8>%zu more rows of other kinds; report.json lists "
				 "them</td></tr>\n", other);
}

static void summary_head(struct strbuf *out, int with_rule)
{
	strbuf_addf(out, "<div class=scroll><table><thead><tr>%s<th>%s</th>%s<th>count</th><th>min</th>"
			 "<th>median</th><th>max</th><th>unit</th></tr></thead><tbody>\n",
		    with_rule ? "<th>verdict</th>" : "", with_rule ? "check" : "figure", with_rule ? "<th>rule</th>" : "");
}

/* A test's checks: the flagged ones in view (on a fleet, the first
 * MAX_FLAGGED_ROWS and a summary), the rest collapsed (on a fleet, a summary). */
static void test_checks(struct strbuf *out, const cJSON *checks)
{
	const cJSON *c;
	size_t nflag = 0, nrest = 0, listed = 0;
	cJSON_ArrayForEach(c, checks) {
		if (flagged(s(c, "verdict")))
			nflag++;
		else
			nrest++;
	}
	if (nflag) {
		struct flag_lists f;
		memset(&f, 0, sizeof(f));
		flag_lists_add(&f, checks, -1);
		strbuf_addf(out, "<h3>Flagged checks <span class=muted>(%zu)</span></h3>\n", nflag);
		check_head(out, 0);
		for (size_t i = 0; i < NFLAG; i++)
			for (size_t k = 0; k < f.n[i]; k++)
				if (listed++ < MAX_FLAGGED_ROWS)
					check_row(out, f.by[i][k].c, -1);
		flag_lists_release(&f);
		if (listed > MAX_FLAGGED_ROWS)
			strbuf_addf(out, "<tr class=more><td colspan=8>%zu more flagged checks, summarised below; "
					 "report.json and junit.xml list them</td></tr>\n", listed - MAX_FLAGGED_ROWS);
		check_tail(out);
		if (listed > MAX_FLAGGED_ROWS) {
			summary_head(out, 1);
			summary_rows(out, checks, 1, 1);
			check_tail(out);
		}
	}
	if (!nrest)
		return;
	strbuf_addf(out, "<details class=data%s><summary>%s <span class=muted>(%zu)</span></summary>",
		    nflag || nrest > 12 ? "" : " open", nflag ? "Other checks" : "Checks", nrest);
	if (nrest > ANVIL_HTML_MAX_ROWS) {
		summary_head(out, 1);
		summary_rows(out, checks, 0, 1);
	} else {
		check_head(out, 0);
		cJSON_ArrayForEach(c, checks)
			if (!flagged(s(c, "verdict")))
				check_row(out, c, -1);
	}
	check_tail(out);
	strbuf_adds(out, "</details>\n");
}

/* ---- the top of the page --------------------------------------------------------- */

static void fact(struct strbuf *out, const char *name, const char *value)
{
	strbuf_addf(out, "<div><dt>%s</dt><dd>", name);
	text(out, *value ? value : "\xe2\x80\x94");
	strbuf_adds(out, "</dd></div>");
}

static const char *verdict_says(const char *v)
{
	if (!strcmp(v, "PASS"))
		return "Every acceptance check passed.";
	if (!strcmp(v, "WARN"))
		return "Accepted with warnings: no check failed, some are close to their limit.";
	if (!strcmp(v, "FAIL"))
		return "Not accepted: at least one acceptance check failed.";
	if (!strcmp(v, "ERROR"))
		return "Incomplete: a test could not be measured (harness error).";
	if (!strcmp(v, "NOT RUN"))
		return "Incomplete: some tests were not run.";
	return "";
}

static void banner(struct strbuf *out, const cJSON *report)
{
	const char *v = s(report, "verdict");
	const cJSON *c;
	strbuf_adds(out, "<div class=\"banner ");
	strbuf_adds(out, !strcmp(v, "NOT RUN") ? "NOT_RUN" : flagged(v) || !strcmp(v, "PASS") ? v : "other");
	strbuf_adds(out, "\"><div class=word>");
	text(out, v);
	strbuf_adds(out, "</div><div class=says>");
	text(out, verdict_says(v));
	strbuf_addf(out, "<br><span class=muted>exit code %d</span></div><div class=counts>",
		    (int)anvil_html_num(report, "exit_code"));
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(report, "summary")) {
		if (!cJSON_IsNumber(c) || c->valuedouble <= 0)
			continue;
		strbuf_adds(out, "<span class=chip>");
		anvil_html_verdict(out, c->string);
		strbuf_addf(out, "%.0f</span>", c->valuedouble);
	}
	strbuf_adds(out, "</div></div>\n");
}

static void facts(struct strbuf *out, const cJSON *report)
{
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(report, "run"), *p;
	const cJSON *parts = cJSON_GetObjectItemCaseSensitive(run, "parts");
	const cJSON *first = cJSON_GetArrayItem(parts, 0);
	char buf[160];
	strbuf_adds(out, "<dl class=facts>");
	fact(out, "cluster", s(run, "cluster")[0] ? s(run, "cluster") : "(no cluster config)");
	fact(out, "profile", s(run, "profile"));
	anvil_fmt(buf, sizeof(buf), "%.0f node(s), %.0f rank(s)", anvil_html_num(first, "nodes"),
		 anvil_html_num(first, "ranks"));
	fact(out, "scale", first ? buf : "");
	fact(out, "started", s(first, "started"));
	fact(out, "ended", s(run, "end"));
	fact(out, "run directory", s(run, "dir"));
	fact(out, "report generated", s(report, "generated"));
	anvil_fmt(buf, sizeof(buf), "anvil %s", s(report, "anvil_version"));
	fact(out, "made by", buf);
	strbuf_adds(out, "</dl>\n");
	if (cJSON_GetArraySize(parts) > 1) {
		strbuf_adds(out, "<p class=muted>Run in parts: ");
		cJSON_ArrayForEach(p, parts) {
			text(out, s(p, "event"));
			strbuf_adds(out, " ");
			text(out, s(p, "started"));
			strbuf_addf(out, " (%.0f ranks on %.0f nodes)%s", anvil_html_num(p, "ranks"),
				    anvil_html_num(p, "nodes"), p->next ? "; " : "");
		}
		strbuf_adds(out, "</p>\n");
	}
	if (*s(run, "end_why")) {
		strbuf_adds(out, "<p class=notes>The run ended early: ");
		text(out, s(run, "end_why"));
		strbuf_adds(out, "</p>\n");
	}
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(report, "notes")) {
		strbuf_adds(out, "<p class=notes>Note: ");
		text(out, cJSON_GetStringValue(p));
		strbuf_adds(out, "</p>\n");
	}
}

/* The worst check's text, for the overview. */
static const cJSON *worst_check(const cJSON *t)
{
	const cJSON *c, *w = NULL;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "checks"))
		if (!w || anvil_verdict_parse(s(c, "verdict")) > anvil_verdict_parse(s(w, "verdict")))
			w = c;
	return w;
}

static void overview(struct strbuf *out, const cJSON *tests)
{
	const cJSON *t;
	int ti = 0;
	strbuf_adds(out, "<section id=tests><h2>Tests</h2><div class=scroll><table class=wide><thead><tr>"
			 "<th>test</th><th>verdict</th><th>status</th><th>checks</th><th>time</th>"
			 "<th>the worst check</th></tr></thead><tbody>\n");
	cJSON_ArrayForEach(t, tests) {
		int n[ANVIL_V_FAIL + 1];
		const cJSON *w = worst_check(t);
		anvil_view_verdict_counts(t, n);
		strbuf_addf(out, "<tr><td class=id><a href=\"#t-%d\">", ti++);
		text(out, s(t, "id"));
		strbuf_adds(out, "</a></td><td>");
		anvil_html_verdict(out, s(t, "verdict"));
		strbuf_adds(out, "</td>");
		anvil_html_td_text(out, s(t, "status"));
		strbuf_adds(out, "<td>");
		for (int v = ANVIL_V_FAIL, any = 0; v >= ANVIL_V_PASS; v--)
			if (n[v]) {
				strbuf_addf(out, "%s%d %s", any++ ? " \xc2\xb7 " : "", n[v],
					    anvil_verdict_name((enum anvil_verdict)v));
			}
		strbuf_adds(out, "</td>");
		double d = anvil_html_num(t, "duration_s");
		if (isfinite(d))
			strbuf_addf(out, "<td class=num>%.1f s</td>", d);
		else
			strbuf_adds(out, "<td class=num>&mdash;</td>");
		strbuf_adds(out, "<td class=why>");
		if (w && strcmp(s(w, "verdict"), "PASS"))
			text(out, s(w, "why"));
		else if (w || n[ANVIL_V_PASS])  /* (the view keeps no passed check) */
			strbuf_adds(out, "<span class=muted>all passed</span>");
		strbuf_adds(out, "</td></tr>\n");
	}
	strbuf_adds(out, "</tbody></table></div></section>\n");
}

/* ---- baseline --------------------------------------------------------------------- */

static void baseline_row(struct strbuf *out, const cJSON *r)
{
	double ch = anvil_html_num(r, "change");
	strbuf_addf(out, "<tr%s><td>", is_verdict(r, "FAIL") ? " class=bad" : "");
	anvil_html_verdict(out, s(r, "verdict"));
	strbuf_adds(out, "</td>");
	anvil_html_td_text(out, s(r, "test"));
	anvil_html_td_text(out, s(r, "name"));
	host_cell(out, r);
	anvil_html_td_num(out, anvil_html_num(r, "before"), NULL, NULL);
	anvil_html_td_num(out, anvil_html_num(r, "after"), NULL, NULL);
	anvil_html_td_text(out, s(r, "unit"));
	if (isfinite(ch))
		strbuf_addf(out, "<td class=num>%+.1f%%</td></tr>\n", 100 * ch);
	else
		strbuf_adds(out, "<td class=num>&mdash;</td></tr>\n");
}

static void baseline_head(struct strbuf *out)
{
	strbuf_adds(out, "<div class=scroll><table class=wide><thead><tr><th>verdict</th><th>test</th><th>figure</th>"
			 "<th>host</th><th>before</th><th>after</th><th>unit</th><th>change</th></tr></thead><tbody>\n");
}

struct change_row { const cJSON *row; size_t i; };

static int cmp_change(const void *pa, const void *pb)
{
	const struct change_row *a = pa, *b = pb;
	double x = fabs(anvil_html_num(a->row, "change")), y = fabs(anvil_html_num(b->row, "change"));
	if (isfinite(x) != isfinite(y))
		return isfinite(y) - isfinite(x);
	if (x != y)
		return x < y ? 1 : -1;
	return (a->i > b->i) - (a->i < b->i);  /* ties keep the tree's order */
}

/* The rows of one verdict group, the largest changes first, at most max. */
static void baseline_rows(struct strbuf *out, const cJSON *rows, int regressed, size_t max)
{
	size_t n = 0, cap = (size_t)cJSON_GetArraySize(rows) + 1;
	struct change_row *sel = malloc(cap * sizeof(*sel));
	const cJSON *r;
	cJSON_ArrayForEach(r, rows)
		if (is_verdict(r, "PASS") != regressed) {
			sel[n] = (struct change_row){ r, n };
			n++;
		}
	anvil_sort(sel, n, sizeof(*sel), cmp_change);
	baseline_head(out);
	for (size_t i = 0; i < n && i < max; i++)
		baseline_row(out, sel[i].row);
	if (n > max)
		strbuf_addf(out, "<tr class=more><td colspan=8>%zu more, with smaller changes; report.json lists "
				 "them</td></tr>\n", n - max);
	strbuf_adds(out, "</tbody></table></div>\n");
	free(sel);
}

/* Figures compared with the baseline run: regressions first, largest change first. */
static void baseline(struct strbuf *out, const cJSON *report)
{
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(report, "baseline"), *r;
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(b, "rows");
	size_t nfail = 0, nok = 0;
	if (!cJSON_IsObject(b))
		return;
	cJSON_ArrayForEach(r, rows) {
		if (is_verdict(r, "PASS"))
			nok++;
		else
			nfail++;
	}
	strbuf_adds(out, "<section id=baseline><h2>Against the baseline</h2>\n<p class=lead>Compared with <code>");
	text(out, s(b, "source"));
	strbuf_adds(out, "</code>");
	if (*s(b, "generated")) {
		strbuf_adds(out, " (report of ");
		text(out, s(b, "generated"));
		strbuf_adds(out, ")");
	}
	strbuf_addf(out, ": %zu figure%s compared, ", nfail + nok, nfail + nok == 1 ? "" : "s");
	if (nfail)
		strbuf_addf(out, "<b class=bad>%zu regressed</b> beyond the tolerance.</p>\n", nfail);
	else
		strbuf_adds(out, "none regressed beyond the tolerance.</p>\n");
	if (nfail)
		baseline_rows(out, rows, 1, MAX_BASELINE_ROWS);
	if (nok) {
		strbuf_addf(out, "<details class=data><summary>Within tolerance <span class=muted>(%zu)</span></summary>", nok);
		baseline_rows(out, rows, 0, ANVIL_HTML_MAX_ROWS);
		strbuf_adds(out, "</details>\n");
	}
	strbuf_adds(out, "</section>\n");
}

/* ---- one test --------------------------------------------------------------------- */

/* Every figure of the test (on a fleet, per figure name: count and range). */
static void figures_table(struct strbuf *out, const cJSON *metrics)
{
	const cJSON *m;
	size_t n = (size_t)cJSON_GetArraySize(metrics);
	if (!n)
		return;
	if (n > ANVIL_HTML_MAX_ROWS) {
		strbuf_addf(out, "<details class=data><summary>All figures measured <span class=muted>(%zu, "
				 "summarised)</span></summary>", n);
		summary_head(out, 0);
		summary_rows(out, metrics, 0, 0);
		strbuf_adds(out, "</tbody></table></div></details>\n");
		return;
	}
	anvil_html_data_open(out, "All figures measured", n);
	strbuf_adds(out, "<thead><tr><th>figure</th><th>host</th><th>value</th><th>unit</th><th>better</th></tr>"
			 "</thead><tbody>\n");
	cJSON_ArrayForEach(m, metrics) {
		strbuf_adds(out, "<tr>");
		anvil_html_td_text(out, s(m, "name"));
		host_cell(out, m);
		anvil_html_td_num(out, anvil_html_num(m, "value"), NULL, NULL);
		anvil_html_td_text(out, s(m, "unit"));
		anvil_html_td_text(out, s(m, "better"));
		strbuf_adds(out, "</tr>\n");
	}
	strbuf_adds(out, "</tbody>");
	anvil_html_data_close(out);
}

void anvil_html_test_section(struct strbuf *out, const cJSON *t, int index, const cJSON *profile)
{
	const char *status = s(t, "status");
	double d = anvil_html_num(t, "duration_s");
	strbuf_addf(out, "<section class=test id=\"t-%d\"><h2>", index);
	text(out, s(t, "id"));
	strbuf_adds(out, " ");
	anvil_html_verdict(out, s(t, "verdict"));
	strbuf_adds(out, "<span class=meta>runner <code>");
	text(out, s(t, "runner"));
	strbuf_adds(out, "</code> \xc2\xb7 ");
	text(out, status);
	if (isfinite(d))
		strbuf_addf(out, " \xc2\xb7 %.1f s", d);
	strbuf_adds(out, "</span></h2>\n");
	if (strcmp(status, "ok")) {
		strbuf_adds(out, "<p class=status>");
		text(out, status);
		if (*s(t, "why")) {
			strbuf_adds(out, ": ");
			text(out, s(t, "why"));
		}
		strbuf_adds(out, "</p>\n");
	}
	anvil_html_charts(out, t, profile);
	test_checks(out, cJSON_GetObjectItemCaseSensitive(t, "checks"));
	figures_table(out, cJSON_GetObjectItemCaseSensitive(t, "metrics"));
	strbuf_adds(out, "</section>\n");
}

/* ---- sign-off ------------------------------------------------------------------------ */

static void signoff(struct strbuf *out, const cJSON *report)
{
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(report, "run");
	strbuf_adds(out, "<section class=signoff id=signoff><h2>Sign-off</h2>\n<p>I have reviewed this report of "
			 "run <code>");
	text(out, s(run, "dir"));
	strbuf_adds(out, "</code> (profile ");
	text(out, s(run, "profile"));
	strbuf_adds(out, ", verdict ");
	anvil_html_verdict(out, s(report, "verdict"));
	strbuf_adds(out, ", generated ");
	text(out, s(report, "generated"));
	strbuf_adds(out, ").</p>\n<table><tbody>"
			 "<tr><th>Decision</th><td><span class=box></span>accepted<span class=box></span>accepted "
			 "with reservations<span class=box></span>not accepted</td></tr>"
			 "<tr><th>Reservations</th><td></td></tr><tr><th>Name</th><td></td></tr>"
			 "<tr><th>Role, organisation</th><td></td></tr><tr><th>Date</th><td></td></tr>"
			 "<tr><th>Signature</th><td></td></tr></tbody></table></section>\n");
}

void anvil_report_html(const cJSON *report, struct strbuf *out)
{
	anvil_report_html_parts(report, NULL, 0, NULL, out);
}

void anvil_html_drop_section_only(cJSON *t)
{
	static const char *const only[] = { "metrics", "series", "info", "fleet", "matrix" };
	for (size_t i = 0; i < sizeof(only) / sizeof(*only); i++)
		cJSON_DeleteItemFromObjectCaseSensitive(t, only[i]);
	/* the passed checks: the rest of the page and the table read how many
	 * there were (a thousand nodes' view kept four thousand of them as
	 * text, to be parsed again for nothing) */
	anvil_view_check_counts(t);
	cJSON *checks = cJSON_GetObjectItemCaseSensitive(t, "checks"), *c, *next;
	for (c = checks ? checks->child : NULL; c; c = next) {
		next = c->next;
		if (!strcmp(s(c, "verdict"), "PASS"))
			anvil_arena_drop(cJSON_DetachItemViaPointer(checks, c));
	}
}

void anvil_report_html_parts(const cJSON *report, const struct strbuf *sections, size_t nsections,
			     const struct strbuf *inventory, struct strbuf *out)
{
	const cJSON *tests = cJSON_GetObjectItemCaseSensitive(report, "tests"), *t;
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(report, "run");
	const cJSON *profile = cJSON_GetObjectItemCaseSensitive(run, "profile_doc");
	int ti = 0;
	strbuf_adds(out, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
			 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
			 "style-src 'unsafe-inline'; img-src data:\">"
			 "<meta name=viewport content=\"width=device-width,initial-scale=1\">"
			 "<title>anvil report: ");
	text(out, s(report, "verdict"));
	if (*s(run, "cluster")) {
		strbuf_adds(out, " \xe2\x80\x94 ");
		text(out, s(run, "cluster"));
	}
	strbuf_addf(out, "</title><style>%s%s</style></head><body><main>\n", css, anvil_html_chart_css());
	strbuf_adds(out, "<header class=top><div><h1>Acceptance report</h1><div class=sub>");
	text(out, s(run, "cluster")[0] ? s(run, "cluster") : "no cluster config");
	strbuf_adds(out, " \xc2\xb7 profile ");
	text(out, s(run, "profile"));
	strbuf_adds(out, "</div></div><div class=brand>anvil ");
	text(out, s(report, "anvil_version"));
	strbuf_adds(out, "<br>");
	text(out, s(report, "schema"));
	strbuf_adds(out, "</div></header>\n");
	banner(out, report);
	facts(out, report);
	attention(out, tests);
	anvil_ops_html(out, report);  /* nodes, Slurm job, inventory drift */
	overview(out, tests);
	baseline(out, report);
	cJSON_ArrayForEach(t, tests) {
		if ((size_t)ti < nsections && sections[ti].len)
			strbuf_add(out, sections[ti].buf, sections[ti].len);
		else
			anvil_html_test_section(out, t, ti, profile);
		ti++;
	}
	if (inventory)
		strbuf_add(out, inventory->buf ? inventory->buf : "", inventory->len);
	else
		anvil_html_inventory(out, cJSON_GetObjectItemCaseSensitive(report, "inventory"));
	signoff(out, report);
	strbuf_adds(out, "<footer>Made by anvil from the run's journal; <code>anvil report DIR</code> makes it again. "
			 "This file is self-contained: no script, no network access.</footer>\n</main></body></html>\n");
}
