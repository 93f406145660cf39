/* The charts of one test, in the order an operator reads them: what a
 * node-pair matrix blames, then curves (sizes, time), then the per-node
 * figures against their limits. See html_charts.h. */
#include "reports/html_charts.h"
#include "reports/html_util.h"

void anvil_html_charts(struct strbuf *out, const cJSON *test, const cJSON *profile)
{
	anvil_html_matrix(out, test);
	anvil_html_series(out, test, profile);
	anvil_html_bars(out, test, profile);
}

/* Charts keep the svg module's colours; this lays them out beside their
 * data and styles the tables, on screen and on paper. */
static const char chart_css[] =
	"svg.anvil-chart{max-width:100%;height:auto;display:block}"
	".fig{display:flex;flex-wrap:wrap;gap:8px 28px;align-items:flex-start;margin:14px 0 18px;"
	"padding:14px 16px;border:1px solid var(--line);border-radius:8px;background:#fff}"
	".fig .plot{flex:0 1 720px;min-width:0}"
	".fig .side{flex:1 1 300px;min-width:260px;max-width:100%}"
	"p.cap{margin:2px 0 10px;color:var(--muted);font-size:13px}"
	"p.cap code{font-size:12px}"
	"details.data{margin:6px 0 10px}"
	"details.data>summary{cursor:pointer;color:var(--accent);font-weight:600;font-size:13px;padding:2px 0}"
	".scroll{overflow:auto;max-width:100%}details .scroll{max-height:520px}"
	"table.dt{font-size:12.5px;margin:6px 0}"
	"table.dt th{position:sticky;top:0;z-index:1}"
	"table.dt tbody th{position:static;text-align:left;font-weight:600}"
	"td.bad,tr.bad>td{background:var(--fail-bg)}"
	"td.warn,tr.warn>td{background:var(--warn-bg)}"
	"td.fleet,tr.fleet>td{color:var(--muted);font-style:italic}"
	"td.x{font-weight:600;white-space:nowrap}"
	"tr.more>td{color:var(--muted);font-style:italic;text-align:left}"
	".culprits{border-left:4px solid var(--fail);background:var(--fail-bg);padding:8px 16px;margin:12px 0;"
	"border-radius:0 6px 6px 0}"
	".culprits h4{margin:4px 0 6px;font-size:14px}.culprits ul{margin:0;padding-left:18px}"
	".culprits li{margin:3px 0}"
	".tag{display:inline-block;font-size:10.5px;font-weight:700;text-transform:uppercase;letter-spacing:.05em;"
	"padding:1px 6px;border-radius:3px;background:var(--fail);color:#fff;vertical-align:1px}"
	".tag.link{background:#bc4c00}"
	"p.note{color:var(--muted);font-size:13px}"
	"table.inv td.val{max-width:30em;overflow-wrap:anywhere;font-size:12px}"
	"table.inv td.odd{background:var(--warn-bg);font-weight:600}"
	"table.inv th.key{font-family:var(--mono);font-weight:500;font-size:12px;text-align:left;"
	"white-space:nowrap;background:transparent}"
	"ul.unread{font-size:13px}"
	"@media print{.fig{break-inside:avoid;border:0;padding:0}.scroll{max-height:none;overflow:visible}"
	"table.dt th{position:static}}";

const char *anvil_html_chart_css(void) { return chart_css; }
