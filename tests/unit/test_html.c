/* Unit tests of report.html (reports/html*.c): a report with hostile
 * hostnames, labels, test ids and why strings renders them only as text; the
 * page is balanced, has no script, no URL and a strict CSP; each chart kind
 * appears with its data table; output is deterministic; a 1024-node x
 * 8-GPU report stays small; the baseline and inventory sections say what
 * regressed and what drifted. The fixture is the journal the browser test
 * renders too (tests/data/journals/report-all-charts.jsonl). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "anvil_build_config.h"
#include "reports/report.h"
#include "reports/baseline.h"
#include "reports/html_charts.h"
#include "reports/render.h"
#include "common/journal.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define PWN "document.title='pwned'"

static char hw[1024];

/* ---- the fixture ------------------------------------------------------------ */

static cJSON *build_from(const char *name)
{
	char path[1024], err[1024];
	struct anvil_journal_read jr;
	snprintf(path, sizeof(path), "%s/tests/data/journals/%s", ANVIL_SOURCE_DIR, name);
	if (anvil_journal_read(path, &jr, err, sizeof(err)))
		fail_msg("%s", err);
	cJSON *r = anvil_report_build(jr.records, NULL, hw, "/runs/fixture", 0, 0, err, sizeof(err));
	anvil_journal_read_release(&jr);
	if (!r)
		fail_msg("%s", err);
	return r;
}

/* The fixture run, compared with its baseline run. */
static cJSON *fixture(void)
{
	cJSON *r = build_from("report-all-charts.jsonl"), *base = build_from("report-all-charts-baseline.jsonl");
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(r, "run");
	anvil_baseline_compare(r, base, "/runs/baseline", cJSON_GetObjectItemCaseSensitive(run, "profile_doc"));
	anvil_report_summarise(r);
	cJSON_Delete(base);
	return r;
}

static char *render(const cJSON *r)
{
	struct strbuf sb = STRBUF_INIT;
	anvil_report_html(r, &sb);
	return strbuf_detach(&sb);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* ---- a small HTML checker ------------------------------------------------------ */

static const char *const void_elements[] = { "meta", "br", "hr", "wbr", "col", NULL };
/* Elements that would load or run something; none may be in the page. */
static const char *const banned_elements[] = {
	"script", "img", "iframe", "object", "embed", "link", "base", "form", "input", "image",
	"foreignObject", "use", "a:", "audio", "video", "source", "frame", "applet", NULL,
};

static int in_list(const char *const *list, const char *name, size_t n)
{
	for (; *list; list++)
		if (strlen(*list) == n && !strncasecmp(*list, name, n))
			return 1;
	return 0;
}

static size_t name_len(const char *s)
{
	size_t n = 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '-' || s[n] == '_' || s[n] == ':')
		n++;
	return n;
}

static int entity_ok(const char *s)
{
	static const char *const ent[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&apos;", "&mdash;" };
	for (size_t i = 0; i < sizeof(ent) / sizeof(*ent); i++)
		if (!strncmp(s, ent[i], strlen(ent[i])))
			return 1;
	return s[1] == '#' && isdigit((unsigned char)s[2]);
}

struct check { const char *why; const char *at; };

static int bad(struct check *c, const char *why, const char *at)
{
	c->why = why;
	c->at = at;
	return 0;
}

/* Attributes up to '>' or "/>": quoted (always inside svg) or a plain word;
 * no event handler, no src, no link but to a fragment of this page. */
static const char *attrs(const char *p, int in_svg, int *self, struct check *c)
{
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '>' || (p[0] == '/' && p[1] == '>')) {
			*self = *p == '/';
			return p + (*self ? 2 : 1);
		}
		size_t n = name_len(p);
		if (!n)
			return bad(c, "attribute name expected", p), NULL;
		if (!strncasecmp(p, "on", 2) || (n == 3 && !strncasecmp(p, "src", 3)) ||
		    (n == 5 && !strncasecmp(p, "style", 5) && in_svg))
			return bad(c, "event handler, src or svg style attribute", p), NULL;
		int href = (n == 4 && !strncasecmp(p, "href", 4)) || (n == 10 && !strncasecmp(p, "xlink:href", 10));
		p += n;
		if (*p != '=')
			continue;
		p++;
		if (href && (p[0] != '"' || p[1] != '#'))
			return bad(c, "link outside the page", p), NULL;
		if (*p == '"' || *p == '\'') {
			char q = *p++;
			for (; *p != q; p++)
				if (!*p || *p == '<' || (*p == '&' && !entity_ok(p)))
					return bad(c, "bad attribute value", p), NULL;
			p++;
		} else if (in_svg) {
			return bad(c, "unquoted attribute in svg", p), NULL;
		} else {
			while (*p && !isspace((unsigned char)*p) && *p != '>')
				if (strchr("\"'<=`", *p++))
					return bad(c, "bad unquoted attribute value", p), NULL;
		}
	}
}

