/* Unit tests of reports/svg.c: every chart is well-formed XML, inert with
 * hostile names, free of "nan", deterministic, and says "no data" when empty.
 * Well-formedness is checked twice: by a small tag-balance checker here, and
 * by xmllint (libxml2-utils) when it is installed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "reports/svg.h"
#include "common/strbuf.h"
#include <ctype.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#define HOSTILE_IMG "<img src=x onerror=alert(1)>"
#define HOSTILE_MIX "\"'&</script><script>alert(1)</script>]]>"
#define HOSTILE_BYTES "ctl\x01\x1b[31m \xff\xfe \xed\xa0\x80 end"

/* ---- checks on the output ---------------------------------------------------- */

/* Length of an XML name at s (ASCII is all the charts use), 0 if none. */
static size_t name_len(const char *s)
{
	size_t n = 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '-' || s[n] == '_' || s[n] == ':' ||
	       (n && s[n] == '.'))
		n++;
	return n;
}

/* Whether s at '&' is one of the five entities or a character reference. */
static int entity_ok(const char *s)
{
	static const char *const ent[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;" };
	for (size_t i = 0; i < 5; i++)
		if (!strncmp(s, ent[i], strlen(ent[i])))
			return 1;
	if (s[1] != '#')
		return 0;
	s += 2;
	if (!isdigit((unsigned char)*s))
		return 0;
	while (isdigit((unsigned char)*s))
		s++;
	return *s == ';';
}

/* A start tag's attributes up to '>' or "/>"; returns the end, or NULL. */
static const char *skip_attrs(const char *p, int *self_closing)
{
	for (;;) {
		size_t n;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '>' || (p[0] == '/' && p[1] == '>')) {
			*self_closing = *p == '/';
			return p + (*self_closing ? 2 : 1);
		}
		n = name_len(p);
		if (!n || p[n] != '=' || (p[n + 1] != '"' && p[n + 1] != '\''))
			return NULL;
		char q = p[n + 1];
		for (p += n + 2; *p != q; p++)
			if (!*p || *p == '<' || (*p == '&' && !entity_ok(p)))
				return NULL;
		p++;
	}
}

/* Tags balance, attributes are quoted, no raw '<' or stray '&' in text,
 * exactly one root element. Returns 1 when all hold. */
static int xml_balanced(const char *s)
{
	const char *stack[256];
	size_t len[256], depth = 0, roots = 0;
	const char *p = s;

	while (*p) {
		if (*p == '&' && !entity_ok(p))
			return 0;
		if (*p != '<') {
			if (!depth && !isspace((unsigned char)*p))
				return 0; /* text outside the root */
			p++;
			continue;
		}
		if (p[1] == '/') {
			size_t n = name_len(p + 2);
			if (!depth || n != len[depth - 1] || strncmp(p + 2, stack[depth - 1], n) ||
			    p[2 + n] != '>')
				return 0;
			depth--;
			p += 3 + n;
			continue;
		}
		size_t n = name_len(p + 1);
		int self = 0;
		if (!n || depth == 256)
			return 0;
		if (!depth)
			roots++;
		const char *end = skip_attrs(p + 1 + n, &self);
		if (!end)
			return 0;
		if (!self) {
			stack[depth] = p + 1;
			len[depth++] = n;
		}
		p = end;
	}
	return depth == 0 && roots == 1;
}

/* 1 when xmllint accepts s, 0 when it rejects it, -1 when it cannot run
 * (then xml_balanced is the only check). quiet hides its complaints. */
static int xmllint_run(const char *s, int quiet)
{
	char path[] = "/tmp/anvil_test_svg_XXXXXX";
	int fd = mkstemp(path), status = 0;
	size_t len = strlen(s);
	pid_t pid;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, len), (ssize_t)len);
	close(fd);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		if (null >= 0 && quiet)
			dup2(null, STDERR_FILENO);
		execlp("xmllint", "xmllint", "--noout", "--nonet", path, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(path);
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 127)
		return -1;
	return WEXITSTATUS(status) == 0;
}

static int xmllint_ok(const char *s) { return xmllint_run(s, 0); }

