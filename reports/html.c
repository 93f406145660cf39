/* report.html: one self-contained file (inline CSS, inline SVG, no script,
 * no external URL). Every text from the journal is escaped. */
#include "reports/report.h"
#include "reports/html_charts.h"
#include "reports/ops.h"
#include <math.h>
#include <string.h>

static const char *s(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
	return v ? v : "";
}

static const char css[] =
	"body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}"
	"h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}"
	"table{border-collapse:collapse;margin:.5em 0;font-size:.9em}"
	"td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}"
	"th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}"
	".v{font-weight:bold;padding:.1em .5em;border-radius:3px;white-space:nowrap}"
	".PASS{background:#d9f2d9;color:#185c18}.FAIL{background:#f8d3d3;color:#8a1010}"
	".WARN{background:#fdf0c8;color:#7a5a00}.ERROR{background:#f3d9f3;color:#6a1a6a}"
	".SKIP,.WAIVED{background:#e8e8e8;color:#444}.NOT_RUN{background:#e0e6f3;color:#223a6a}"
	".big{font-size:1.4em}.muted{color:#666}.chart{margin:1em 0}"
	"details{margin:.5em 0}summary{cursor:pointer}"
	"@media print{details{display:block}body{max-width:none}}";

static void verdict_span(struct strbuf *out, const char *v, const char *extra)
{
	strbuf_adds(out, "<span class=\"v ");
	for (const char *c = v; *c; c++)
		strbuf_addch(out, *c == ' ' ? '_' : *c);
	strbuf_addf(out, "%s\">", extra);
	strbuf_add_html(out, v);
	strbuf_adds(out, "</span>");
}

static void cell_num(struct strbuf *out, const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (cJSON_IsNumber(v))
		strbuf_addf(out, "<td class=num>%.4g</td>", v->valuedouble);
	else
		strbuf_adds(out, "<td class=num>&mdash;</td>");
}

static void cell_text(struct strbuf *out, const char *text)
{
	strbuf_adds(out, "<td>");
	strbuf_add_html(out, text);
	strbuf_adds(out, "</td>");
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
		strbuf_add_html(out, l->string);
		strbuf_addch(out, '=');
		strbuf_add_html(out, l->valuestring);
		first = 0;
	}
}

static void check_row(struct strbuf *out, const cJSON *c, int with_test)
{
	strbuf_adds(out, "<tr><td>");
	verdict_span(out, s(c, "verdict"), "");
	strbuf_adds(out, "</td>");
	if (with_test)
		cell_text(out, s(c, "test"));
	cell_text(out, s(c, "name"));
	strbuf_adds(out, "<td>");
	strbuf_add_html(out, s(c, "host"));
	if (cJSON_GetObjectItemCaseSensitive(c, "labels")) {
		strbuf_adds(out, " <span class=muted>");
		labels_text(out, cJSON_GetObjectItemCaseSensitive(c, "labels"));
		strbuf_adds(out, "</span>");
	}
	strbuf_adds(out, "</td>");
	cell_num(out, c, "value");
	cell_num(out, c, "limit");
	cell_text(out, s(c, "unit"));
	cell_text(out, s(c, "rule"));
	cell_text(out, s(c, "why"));
	strbuf_adds(out, "</tr>\n");
}

static void check_head(struct strbuf *out, int with_test)
{
	strbuf_addf(out, "<table><tr><th>verdict</th>%s<th>check</th><th>host</th><th>value</th>"
			 "<th>limit</th><th>unit</th><th>rule</th><th>why</th></tr>\n",
		    with_test ? "<th>test</th>" : "");
}

/* Failing items first: everything that is not PASS or SKIP, across tests. */
static void attention(struct strbuf *out, const cJSON *tests)
{
	static const char *const order[] = { "FAIL", "ERROR", "NOT RUN", "WARN" };
	int any = 0;
	for (size_t i = 0; i < sizeof(order) / sizeof(*order); i++) {
		const cJSON *t, *c;
		cJSON_ArrayForEach(t, tests) {
			cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "checks")) {
				if (strcmp(s(c, "verdict"), order[i]))
					continue;
				if (!any) {
					strbuf_adds(out, "<h2>Needs attention</h2>\n");
					check_head(out, 1);
				}
				any = 1;
				check_row(out, c, 1);
			}
		}
	}
	if (any)
		strbuf_adds(out, "</table>\n");
}