/* Tags balance (void elements aside), text has no raw '<' or stray '&',
 * <style> holds no '<', one <html> root, and nothing in banned_elements. */
static int html_ok(const char *s, struct check *c)
{
	const char *stack[64], *p = s;
	size_t len[64], depth = 0, svg_depth = 0;
	if (strncmp(p, "<!DOCTYPE html>\n", 16))
		return bad(c, "doctype", p);
	for (p += 16; *p;) {
		if (*p == '&' && !entity_ok(p))
			return bad(c, "stray &", p);
		if (*p != '<') {
			p++;
			continue;
		}
		if (p[1] == '/') {
			size_t n = name_len(p + 2);
			if (!depth || n != len[depth - 1] || strncmp(p + 2, stack[depth - 1], n) || p[2 + n] != '>')
				return bad(c, "unbalanced end tag", p);
			if (n == 3 && !strncmp(p + 2, "svg", 3))
				svg_depth--;
			depth--;
			p += 3 + n;
			continue;
		}
		size_t n = name_len(p + 1);
		int self = 0;
		if (!n)
			return bad(c, "raw < in text", p);
		if (in_list(banned_elements, p + 1, n))
			return bad(c, "banned element", p);
		const char *end = attrs(p + 1 + n, svg_depth || !strncmp(p + 1, "svg", 3), &self, c);
		if (!end)
			return 0;
		if (n == 5 && !strncmp(p + 1, "style", 5)) {
			const char *close = strstr(end, "</style>");
			if (!close || memchr(end, '<', (size_t)(close - end)))
				return bad(c, "style holds markup", end);
			p = close + 8;
			continue;
		}
		if (!self && !in_list(void_elements, p + 1, n)) {
			if (depth == 64)
				return bad(c, "too deep", p);
			if (n == 3 && !strncmp(p + 1, "svg", 3))
				svg_depth++;
			stack[depth] = p + 1;
			len[depth++] = n;
		}
		p = end;
	}
	return depth == 0 ? 1 : bad(c, "unclosed element", stack[depth - 1]);
}

static void assert_html_ok(const char *html)
{
	struct check c = { 0 };
	if (!html_ok(html, &c))
		fail_msg("%s at: %.120s", c.why, c.at);
}

/* ---- tests ------------------------------------------------------------------------ */

