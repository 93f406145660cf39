/* Charts and data tables for report.html. */
#include "reports/html_charts.h"
#include <math.h>
#include <string.h>

static const char *s(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
	return v ? v : "";
}

const char *anvil_html_chart_css(void) { return ""; }

static void series_table(struct strbuf *out, const cJSON *se)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(se, "x"), *c, *row, *v;
	strbuf_adds(out, "<details><summary>");
	strbuf_add_html(out, s(se, "name"));
	strbuf_adds(out, " on ");
	strbuf_add_html(out, s(se, "host"));
	strbuf_adds(out, " (data)</summary><table><tr><th>");
	strbuf_add_html(out, s(x, "name"));
	strbuf_adds(out, " (");
	strbuf_add_html(out, s(x, "unit"));
	strbuf_adds(out, ")</th>");
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(se, "columns")) {
		strbuf_adds(out, "<th>");
		strbuf_add_html(out, s(c, "name"));
		strbuf_adds(out, " (");
		strbuf_add_html(out, s(c, "unit"));
		strbuf_adds(out, ")</th>");
	}
	strbuf_adds(out, "</tr>\n");
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(se, "rows")) {
		strbuf_adds(out, "<tr>");
		cJSON_ArrayForEach(v, row) {
			if (cJSON_IsNumber(v))
				strbuf_addf(out, "<td class=num>%.4g</td>", v->valuedouble);
			else
				strbuf_adds(out, "<td class=num>&mdash;</td>");
		}
		strbuf_adds(out, "</tr>\n");
	}
	strbuf_adds(out, "</table></details>\n");
}

void anvil_html_charts(struct strbuf *out, const cJSON *test)
{
	const cJSON *se;
	cJSON_ArrayForEach(se, cJSON_GetObjectItemCaseSensitive(test, "series"))
		series_table(out, se);
}

void anvil_html_inventory(struct strbuf *out, const cJSON *inventory)
{
	const cJSON *node;
	if (!cJSON_GetArraySize(inventory))
		return;
	strbuf_adds(out, "<h2>Inventory</h2>\n");
	cJSON_ArrayForEach(node, inventory) {
		char *text = cJSON_Print(node);
		strbuf_adds(out, "<details><summary>");
		strbuf_add_html(out, node->string);
		strbuf_adds(out, "</summary><pre>");
		strbuf_add_html(out, text);
		strbuf_adds(out, "</pre></details>\n");
		cJSON_free(text);
	}
}