static void summary(struct strbuf *out, const cJSON *report)
{
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(report, "run"), *c;
	strbuf_adds(out, "<h1>anvil acceptance report</h1>\n<p class=big>Verdict: ");
	verdict_span(out, s(report, "verdict"), " big");
	strbuf_adds(out, "</p>\n<table>");
	strbuf_adds(out, "<tr><th>profile</th>");
	cell_text(out, s(run, "profile"));
	strbuf_adds(out, "</tr><tr><th>cluster</th>");
	cell_text(out, s(run, "cluster")[0] ? s(run, "cluster") : "(no cluster config)");
	strbuf_adds(out, "</tr><tr><th>run</th>");
	cell_text(out, s(run, "dir"));
	strbuf_adds(out, "</tr><tr><th>parts</th><td>");
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(run, "parts")) {
		strbuf_add_html(out, s(c, "event"));
		strbuf_adds(out, " ");
		strbuf_add_html(out, s(c, "started"));
		/* doubles, not ints: a journal may say anything here (null, 1e300) */
		strbuf_addf(out, ": %.0f rank(s) on %.0f node(s)<br>",
			    cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "ranks")),
			    cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "nodes")));
	}
	strbuf_adds(out, "</td></tr><tr><th>ended</th>");
	cell_text(out, s(run, "end"));
	strbuf_adds(out, "</tr><tr><th>checks</th><td>");
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(report, "summary")) {
		if (!c->valueint)
			continue;
		strbuf_addf(out, "%d ", c->valueint);
		verdict_span(out, c->string, "");
		strbuf_adds(out, " ");
	}
	strbuf_adds(out, "</td></tr><tr><th>generated</th>");
	cell_text(out, s(report, "generated"));
	strbuf_adds(out, "</tr></table>\n");
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(report, "notes")) {
		strbuf_adds(out, "<p class=muted>Note: ");
		strbuf_add_html(out, cJSON_GetStringValue(c));
		strbuf_adds(out, "</p>\n");
	}
}

static void metrics_table(struct strbuf *out, const cJSON *metrics)
{
	const cJSON *m;
	if (!cJSON_GetArraySize(metrics))
		return;
	strbuf_adds(out, "<details><summary>Figures measured</summary><table><tr><th>figure</th>"
			 "<th>host</th><th>labels</th><th>value</th><th>unit</th></tr>\n");
	cJSON_ArrayForEach(m, metrics) {
		strbuf_adds(out, "<tr>");
		cell_text(out, s(m, "name"));
		cell_text(out, s(m, "host"));
		strbuf_adds(out, "<td>");
		labels_text(out, cJSON_GetObjectItemCaseSensitive(m, "labels"));
		strbuf_adds(out, "</td>");
		cell_num(out, m, "value");
		cell_text(out, s(m, "unit"));
		strbuf_adds(out, "</tr>\n");
	}
	strbuf_adds(out, "</table></details>\n");
}

static void test_section(struct strbuf *out, const cJSON *t)
{
	const cJSON *c;
	strbuf_adds(out, "<h2 id=\"t-");
	strbuf_add_html(out, s(t, "id"));
	strbuf_adds(out, "\">");
	strbuf_add_html(out, s(t, "id"));
	strbuf_adds(out, " ");
	verdict_span(out, s(t, "verdict"), "");
	strbuf_adds(out, "</h2>\n<p class=muted>runner ");
	strbuf_add_html(out, s(t, "runner"));
	strbuf_adds(out, ", status ");
	strbuf_add_html(out, s(t, "status"));
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(t, "duration_s");
	if (cJSON_IsNumber(d))
		strbuf_addf(out, ", %.1f s", d->valuedouble);
	strbuf_adds(out, "</p>\n");
	anvil_html_charts(out, t);
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "checks"))) {
		check_head(out, 0);
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "checks"))
			check_row(out, c, 0);
		strbuf_adds(out, "</table>\n");
	}
	metrics_table(out, cJSON_GetObjectItemCaseSensitive(t, "metrics"));
}

void anvil_report_html(const cJSON *report, struct strbuf *out)
{
	const cJSON *tests = cJSON_GetObjectItemCaseSensitive(report, "tests"), *t;
	strbuf_adds(out, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
			 "<meta name=viewport content=\"width=device-width,initial-scale=1\">"
			 "<title>anvil report: ");
	strbuf_add_html(out, s(report, "verdict"));
	strbuf_addf(out, "</title><style>%s%s</style></head><body>\n", css, anvil_html_chart_css());
	summary(out, report);
	anvil_ops_html(out, report);  /* nodes, Slurm job, inventory drift */
	attention(out, tests);
	cJSON_ArrayForEach(t, tests)
		test_section(out, t);
	anvil_html_inventory(out, cJSON_GetObjectItemCaseSensitive(report, "inventory"));
	strbuf_adds(out, "</body></html>\n");
}