/* Every hostile string of the fixture reached the page, escaped, and none raw. */
static void test_hostile_strings_inert(void **state)
{
	cJSON *r = fixture();
	char *html = render(r);
	static const char *const raw[] = {
		"<img", "<script", "</script", "]]>", "'pwned'", "onerror=\"", "ok<b>",
	};
	for (size_t i = 0; i < sizeof(raw) / sizeof(*raw); i++)
		if (strcasestr(html, raw[i]))
			fail_msg("raw \"%s\" in the page at: %.80s", raw[i], strcasestr(html, raw[i]));
	/* they arrived: hostname, GPU label, test id, why, inventory value, check name */
	assert_true(count(html, "cn04&lt;img src=x onerror=&quot;document.title=&#39;pwned&#39;&quot;&gt;") > 10);
	assert_non_null(strstr(html, "H100 &quot;SXM&quot; &lt;/script&gt;&lt;script&gt;document.title"));
	assert_non_null(strstr(html, "evil&quot;&gt;&lt;img src=x"));
	assert_non_null(strstr(html, "]]&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &lt;/style&gt;"));
	assert_non_null(strstr(html, "ok&lt;b&gt;"));
	assert_non_null(strstr(html, "fixture-bed &quot;A&quot;"));
	assert_html_ok(html);
	free(html);
	cJSON_Delete(r);
}