/* Everything every chart must be. */
static void check_chart(const char *s)
{
	assert_non_null(strstr(s, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	assert_non_null(strstr(s, "role=\"img\""));
	assert_non_null(strstr(s, "<title>"));
	assert_non_null(strstr(s, "viewBox=\"0 0 "));
	assert_non_null(strstr(s, " width=\""));
	assert_null(strstr(s, " id=\"")); /* many charts share one page */
	assert_null(strstr(s, "<script"));
	assert_null(strstr(s, "<img"));
	assert_null(strcasestr(s, "nan"));
	assert_null(strcasestr(s, "inf"));
	assert_true(xml_balanced(s));
	assert_int_not_equal(xmllint_ok(s), 0);
}

/* ---- inputs ------------------------------------------------------------------ */

static double xs[32], ys[3][32];

static void make_lines(struct anvil_svg_line *l, const char *label0)
{
	for (int i = 0; i < 32; i++) {
		xs[i] = ldexp(1, i);
		for (int k = 0; k < 3; k++)
			ys[k][i] = (100.0 - 20 * k) * xs[i] / (xs[i] + 65536.0);
	}
	ys[1][7] = NAN;
	ys[2][9] = INFINITY;
	l[0] = (struct anvil_svg_line){ label0, xs, ys[0], 32 };
	l[1] = (struct anvil_svg_line){ "4 nodes", xs, ys[1], 32 };
	l[2] = (struct anvil_svg_line){ HOSTILE_MIX, xs, ys[2], 32 };
}

static const struct anvil_svg_axes size_axes = {
	.title = "bus bandwidth " HOSTILE_IMG, .x_label = "message size", .y_label = "bandwidth",
	.x_unit = "B", .y_unit = "GB/s", .log_x = 1, .ref_value = 120, .ref_label = "peak " HOSTILE_IMG,
};

static void render_line(struct strbuf *sb)
{
	struct anvil_svg_line l[3];
	make_lines(l, HOSTILE_IMG);
	anvil_svg_line_chart(sb, &size_axes, l, 3);
}

static void render_timeseries(struct strbuf *sb)
{
	static double t[600], temp[2][600];
	struct anvil_svg_axes ax = { .title = "GPU temperature", .y_label = "temperature",
				     .y_unit = "\xc2\xb0" "C", .ref_value = NAN };
	struct anvil_svg_line l[2] = { { "GPU 0", t, temp[0], 600 }, { HOSTILE_IMG, t, temp[1], 600 } };

	for (int i = 0; i < 600; i++) {
		t[i] = 3.0 * i;
		temp[0][i] = 40 + 40 * (1 - exp(-t[i] / 300));
		temp[1][i] = i % 50 == 7 ? NAN : 42 + 45 * (1 - exp(-t[i] / 300));
	}
	anvil_svg_timeseries(sb, &ax, l, 2, 83, NAN);
}

static struct anvil_svg_bar bars[300];
static char bar_names[300][40];

static void make_bars(size_t n, const char *fmt)
{
	for (size_t i = 0; i < n; i++) {
		snprintf(bar_names[i], sizeof(bar_names[i]), fmt, (unsigned)i);
		bars[i] = (struct anvil_svg_bar){ bar_names[i], 800 + (double)(i * 37 % 23), 0 };
	}
}

static const struct anvil_svg_axes bar_axes = {
	.title = "DGEMM per node", .y_label = "rate", .y_unit = "GFLOP/s",
	.ref_value = 900, .ref_label = "peak",
};

static void render_bars(struct strbuf *sb, size_t n)
{
	make_bars(n, "node%03u");
	bars[1].label = HOSTILE_IMG;
	bars[2].label = HOSTILE_MIX;
	bars[3].label = HOSTILE_BYTES;
	bars[4].value = 612;            /* below the threshold */
	bars[5].value = NAN;            /* missing */
	bars[5].bad = 1;
	bars[6].value = -INFINITY;
	anvil_svg_bar_chart(sb, &bar_axes, bars, n, 750, "min " HOSTILE_IMG);
}

static void render_heatmap(struct strbuf *sb, size_t n)
{
	double *v = malloc(n * n * sizeof(*v));
	unsigned char *bad = calloc(n * n, 1);
	const char **labels = malloc(n * sizeof(*labels));

	assert_non_null(v);
	assert_non_null(bad);
	assert_non_null(labels);
	for (size_t i = 0; i < n; i++) {
		labels[i] = i == 1 ? HOSTILE_IMG : i == 2 ? HOSTILE_MIX : i == 3 ? HOSTILE_BYTES : "host";
		for (size_t j = 0; j < n; j++)
			v[i * n + j] = i == j ? NAN : 24 + (double)((i * 7 + j * 3) % 10) / 10;
	}
	v[0 * n + n - 1] = 12;
	bad[0 * n + n - 1] = 1;
	v[1] = INFINITY;
	anvil_svg_heatmap(sb, "link bandwidth " HOSTILE_IMG, labels, n, v, bad, "GB/s");
	free(v);
	free(bad);
	free(labels);
}

/* ---- tests ------------------------------------------------------------------- */

static void test_line_chart(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	render_line(&sb);
	check_chart(sb.buf);
	assert_non_null(strstr(sb.buf, "class=\"legend\""));
	assert_non_null(strstr(sb.buf, "class=\"series s2\""));
	assert_non_null(strstr(sb.buf, "class=\"ref\""));
	assert_non_null(strstr(sb.buf, "stroke-dasharray"));
	strbuf_release(&sb);
}

static void test_log2_ticks(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct anvil_svg_line l[3];
	(void)state;
	make_lines(l, "2 nodes");
	anvil_svg_line_chart(&sb, &size_axes, l, 1);
	check_chart(sb.buf);
	assert_non_null(strstr(sb.buf, ">1 B<"));
	assert_non_null(strstr(sb.buf, ">1 KiB<"));
	assert_non_null(strstr(sb.buf, ">1 MiB<"));
	assert_non_null(strstr(sb.buf, ">1 GiB<"));
	assert_null(strstr(sb.buf, "class=\"legend\"")); /* one line needs none */
	strbuf_release(&sb);
}

static void test_log_y(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	double x[4] = { 1, 2, 4, 8 }, y[4] = { 1.5, 0, 30, 2000 }; /* 0 cannot be drawn */
	struct anvil_svg_line l = { "latency", x, y, 4 };
	struct anvil_svg_axes ax = { .title = "latency", .log_x = 1, .log_y = 1, .y_unit = "us",
				     .ref_value = NAN };
	(void)state;
	anvil_svg_line_chart(&sb, &ax, &l, 1);
	check_chart(sb.buf);
	assert_non_null(strstr(sb.buf, ">10<"));
	assert_non_null(strstr(sb.buf, ">1000<"));
	strbuf_release(&sb);
}

static void test_timeseries(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	render_timeseries(&sb);
	check_chart(sb.buf);
	assert_non_null(strstr(sb.buf, "class=\"warn\""));
	assert_null(strstr(sb.buf, "class=\"fail\""));
	assert_non_null(strstr(sb.buf, "time (min)")); /* 30 min reads in minutes */
	strbuf_release(&sb);
}

static void test_bar_chart(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	size_t nbad = 0;
	(void)state;
	render_bars(&sb, 16);
	check_chart(sb.buf);
	for (p = sb.buf; (p = strstr(p, "<rect class=\"bar bad\"")); p++)
		nbad++;
	assert_int_equal(nbad, 1);  /* 612 < 750; the NaN and -Inf bars draw no rect */
	assert_non_null(strstr(sb.buf, "<rect class=\"bar\""));
	assert_non_null(strstr(sb.buf, "class=\"threshold\""));
	assert_non_null(strstr(sb.buf, "class=\"missing bad\""));
	assert_non_null(strstr(sb.buf, "&lt;img src=x onerror=alert(1)&gt;"));
	strbuf_release(&sb);
}

static void test_bar_flagged(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct anvil_svg_axes ax = { .title = "flagged", .ref_value = NAN };
	(void)state;
	make_bars(4, "gpu%u");
	bars[2].bad = 1; /* judged bad by a rule the chart does not know */
	anvil_svg_bar_chart(&sb, &ax, bars, 4, NAN, NULL);
	check_chart(sb.buf);
	assert_non_null(strstr(sb.buf, "<rect class=\"bar bad\""));
	assert_null(strstr(sb.buf, "class=\"threshold\""));
	strbuf_release(&sb);
}

static void test_bar_domain_suffix(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct anvil_svg_axes ax = { .title = "stream", .x_label = "node", .ref_value = NAN };
	(void)state;
	make_bars(8, "cn%02u.cluster.local");
	anvil_svg_bar_chart(&sb, &ax, bars, 8, NAN, NULL);
	check_chart(sb.buf);
	assert_non_null(strstr(sb.buf, ">cn03<"));
	assert_non_null(strstr(sb.buf, "*.cluster.local"));
	assert_non_null(strstr(sb.buf, "cn03.cluster.local: ")); /* tooltip keeps it */
	strbuf_release(&sb);
}

static void test_many_bars(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	render_bars(&sb, 300);
	check_chart(sb.buf);
	assert_non_null(strstr(sb.buf, "distribution"));
	assert_non_null(strstr(sb.buf, "class=\"bad\""));
	assert_non_null(strstr(sb.buf, "class=\"hist\""));
	assert_non_null(strstr(sb.buf, "node004 612")); /* the bad list names it */
	assert_non_null(strstr(sb.buf, "2 missing")); /* NaN and -Inf */
	assert_null(strstr(sb.buf, ">node150<")); /* no per-bar labels */
	strbuf_release(&sb);
}

static void test_heatmap(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	render_heatmap(&sb, 8);
	check_chart(sb.buf);
	assert_non_null(strstr(sb.buf, "class=\"cell nodata\""));
	assert_non_null(strstr(sb.buf, "class=\"cell h0\""));
	assert_non_null(strstr(sb.buf, "class=\"cell-bad\""));
	assert_non_null(strstr(sb.buf, "<title>host " "\xe2\x86\x92" " host: 12"));
	strbuf_release(&sb);
}

static void test_heatmap_large(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	render_heatmap(&sb, 100); /* no names on every row */
	check_chart(sb.buf);
	assert_null(strstr(sb.buf, "<title>host " "\xe2\x86\x92"));
	strbuf_release(&sb);
	render_heatmap(&sb, 300); /* cells are 3 x 3 blocks */
	check_chart(sb.buf);
	assert_non_null(strstr(sb.buf, "minimum of a 3"));
	assert_non_null(strstr(sb.buf, "class=\"cell-bad\""));
	assert_true(sb.len < 400 * 1024);
	strbuf_release(&sb);
}

static void test_escaping(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	render_line(&sb);
	render_timeseries(&sb);
	render_bars(&sb, 16);
	render_bars(&sb, 300);
	render_heatmap(&sb, 8);
	assert_null(strstr(sb.buf, "<img"));
	assert_null(strstr(sb.buf, "</script"));
	assert_null(strstr(sb.buf, "]]>"));
	assert_null(strstr(sb.buf, "\x1b"));
	assert_null(strstr(sb.buf, "\xff"));
	assert_non_null(strstr(sb.buf, "&lt;/script&gt;"));
	assert_non_null(strstr(sb.buf, "&quot;&#39;&amp;"));
	assert_non_null(strstr(sb.buf, "\xef\xbf\xbd")); /* U+FFFD for the bad bytes */
	strbuf_release(&sb);
}

static void test_nan_input(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	double x[3] = { NAN, 1, 2 }, y[3] = { 1, NAN, INFINITY };
	struct anvil_svg_line l = { "all bad", x, y, 3 };
	struct anvil_svg_axes ax = { .title = "nothing finite", .ref_value = NAN };
	struct anvil_svg_bar b[2] = { { "a", NAN, 0 }, { "b", -INFINITY, 0 } };
	double h[4] = { NAN, NAN, NAN, INFINITY };
	(void)state;
	anvil_svg_line_chart(&sb, &ax, &l, 1);
	check_chart(sb.buf);
	assert_non_null(strstr(sb.buf, "no data"));
	strbuf_release(&sb);
	anvil_svg_bar_chart(&sb, &ax, b, 2, NAN, NULL);
	check_chart(sb.buf);
	strbuf_release(&sb);
	anvil_svg_heatmap(&sb, "nothing", NULL, 2, h, NULL, "GB/s");
	check_chart(sb.buf);
	assert_non_null(strstr(sb.buf, "no data"));
	strbuf_release(&sb);
}

static void test_empty(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct anvil_svg_axes ax = { .title = "empty", .ref_value = NAN };
	(void)state;
	anvil_svg_line_chart(&sb, &ax, NULL, 0);
	check_chart(sb.buf);
	assert_non_null(strstr(sb.buf, "no data"));
	assert_true(sb.len < 1024);
	strbuf_release(&sb);
	anvil_svg_timeseries(&sb, &ax, NULL, 0, 80, 90);
	check_chart(sb.buf);
	assert_non_null(strstr(sb.buf, "no data"));
	strbuf_release(&sb);
	anvil_svg_bar_chart(&sb, &ax, NULL, 0, 1, "t");
	check_chart(sb.buf);
	assert_non_null(strstr(sb.buf, "no data"));
	strbuf_release(&sb);
	anvil_svg_heatmap(&sb, NULL, NULL, 0, NULL, NULL, NULL);
	check_chart(sb.buf);
	assert_non_null(strstr(sb.buf, "no data"));
	strbuf_release(&sb);
}

static void test_one_point(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	double x = 4096, y = 12.5;
	struct anvil_svg_line l = { "one", &x, &y, 1 };
	struct anvil_svg_bar b = { "only", 5, 0 };
	double h = 3;
	(void)state;
	anvil_svg_line_chart(&sb, &size_axes, &l, 1);
	anvil_svg_timeseries(&sb, &size_axes, &l, 1, NAN, NAN);
	anvil_svg_bar_chart(&sb, &bar_axes, &b, 1, NAN, NULL);
	anvil_svg_heatmap(&sb, "one", NULL, 1, &h, NULL, "GB/s");
	/* four roots: check each by wrapping them in one */
	struct strbuf doc = STRBUF_INIT;
	strbuf_addf(&doc, "<root>%s</root>", sb.buf);
	assert_true(xml_balanced(doc.buf));
	assert_int_not_equal(xmllint_ok(doc.buf), 0);
	assert_null(strcasestr(sb.buf, "nan"));
	strbuf_release(&doc);
	strbuf_release(&sb);
}

/* Finite but absurd values must neither hang the tick loops nor print NaN. */
static void test_extreme_values(void **state)
{
	static const double cases[][2] = {
		{ -1.7e308, 1.7e308 }, { 1e-320, 2e-320 }, { 1e17, 1e17 + 64 }, { 5, 5 }, { 0, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		double x[2] = { 1, 2 }, h[4] = { NAN, cases[i][0], cases[i][1], NAN };
		struct anvil_svg_line l = { "l", x, cases[i], 2 };
		struct anvil_svg_axes ax = { .title = "extreme", .ref_value = cases[i][1], .ref_label = "r" };
		make_bars(100, "n%u");
		bars[0].value = cases[i][0];
		bars[1].value = cases[i][1];
		anvil_svg_line_chart(&sb, &ax, &l, 1);
		check_chart(sb.buf);
		strbuf_release(&sb);
		anvil_svg_timeseries(&sb, &ax, &l, 1, cases[i][0], cases[i][1]);
		check_chart(sb.buf);
		strbuf_release(&sb);
		anvil_svg_bar_chart(&sb, &ax, bars, 2, cases[i][1], "t");
		check_chart(sb.buf);
		strbuf_release(&sb);
		anvil_svg_bar_chart(&sb, &ax, bars, 100, cases[i][1], "t");
		check_chart(sb.buf);
		strbuf_release(&sb);
		anvil_svg_heatmap(&sb, "extreme", NULL, 2, h, NULL, "B");
		check_chart(sb.buf);
		strbuf_release(&sb);
	}
}

static void test_deterministic(void **state)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	(void)state;
	for (int k = 0; k < 2; k++) {
		struct strbuf *sb = k ? &b : &a;
		render_line(sb);
		render_timeseries(sb);
		render_bars(sb, 16);
		render_bars(sb, 300);
		render_heatmap(sb, 8);
		render_heatmap(sb, 300);
	}
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	strbuf_release(&a);
	strbuf_release(&b);
}

/* The checker itself must reject what it is there to catch. */
static void test_checker(void **state)
{
	(void)state;
	assert_true(xml_balanced("<svg a=\"1\"><g><path d=\"M0 0\"/></g>&amp;</svg>\n"));
	assert_false(xml_balanced("<svg><g></svg>"));
	assert_false(xml_balanced("<svg a=\"<\"></svg>"));
	assert_false(xml_balanced("<svg>a & b</svg>"));
	assert_false(xml_balanced("<svg><img src=x onerror=alert(1)></svg>"));
	assert_false(xml_balanced("<svg></svg><svg></svg>"));
	assert_int_not_equal(xmllint_ok("<svg><g/></svg>"), 0);
	assert_int_not_equal(xmllint_run("<svg><g></svg>", 1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker),
		cmocka_unit_test(test_line_chart),
		cmocka_unit_test(test_log2_ticks),
		cmocka_unit_test(test_log_y),
		cmocka_unit_test(test_timeseries),
		cmocka_unit_test(test_bar_chart),
		cmocka_unit_test(test_bar_flagged),
		cmocka_unit_test(test_bar_domain_suffix),
		cmocka_unit_test(test_many_bars),
		cmocka_unit_test(test_heatmap),
		cmocka_unit_test(test_heatmap_large),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_nan_input),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one_point),
		cmocka_unit_test(test_extreme_values),
		cmocka_unit_test(test_deterministic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
