/* The charts of report.html, per test, chosen from what the test recorded. */
#ifndef ANVIL_HTML_CHARTS_H
#define ANVIL_HTML_CHARTS_H
#include <cjson/cJSON.h>
#include "common/strbuf.h"

/* Charts for one test of the report tree (series vs size, per-node bars
 * with the threshold line, heatmaps, telemetry), each with its data table. */
void anvil_html_charts(struct strbuf *out, const cJSON *test);
/* The inventory section. */
void anvil_html_inventory(struct strbuf *out, const cJSON *inventory);
/* CSS for the chart classes. */
const char *anvil_html_chart_css(void);

#endif