static void test_self_contained(void **state)
{
	cJSON *r = fixture();
	char *html = render(r);
	assert_non_null(strstr(html, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
				     "style-src 'unsafe-inline'; img-src data:\">"));
	/* the only URL is the SVG namespace name, which is never fetched */
	size_t urls = count(html, "http://") + count(html, "https://") + count(html, "//www.");
	assert_int_equal(urls, 2 * count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
	assert_null(strcasestr(html, "url("));
	assert_null(strcasestr(html, "@import"));
	assert_null(strcasestr(html, "<script"));
	assert_null(strcasestr(html, "javascript:"));
	assert_non_null(strstr(html, "@media print"));
	free(html);
	cJSON_Delete(r);
}

/* One chart per kind the fixture calls for, each in a figure with its data. */
static void test_every_chart_kind_with_data(void **state)
{
	cJSON *r = fixture();
	char *html = render(r);
	assert_int_equal(count(html, "class=\"anvil-chart line-chart\""), 5);  /* pingpong x2, allreduce x3 */
	/* gflops, temperature, power, sm_clock, throttled; not the constant or bit-mask columns */
	assert_int_equal(count(html, "class=\"anvil-chart timeseries\""), 5);
	/* per node and GPU: dgemm gflops, tflops, temp_max_c, power_mean_w */
	assert_int_equal(count(html, "class=\"anvil-chart bar-chart"), 4);
	/* node pairs (reports/pairwise.c): pairwise and pingpong, bandwidth and latency each */
	assert_int_equal(count(html, "class=\"anvil-chart heatmap\""), 4);
	size_t figs = count(html, "<div class=fig>");
	assert_int_equal(figs, count(html, "<svg "));
	for (const char *p = strstr(html, "<div class=fig>"); p; p = strstr(p + 1, "<div class=fig>")) {
		const char *next = strstr(p + 1, "<div class=fig>"), *svg = strstr(p, "</svg>");
		const char *table = strstr(svg, "<table");
		assert_non_null(table);
		if (next)
			assert_true(table < next);  /* the chart's own data, not the next one's */
	}
	/* what the charts are built from */
	assert_non_null(strstr(html, "What the matrix points at"));
	assert_non_null(strstr(html, "<span class=\"tag node\">node</span> cn03: its port or cable"));
	assert_non_null(strstr(html, "7 of 16 lines"));                  /* telemetry: the worst, median, best */
	assert_non_null(strstr(html, "allreduce, not charted: wrong stayed 0 elements")); /* a flat column */
	assert_non_null(strstr(html, "power_limit stayed 700 W; clock_reasons (a bit mask)"));
	assert_non_null(strstr(html, ">90% of peers</text>"));           /* peers limit line on the dgemm bars */
	assert_non_null(strstr(html, "<rect class=\"bar bad\""));         /* failed nodes marked */
	assert_non_null(strstr(html, ">warn</text>"));                    /* telemetry warning line */
	free(html);
	cJSON_Delete(r);
}

static void test_verdict_and_order(void **state)
{
	cJSON *r = fixture();
	char *html = render(r);
	const char *banner = strstr(html, "<div class=\"banner FAIL\">"), *attention = strstr(html, "Needs attention");
	const char *tests = strstr(html, "<section id=tests>"), *first_test = strstr(html, "<section class=test");
	const char *inventory = strstr(html, "<section class=inventory"), *signoff = strstr(html, "Sign-off");
	assert_non_null(banner);
	assert_true(banner < attention && attention < tests && tests < first_test && first_test < inventory &&
		    inventory < signoff);
	/* failing first: the first row of "needs attention" is a FAIL, the WARNs come last */
	const char *first_row = strstr(attention, "<tr><td><span class=\"v ");
	assert_non_null(first_row);
	assert_true(!strncmp(first_row + strlen("<tr><td><span class=\"v "), "FAIL", 4));
	const char *last_fail = NULL, *first_warn = strstr(attention, "<span class=\"v WARN\">");
	for (const char *p = strstr(attention, "<span class=\"v FAIL\">"); p && p < tests;
	     p = strstr(p + 1, "<span class=\"v FAIL\">"))
		last_fail = p;
	assert_true(first_warn && last_fail < first_warn && first_warn < tests);
	/* the baseline: regressions first */
	const char *base = strstr(html, "Against the baseline"), *within = strstr(html, "Within tolerance");
	assert_non_null(base);
	assert_non_null(within);
	assert_true(strstr(base, "<span class=\"v FAIL\">") < within);
	assert_true(strstr(within, "<span class=\"v PASS\">") != NULL);
	free(html);
	cJSON_Delete(r);
}

static void test_inventory_drift(void **state)
{
	cJSON *r = fixture();
	char *html = render(r);
	const char *inv = strstr(html, "<section class=inventory");
	assert_non_null(inv);
	assert_non_null(strstr(inv, "5 differ between nodes"));
	/* the one node on another kernel is the marked cell of that row */
	const char *row = strstr(inv, "os.kernel</th>"), *end = strstr(row, "</tr>");
	const char *odd = strstr(row, "<td class=\"val odd\">6.1.0-18-amd64</td>");
	assert_true(odd && odd < end);
	assert_int_equal(count(row, "val odd") - count(end, "val odd"), 1);
	assert_non_null(strstr(inv, "Fields identical on every node"));
	assert_non_null(strstr(inv, "dmi.serial: permission denied"));
	free(html);
	cJSON_Delete(r);
}

/* Above 16 nodes a row gives the majority and names the nodes that differ:
 * 40 nodes, three on another kernel, one without a GPU driver, a serial
 * number each (40 values, 24 nodes named of each), a field the same on all. */
static void test_inventory_fleet(void **state)
{
	(void)state;
	cJSON *inventory = cJSON_CreateObject();
	for (int i = 0; i < 40; i++) {
		char host[16], serial[16];
		snprintf(host, sizeof(host), "n%02d", i);
		snprintf(serial, sizeof(serial), "SN%04d", 1000 + i);
		cJSON *node = cJSON_AddObjectToObject(inventory, host);
		cJSON *os = cJSON_AddObjectToObject(node, "os");
		cJSON_AddStringToObject(os, "kernel", i == 7 || i == 21 || i == 33 ? "6.1.0-18-amd64" : "6.1.0-21-amd64");
		cJSON_AddNumberToObject(node, "cores", 64);
		cJSON_AddStringToObject(node, "serial", serial);
		if (i != 5)
			cJSON_AddStringToObject(node, "driver", "550.54");
	}
	struct strbuf sb = STRBUF_INIT;
	anvil_html_inventory(&sb, inventory);
	const char *html = strbuf_str(&sb);
	assert_non_null(strstr(html, "40 nodes, 4 fields compared: <b class=bad>3 differ between nodes</b>"));
	assert_non_null(strstr(html, "<th>most nodes</th><th>the others</th>"));
	const char *kernel = strstr(html, "<th class=key>os.kernel</th>");
	assert_non_null(kernel);
	assert_non_null(strstr(kernel, "<td class=val>6.1.0-21-amd64 <span class=muted>(37 of 40)</span></td>"
				       "<td class=\"val odd\"><div>6.1.0-18-amd64 <span class=muted>on 3:</span> n07, n21, n33</div></td></tr>"));
	const char *driver = strstr(html, "<th class=key>driver</th>");
	assert_non_null(driver);
	assert_non_null(strstr(driver, "550.54 <span class=muted>(39 of 40)</span></td><td class=\"val odd\">"
				       "<div><i class=muted>absent</i> <span class=muted>on 1:</span> n05</div>"));
	const char *serial = strstr(html, "<th class=key>serial</th>"), *end = strstr(serial, "</tr>");
	assert_non_null(serial);
	assert_int_equal(count(serial, "<div>") - count(end, "<div>"), 39);  /* each but the "majority" (the first) */
	assert_non_null(strstr(html, "Fields identical on every node <span class=muted>(1)</span>"));
	assert_non_null(strstr(html, "<th class=key>cores</th><td class=val>64</td>"));
	strbuf_release(&sb);
	cJSON_Delete(inventory);
}

static void test_deterministic(void **state)
{
	cJSON *r = fixture(), *copy = cJSON_Duplicate(r, 1);
	char *a = render(r), *b = render(copy), *c = render(r);
	assert_string_equal(a, b);
	assert_string_equal(a, c);
	free(a);
	free(b);
	free(c);
	cJSON_Delete(copy);
	cJSON_Delete(r);
}

/* The page with each test's section drawn ahead (as anvil report draws it
 * while the next test is judged) and the tests then cut down to what the
 * rest of the page reads is the same page. */
static void test_sections_drawn_ahead(void **state)
{
	cJSON *r = fixture(), *slim = cJSON_Duplicate(r, 1);
	char *whole = render(r);
	const cJSON *profile = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "run"), "profile_doc");
	size_t n = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(slim, "tests")), i = 0;
	assert_true(n >= 5);
	struct strbuf *sec = calloc(n, sizeof(*sec));
	cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(slim, "tests")) {
		if (i % 3 == 2) {  /* some left to draw with the page */
			i++;
			continue;
		}
		anvil_html_test_section(&sec[i], t, (int)i, profile);
		anvil_html_drop_section_only(t);
		assert_null(cJSON_GetObjectItemCaseSensitive(t, "metrics"));
		i++;
	}
	struct strbuf sb = STRBUF_INIT, inv = STRBUF_INIT;
	anvil_report_html_parts(slim, sec, n, NULL, &sb);
	assert_string_equal(strbuf_str(&sb), whole);
	/* and with the inventory's section drawn ahead too (on a thread, by anvil report) */
	const cJSON *inventory = cJSON_GetObjectItemCaseSensitive(slim, "inventory");
	assert_true(cJSON_GetArraySize(inventory) > 0);
	anvil_html_inventory(&inv, inventory);
	assert_true(inv.len > 0);
	strbuf_release(&sb);
	anvil_report_html_parts(slim, sec, n, &inv, &sb);
	assert_string_equal(strbuf_str(&sb), whole);
	strbuf_release(&inv);
	/* fewer sections than tests: the rest drawn with the page (from the slim tree) */
	strbuf_release(&sb);
	anvil_report_html_parts(r, sec, 1, NULL, &sb);
	assert_string_equal(strbuf_str(&sb), whole);
	strbuf_release(&sb);
	for (i = 0; i < n; i++)
		strbuf_release(&sec[i]);
	free(sec);
	free(whole);
	cJSON_Delete(slim);
	cJSON_Delete(r);
}

