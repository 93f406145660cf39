/* compare.html: the comparison as one self-contained page (inline CSS and
 * SVG, no script, no URL), every text escaped. */
#include "reports/compare.h"
#include "reports/svg.h"
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
	".up{color:#185c18}.down{color:#8a1010}.muted{color:#666}"
	".charts{display:flex;flex-wrap:wrap;gap:1em}svg.anvil-chart{max-width:100%;height:auto}";

static const char *const bases[] = { "per_gpu", "per_node", "per_pair", "total", "per_kw" };
static const char *const basis_text[] = { "per GPU", "per node", "per pair", "total", "per kW" };

static void text_cell(struct strbuf *out, const char *t)
{
	strbuf_adds(out, "<td>");
	strbuf_add_html(out, t);
	strbuf_adds(out, "</td>");
}

static void runs_table(struct strbuf *out, const cJSON *runs)
{
	const cJSON *r;
	strbuf_adds(out, "<h2>Runs</h2>\n<table><tr><th>run</th><th>source</th><th>profile</th><th>cluster</th>"
			 "<th>started</th><th>verdict</th><th>nodes</th><th>GPUs</th><th>power (datasheet TDP)</th></tr>\n");
	cJSON_ArrayForEach(r, runs) {
		strbuf_adds(out, "<tr>");
		text_cell(out, s(r, "label"));
		text_cell(out, s(r, "source"));
		text_cell(out, s(r, "profile"));
		text_cell(out, s(r, "cluster"));
		text_cell(out, s(r, "started"));
		text_cell(out, s(r, "verdict"));
		strbuf_addf(out, "<td class=num>%d</td><td class=num>%d</td><td>",
			    (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "nodes")),
			    (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "gpus")));
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(r, "power_w");
		if (cJSON_IsNumber(p))
			strbuf_addf(out, "%.1f kW <span class=muted>", p->valuedouble / 1000);
		strbuf_add_html(out, s(r, "power"));
		strbuf_adds(out, cJSON_IsNumber(p) ? "</span></td></tr>\n" : "</td></tr>\n");
	}
	strbuf_adds(out, "</table>\n");
}

static void figure_name(struct strbuf *out, const cJSON *f)
{
	const cJSON *l;
	strbuf_add_html(out, s(f, "test"));
	strbuf_adds(out, " <b>");
	strbuf_add_html(out, s(f, "name"));
	strbuf_adds(out, "</b>");
	cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(f, "labels")) {
		strbuf_adds(out, " <span class=muted>");
		strbuf_add_html(out, l->string);
		strbuf_addch(out, '=');
		strbuf_add_html(out, cJSON_GetStringValue(l));
		strbuf_adds(out, "</span>");
	}
	strbuf_adds(out, " (");
	strbuf_add_html(out, s(f, "unit"));
	strbuf_addch(out, ')');
}

