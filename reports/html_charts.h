/* The charts of report.html, per test, chosen from what the test recorded
 * (the report tree only; see docs/report-schema.md):
 *   - a node-pair "matrix" -> the culprits, and a heatmap per metric;
 *   - series against a size (x unit "B", ...) -> a line chart per column,
 *     one line per host/pair/GPU, with the limit or peak of the figure the
 *     column stands for (the metric named as the column, or the column and
 *     "_" and more: "latency" -> "latency_us", same unit);
 *   - series against time (x unit "s") -> a time series per column with the
 *     warn and fail lines of that figure (or of the only judged figure in
 *     the column's unit);
 *   - figures judged by a profile rule -> a bar chart per metric, one bar
 *     per node/GPU, the limit as threshold, FAILed figures marked.
 * Every chart comes with its data table. A fleet is drawn at fleet level:
 * a few lines (the worst, the median, the best), distributions, and tables
 * cut to the flagged and the worst rows, each saying what it left out. */
#ifndef ANVIL_HTML_CHARTS_H
#define ANVIL_HTML_CHARTS_H
#include <cjson/cJSON.h>
#include "common/strbuf.h"

/* Charts for one test. profile (the report's run.profile_doc; may be NULL)
 * gives the warning levels the checks do not record. */
void anvil_html_charts(struct strbuf *out, const cJSON *test, const cJSON *profile);
/* The inventory section: drift across nodes. */
void anvil_html_inventory(struct strbuf *out, const cJSON *inventory);
/* CSS for the chart and data-table classes. */
const char *anvil_html_chart_css(void);

#endif