/* A tree with no tests, no inventory, no run: still a whole page. */
static void test_empty_report(void **state)
{
	cJSON *r = cJSON_CreateObject();
	char *html = render(r);
	assert_html_ok(html);
	assert_non_null(strstr(html, "Sign-off"));
	free(html);
	cJSON_Delete(r);
}

/* ---- a fleet ------------------------------------------------------------------------ */

static cJSON *labels_gpu(int g)
{
	cJSON *l = cJSON_CreateObject();
	char s[8];
	snprintf(s, sizeof(s), "%d", g);
	cJSON_AddStringToObject(l, "gpu", s);
	return l;
}

static void add_figure(cJSON *t, const char *host, int g, const char *name, double v, const char *unit,
		       const char *better, double limit, const char *verdict)
{
	cJSON *m = cJSON_CreateObject(), *c = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "host", host);
	cJSON_AddItemToObject(m, "labels", labels_gpu(g));
	cJSON_AddStringToObject(m, "name", name);
	cJSON_AddNumberToObject(m, "value", v);
	cJSON_AddStringToObject(m, "unit", unit);
	cJSON_AddStringToObject(m, "better", better);
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(t, "metrics"), m);
	cJSON_AddStringToObject(c, "name", name);
	cJSON_AddStringToObject(c, "rule", "absolute");
	cJSON_AddStringToObject(c, "host", host);
	cJSON_AddItemToObject(c, "labels", labels_gpu(g));
	cJSON_AddNumberToObject(c, "value", v);
	cJSON_AddStringToObject(c, "unit", unit);
	cJSON_AddNumberToObject(c, "limit", limit);
	cJSON_AddStringToObject(c, "verdict", verdict);
	cJSON_AddStringToObject(c, "why", "fleet");
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(t, "checks"), c);
}