static void figures_table(struct strbuf *out, const cJSON *runs, const cJSON *figs)
{
	const cJSON *r, *f;
	strbuf_adds(out, "<h2>Figures</h2>\n<p class=muted>Per GPU and per node: means over the GPUs and nodes "
			 "that measured the figure; total: their sum (throughputs only), or the run's figure for a test "
			 "of the whole cluster; per kW: the total over the datasheet power of all nodes. Changes are "
			 "against run A; for a figure where lower is better a rise is worse.</p>\n"
			 "<table><tr><th>figure</th><th>basis</th>");
	cJSON_ArrayForEach(r, runs) {
		strbuf_adds(out, "<th>");
		strbuf_add_html(out, s(r, "label"));
		strbuf_adds(out, r == runs->child ? "</th>" : "</th><th>vs A</th>");
	}
	strbuf_adds(out, "</tr>\n");
	cJSON_ArrayForEach(f, figs) {
		const cJSON *per = cJSON_GetObjectItemCaseSensitive(f, "runs"), *chg = cJSON_GetObjectItemCaseSensitive(f, "change");
		int lower = !strcmp(s(f, "better"), "lower"), first = 1;
		for (size_t k = 0; k < sizeof(bases) / sizeof(*bases); k++) {
			const cJSON *v;
			int any = 0;
			cJSON_ArrayForEach(v, per)
				any |= cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(v, bases[k]));
			if (!any)
				continue;
			strbuf_adds(out, "<tr><td>");
			if (first)
				figure_name(out, f);
			first = 0;
			strbuf_addf(out, "</td><td>%s</td>", basis_text[k]);
			int i = 0;
			cJSON_ArrayForEach(v, per) {
				const cJSON *x = cJSON_GetObjectItemCaseSensitive(v, bases[k]);
				if (cJSON_IsNumber(x))
					strbuf_addf(out, "<td class=num>%.4g</td>", x->valuedouble);
				else
					strbuf_adds(out, "<td class=num>&mdash;</td>");
				if (i++) {
					const cJSON *d = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(chg, i - 1), bases[k]);
					if (cJSON_IsNumber(d))
						strbuf_addf(out, "<td class=\"num %s\">%+.1f%%</td>",
							    d->valuedouble == 0 ? "" : (d->valuedouble > 0) != lower ? "up" : "down",
							    100 * d->valuedouble);
					else
						strbuf_adds(out, "<td class=num>&mdash;</td>");
				}
			}
			strbuf_adds(out, "</tr>\n");
		}
	}
	strbuf_adds(out, "</table>\n");
}

/* One bar chart per figure of its first basis, the runs side by side. */
static void charts(struct strbuf *out, const cJSON *runs, const cJSON *figs)
{
	const cJSON *f;
	int nruns = cJSON_GetArraySize(runs);
	if (nruns > 26)
		return;
	strbuf_adds(out, "<h2>Charts</h2>\n<div class=charts>\n");
	cJSON_ArrayForEach(f, figs) {
		const cJSON *per = cJSON_GetObjectItemCaseSensitive(f, "runs");
		for (size_t k = 0; k < sizeof(bases) / sizeof(*bases); k++) {
			struct anvil_svg_bar bars[26];
			int n = 0, any = 0;
			for (int i = 0; i < nruns; i++) {
				const cJSON *x = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(per, i), bases[k]);
				bars[n].label = s(cJSON_GetArrayItem(runs, i), "label");
				bars[n].value = cJSON_IsNumber(x) ? x->valuedouble : NAN;
				bars[n].bad = 0;
				any |= cJSON_IsNumber(x);
				n++;
			}
			if (!any)
				continue;
			char title[300], ylabel[160];
			snprintf(title, sizeof(title), "%s %s, %s", s(f, "test"), s(f, "name"), basis_text[k]);
			snprintf(ylabel, sizeof(ylabel), "%s", s(f, "name"));
			struct anvil_svg_axes ax = { .title = title, .x_label = "run", .y_label = ylabel,
						     .y_unit = s(f, "unit"), .ref_value = NAN };
			anvil_svg_bar_chart(out, &ax, bars, (size_t)n, NAN, NULL);
			break;
		}
	}
	strbuf_adds(out, "</div>\n");
}

void anvil_compare_html(const cJSON *tree, struct strbuf *out)
{
	const cJSON *runs = cJSON_GetObjectItemCaseSensitive(tree, "runs");
	const cJSON *figs = cJSON_GetObjectItemCaseSensitive(tree, "figures");
	strbuf_adds(out, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
			 "<meta name=viewport content=\"width=device-width,initial-scale=1\">"
			 "<title>anvil comparison</title><style>");
	strbuf_adds(out, css);
	strbuf_adds(out, "</style></head><body>\n<h1>anvil comparison</h1>\n<p class=muted>generated ");
	strbuf_add_html(out, s(tree, "generated"));
	strbuf_adds(out, "</p>\n");
	runs_table(out, runs);
	figures_table(out, runs, figs);
	charts(out, runs, figs);
	strbuf_adds(out, "</body></html>\n");
}