static cJSON *new_test(cJSON *tests, const char *id)
{
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "id", id);
	cJSON_AddStringToObject(t, "runner", id);
	cJSON_AddStringToObject(t, "status", "ok");
	cJSON_AddStringToObject(t, "verdict", "FAIL");
	cJSON_AddArrayToObject(t, "metrics");
	cJSON_AddArrayToObject(t, "series");
	cJSON_AddArrayToObject(t, "checks");
	cJSON_AddItemToArray(tests, t);
	return t;
}

static void add_telemetry(cJSON *t, const char *host, int g, int hot)
{
	cJSON *se = cJSON_CreateObject(), *x = cJSON_AddObjectToObject(se, "x");
	cJSON *cols = cJSON_AddArrayToObject(se, "columns"), *rows = cJSON_AddArrayToObject(se, "rows");
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(se, "host", host);
	cJSON_AddItemToObject(se, "labels", labels_gpu(g));
	cJSON_AddStringToObject(se, "name", "telemetry");
	cJSON_AddStringToObject(x, "name", "time");
	cJSON_AddStringToObject(x, "unit", "s");
	cJSON_AddStringToObject(c, "name", "temp");
	cJSON_AddStringToObject(c, "unit", "C");
	cJSON_AddItemToArray(cols, c);
	for (int k = 0; k < 60; k++) {
		double row[2] = { 10.0 * k, 30 + (hot ? 62 : 45) * (1 - exp(-k / 6.0)) + 0.01 * g };
		cJSON_AddItemToArray(rows, cJSON_CreateDoubleArray(row, 2));
	}
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(t, "series"), se);
}

/* 1024 nodes x 8 GPUs: 8192 bars and telemetry lines, a 1024-node sweep, a
 * 256-node matrix and 1024 inventories. */
static cJSON *fleet(void)
{
	enum { NODES = 1024, GPUS = 8, PAIRS = 256 };
	cJSON *r = cJSON_CreateObject(), *tests = cJSON_AddArrayToObject(r, "tests");
	cJSON *inv = cJSON_AddObjectToObject(r, "inventory");
	cJSON *burn = new_test(tests, "gpu-burn"), *sweep = new_test(tests, "nccl-allreduce");
	cJSON *pairs = new_test(tests, "mpi-pairwise");
	char host[32];
	cJSON_AddStringToObject(r, "verdict", "FAIL");
	for (int i = 0; i < NODES; i++) {
		snprintf(host, sizeof(host), "gpu%04d.example.org", i);
		for (int g = 0; g < GPUS; g++) {
			int hot = (i * GPUS + g) % 997 == 5;
			add_figure(burn, host, g, "temp_max_c", hot ? 92 : 75 + 0.01 * g, "C", "lower", 90,
				   hot ? "FAIL" : "PASS");
			add_telemetry(burn, host, g, hot);
		}
		cJSON *se = cJSON_CreateObject(), *x = cJSON_AddObjectToObject(se, "x"), *c = cJSON_CreateObject();
		cJSON *rows = cJSON_AddArrayToObject(se, "rows");
		cJSON_AddStringToObject(se, "host", host);
		cJSON_AddStringToObject(se, "name", "allreduce");
		cJSON_AddStringToObject(x, "name", "size");
		cJSON_AddStringToObject(x, "unit", "B");
		cJSON_AddStringToObject(c, "name", "busbw");
		cJSON_AddStringToObject(c, "unit", "GB/s");
		cJSON_AddItemToArray(cJSON_AddArrayToObject(se, "columns"), c);
		for (int k = 0; k < 28; k++) {
			double n = pow(2, k + 3), row[2] = { n, n / (20 + n / (i == 9 ? 2.5e5 : 4e5)) / 1e3 };
			cJSON_AddItemToArray(rows, cJSON_CreateDoubleArray(row, 2));
		}
		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(sweep, "series"), se);
		cJSON *node = cJSON_AddObjectToObject(inv, host), *os = cJSON_AddObjectToObject(node, "os");
		cJSON_AddStringToObject(os, "kernel", i == 700 ? "6.1.0-18-amd64" : "6.1.0-21-amd64");
		cJSON_AddNumberToObject(node, "cores", 192);
	}
	cJSON *mx = cJSON_AddObjectToObject(pairs, "matrix"), *hosts = cJSON_AddArrayToObject(mx, "hosts");
	cJSON *bw = cJSON_AddArrayToObject(cJSON_AddObjectToObject(mx, "metrics"), "bandwidth_gbs");
	for (int a = 0; a < PAIRS; a++) {
		double row[PAIRS];
		snprintf(host, sizeof(host), "gpu%04d.example.org", a);
		cJSON_AddItemToArray(hosts, cJSON_CreateString(host));
		for (int b = 0; b < PAIRS; b++)
			row[b] = a == b ? NAN : (a == 17 || b == 17) ? 20 : 48;
		cJSON *jr = cJSON_CreateArray();
		for (int b = 0; b < PAIRS; b++)
			cJSON_AddItemToArray(jr, isfinite(row[b]) ? cJSON_CreateNumber(row[b]) : cJSON_CreateNull());
		cJSON_AddItemToArray(bw, jr);
	}
	return r;
}

static void test_fleet_stays_small(void **state)
{
	cJSON *r = fleet();
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char *html = render(r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	size_t len = strlen(html);
	print_message("fleet report: %zu bytes in %.2f s\n", len, secs);
	assert_true(len < 1500000);
	assert_true(secs < 30);  /* ~1 s here; only a blow-up should fail this */
	assert_non_null(strstr(html, "of 8192 lines"));
	assert_non_null(strstr(html, "of 1024 lines"));
	assert_non_null(strstr(html, "class=\"anvil-chart bar-chart distribution\""));
	assert_non_null(strstr(html, "(1023 of 1024)")); /* the drifted kernel: the majority, */
	assert_non_null(strstr(html, "on 1:</span> gpu0700.example.org")); /* then the one other node */
	assert_true(count(html, "<svg ") < 12);
	assert_true(count(html, "<tr") < 2000);
	/* no chart draws more than the cut: a line chart's legend names each line once */
	for (const char *p = strstr(html, "<svg "); p; p = strstr(p + 1, "<svg ")) {
		const char *end = strstr(p, "</svg>");
		size_t lines = 0;
		for (const char *q = strstr(p, "<g class=\"series "); q && q < end; q = strstr(q + 1, "<g class=\"series "))
			lines++;
		assert_true(lines <= 2 * 8);  /* the line and its legend entry */
	}
	assert_html_ok(html);
	free(html);
	cJSON_Delete(r);
}

/* A test of more checks than the view keeps (ANVIL_VIEW_MAX_CHECKS), its
 * section drawn ahead and its view then cut down as anvil report does:
 * the view keeps its failing checks and no passed one, and the tests'
 * overview counts every check of the test, not the ones the view kept. */
static void test_overview_counts_abridged(void **state)
{
	(void)state;
	enum { NODES = 700, GPUS = 8 };
	cJSON *r = cJSON_CreateObject(), *tests = cJSON_AddArrayToObject(r, "tests");
	cJSON *burn = new_test(tests, "gpu-burn"), *calm = new_test(tests, "gpu-stream");
	cJSON_ReplaceItemInObjectCaseSensitive(calm, "verdict", cJSON_CreateString("PASS"));
	cJSON_AddStringToObject(r, "verdict", "FAIL");
	char host[32];
	for (int i = 0; i < NODES; i++) {
		snprintf(host, sizeof(host), "n%04d", i);
		for (int g = 0; g < GPUS; g++) {
			int bad = (i * GPUS + g) % 1000 == 3, warm = (i * GPUS + g) % 1500 == 7;
			add_figure(burn, host, g, "temp_max_c", bad ? 92 : 75, "C", "lower", 90,
				   bad ? "FAIL" : warm ? "WARN" : "PASS");
			add_figure(calm, host, g, "triad_gbs", 3000, "GB/s", "higher", 2500, "PASS");
		}
	}
	struct strbuf sec[2] = { STRBUF_INIT, STRBUF_INIT }, page = STRBUF_INIT;
	for (int i = 0; i < 2; i++) {
		cJSON *t = cJSON_GetArrayItem(tests, i);
		anvil_view_test(t);
		anvil_html_test_section(&sec[i], t, i, NULL);
		anvil_html_drop_section_only(t);
	}
	const cJSON *c;
	int kept = 0;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(burn, "checks")) {
		assert_string_not_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "verdict")), "PASS");
		kept++;
	}
	assert_int_equal(kept, 6 + 4);  /* 5600 checks: 6 failed, 4 warned */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(calm, "checks")), 0);
	anvil_report_html_parts(r, sec, 2, NULL, &page);
	const char *html = strbuf_str(&page), *ov = strstr(html, "<section id=tests>");
	assert_non_null(ov);
	assert_non_null(strstr(ov, "6 FAIL \xc2\xb7 4 WARN \xc2\xb7 5590 PASS"));
	assert_non_null(strstr(ov, "<td>5600 PASS</td>"));
	assert_non_null(strstr(ov, "all passed"));
	assert_html_ok(html);
	strbuf_release(&page);
	strbuf_release(&sec[0]);
	strbuf_release(&sec[1]);
	cJSON_Delete(r);
}

int main(void)
{
	snprintf(hw, sizeof(hw), "%s/configs/hardware", ANVIL_SOURCE_DIR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_strings_inert),
		cmocka_unit_test(test_self_contained),
		cmocka_unit_test(test_every_chart_kind_with_data),
		cmocka_unit_test(test_verdict_and_order),
		cmocka_unit_test(test_inventory_drift),
		cmocka_unit_test(test_inventory_fleet),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_sections_drawn_ahead),
		cmocka_unit_test(test_empty_report),
		cmocka_unit_test(test_fleet_stays_small),
		cmocka_unit_test(test_overview_counts_abridged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
