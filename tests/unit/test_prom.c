/* metrics.prom against a strict parser of the Prometheus text exposition
 * format (0.0.4, as prometheus/common/expfmt reads it, with the promises
 * anvil makes on top): HELP and TYPE at most once per family and before its
 * samples, a family's lines together, names [a-zA-Z_:][a-zA-Z0-9_:]*, label
 * names [a-zA-Z_][a-zA-Z0-9_]* not starting "__", label values with only the
 * escapes \\ \" \n, one sample per line, floats incl. NaN and +/-Inf, an
 * optional integer timestamp, no series twice. The parser is tested on bad
 * input first, so that a pass means something. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "anvil_build_config.h"
#include "reports/report.h"
#include "reports/keymap.h"
#include "reports/render.h"

struct family {
	char name[256];
	int help, type, samples, closed;
};

struct parsed {
	struct family fam[64];
	int nfam;
	int samples;
	struct anvil_keymap series;   /* name{sorted labels} -> value index + 1 */
	double values[4096];
	char keys[4096][512];
	char err[512];
};

static int failf(struct parsed *p, int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, sizeof(p->err), "line %d: ", line);
	va_start(ap, fmt);
	vsnprintf(p->err + n, sizeof(p->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *name_end(const char *s, int metric)
{
	if (!(isalpha((unsigned char)*s) || *s == '_' || (metric && *s == ':')))
		return NULL;
	while (isalnum((unsigned char)*s) || *s == '_' || (metric && *s == ':'))
		s++;
	return s;
}

/* The last family, or a new one; a name seen before and closed is an error. */
static struct family *family(struct parsed *p, const char *name, size_t len, int line, int *bad)
{
	struct family *last = p->nfam ? &p->fam[p->nfam - 1] : NULL;
	if (last && strlen(last->name) == len && !strncmp(last->name, name, len))
		return last;
	for (int i = 0; i < p->nfam; i++)
		if (strlen(p->fam[i].name) == len && !strncmp(p->fam[i].name, name, len)) {
			*bad = failf(p, line, "the lines of %.*s are not together", (int)len, name);
			return NULL;
		}
	if (p->nfam == 64) {
		*bad = failf(p, line, "too many families for this test");
		return NULL;
	}
	struct family *f = &p->fam[p->nfam++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%.*s", (int)len, name);
	return f;
}

static int comment(struct parsed *p, const char *s, int line)
{
	const char *t = s + 1;
	while (*t == ' ' || *t == '\t')
		t++;
	int help = !strncmp(t, "HELP", 4) && (t[4] == ' ' || t[4] == '\t');
	int type = !strncmp(t, "TYPE", 4) && (t[4] == ' ' || t[4] == '\t');
	if (!help && !type)
		return 0;  /* any other comment is ignored */
	t += 5;
	while (*t == ' ' || *t == '\t')
		t++;
	const char *e = name_end(t, 1);
	if (!e || (*e && *e != ' ' && *e != '\t'))
		return failf(p, line, "bad metric name after # %s", help ? "HELP" : "TYPE");
	int bad = 0;
	struct family *f = family(p, t, (size_t)(e - t), line, &bad);
	if (!f)
		return bad;
	while (*e == ' ' || *e == '\t')
		e++;
	if (help) {
		if (f->help++)
			return failf(p, line, "a second HELP for %s", f->name);
		for (const char *c = e; *c; c++)
			if (*c == '\\' && c[1] != '\\' && c[1] != 'n')
				return failf(p, line, "HELP text escapes only \\\\ and \\n");
			else if (*c == '\\')
				c++;
		return 0;
	}
	if (f->type++)
		return failf(p, line, "a second TYPE for %s", f->name);
	if (f->samples)
		return failf(p, line, "TYPE of %s after its samples", f->name);
	static const char *const types[] = { "counter", "gauge", "histogram", "summary", "untyped" };
	for (size_t i = 0; i < 5; i++)
		if (!strcmp(e, types[i]))
			return 0;
	return failf(p, line, "unknown type \"%s\"", e);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Go's ParseFloat accepts more spellings; these are the ones a writer should use. */
static int parse_value(const char *s, const char **end, double *v)
{
	const char *e = s;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	char buf[64];
	snprintf(buf, sizeof(buf), "%.*s", (int)(e - s), s);
	*end = e;
	if (!strcmp(buf, "NaN")) { *v = NAN; return 0; }
	if (!strcmp(buf, "+Inf") || !strcmp(buf, "Inf")) { *v = INFINITY; return 0; }
	if (!strcmp(buf, "-Inf")) { *v = -INFINITY; return 0; }
	if (!*buf || strpbrk(buf, "xXpPnNiI"))
		return -1;
	char *x;
	errno = 0;
	*v = strtod(buf, &x);
	return *x || errno == ERANGE ? -1 : 0;
}

static int sample(struct parsed *p, const char *s, int line)
{
	const char *e = name_end(s, 1);
	if (!e)
		return failf(p, line, "bad metric name");
	int bad = 0;
	struct family *f = family(p, s, (size_t)(e - s), line, &bad);
	if (!f)
		return bad;
	f->samples++;
	static char labels[64][128 + 1024 + 2], names[64][128];
	char *lp[64];
	int nl = 0;
	if (*e == '{') {
		e++;
		while (*e != '}') {
			const char *ne = name_end(e, 0);
			if (nl == 64)
				return failf(p, line, "more than 64 labels");
			if (!ne || ne - e >= 128)
				return failf(p, line, "bad label name");
			if (e[0] == '_' && e[1] == '_')
				return failf(p, line, "label names starting \"__\" are reserved");
			snprintf(names[nl], 128, "%.*s", (int)(ne - e), e);
			for (int i = 0; i < nl; i++)
				if (!strncmp(labels[i], names[nl], strlen(names[nl])) && labels[i][strlen(names[nl])] == '=')
					return failf(p, line, "label %s twice", names[nl]);
			if (ne[0] != '=' || ne[1] != '"')
				return failf(p, line, "expected =\" after label %s", names[nl]);
			const char *v = ne + 2;
			char value[1024];
			size_t o = 0;
			for (; *v && *v != '"'; v++) {
				char ch = *v;
				if (ch == '\\') {
					v++;
					if (*v != '\\' && *v != '"' && *v != 'n')
						return failf(p, line, "label values escape only \\\\ \\\" \\n");
					ch = *v == 'n' ? '\n' : *v;
				}
				if (o + 1 < sizeof(value))
					value[o++] = ch;
			}
			value[o] = '\0';
			if (*v != '"')
				return failf(p, line, "unterminated label value");
			snprintf(labels[nl], sizeof(labels[nl]), "%s=%s", names[nl], value);
			lp[nl] = labels[nl];
			nl++;
			e = v + 1;
			if (*e == ',')
				e++;
			else if (*e != '}')
				return failf(p, line, "expected , or } after a label");
		}
		e++;
	}
	if (*e != ' ' && *e != '\t')
		return failf(p, line, "expected a space before the value");
	while (*e == ' ' || *e == '\t')
		e++;
	double v;
	const char *ve;
	if (parse_value(e, &ve, &v))
		return failf(p, line, "bad value \"%s\"", e);
	while (*ve == ' ' || *ve == '\t')
		ve++;
	if (*ve) {  /* a timestamp: an integer (ms) */
		const char *t = ve + (*ve == '-');
		if (!isdigit((unsigned char)*t))
			return failf(p, line, "bad timestamp");
		while (isdigit((unsigned char)*t))
			t++;
		if (*t)
			return failf(p, line, "more after the timestamp");
	}
	if (nl > 1)
		qsort(lp, (size_t)nl, sizeof(*lp), cmp_str);
	char key[512];
	size_t k = (size_t)snprintf(key, sizeof(key), "%s{", f->name);
	for (int i = 0; i < nl; i++) {
		k += (size_t)snprintf(key + k, k < sizeof(key) ? sizeof(key) - k : 0, "%s\x1f", lp[i]);
	}
	if (anvil_keymap_get(&p->series, key, strlen(key)))
		return failf(p, line, "series %s twice", key);
	if (p->samples < 4096) {
		snprintf(p->keys[p->samples], sizeof(p->keys[0]), "%s", key);
		p->values[p->samples] = v;
	}
	anvil_keymap_put(&p->series, key, strlen(key), (void *)(uintptr_t)(p->samples + 1));
	p->samples++;
	return 0;
}

/* 0 with *p filled, or -1 with p->err. Every family must have HELP and TYPE gauge (anvil's promise). */
static int parse(const char *text, struct parsed *p)
{
	memset(p, 0, sizeof(*p));
	int line = 0;
	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		if (!nl)
			return failf(p, line + 1, "the last line has no newline");
		char buf[4096];
		snprintf(buf, sizeof(buf), "%.*s", (int)(nl - s), s);
		line++;
		int rc = !*buf ? 0 : *buf == '#' ? comment(p, buf, line) : sample(p, buf, line);
		if (rc)
			return -1;
		s = nl + 1;
	}
	for (int i = 0; i < p->nfam; i++)
		if (p->fam[i].samples && (!p->fam[i].help || !p->fam[i].type))
			return failf(p, line, "%s has no HELP or no TYPE", p->fam[i].name);
	return 0;
}

static void parsed_release(struct parsed *p) { anvil_keymap_release(&p->series); }

static double value_of(const struct parsed *p, const char *key)
{
	uintptr_t at = (uintptr_t)anvil_keymap_get(&p->series, key, strlen(key));
	if (!at)
		fail_msg("no series %s", key);
	return p->values[at - 1];
}

static struct parsed *P;

static void refused(const char *text, const char *want)
{
	if (!parse(text, P))
		fail_msg("accepted: %s", text);
	parsed_release(P);
	if (!strstr(P->err, want))
		fail_msg("expected \"%s\", got \"%s\"", want, P->err);
}

static void test_parser_refuses(void **state)
{
	const char *ok = "# HELP a_b Help.\n# TYPE a_b gauge\na_b{x=\"1\"} 1\na_b{x=\"2\"} NaN\na_b{x=\"3\"} -Inf 17\n";
	assert_int_equal(parse(ok, P), 0);
	assert_int_equal(P->samples, 3);
	parsed_release(P);
	refused("# TYPE 1a gauge\n", "bad metric name");
	refused("# HELP a x\n# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n", "twice");
	refused("# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\na{y=\"1\"} 1\n", "not together");
	refused("# HELP a x\na 1\n# TYPE a gauge\n", "TYPE of a after its samples");
	refused("# HELP a x\n# HELP a y\n", "a second HELP");
	refused("# HELP a x\n# TYPE a gauge\na{__x=\"1\"} 1\n", "reserved");
	refused("# HELP a x\n# TYPE a gauge\na{x=\"a\\tb\"} 1\n", "escape only");
	refused("# HELP a x\n# TYPE a gauge\na{x=\"1} 1\n", "");
	refused("# HELP a x\n# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n", "twice");
	refused("# HELP a x\n# TYPE a gauge\na fast\n", "bad value");
	refused("# HELP a x\n# TYPE a gauge\na 1 2 3\n", "after the timestamp");
	refused("# HELP a x\n# TYPE a gage\n", "unknown type");
	refused("# TYPE a gauge\na 1\n", "no HELP");
	refused("# HELP a x\n# TYPE a gauge\na 1", "no newline");
}

static void add(cJSON *recs, const char *json)
{
	cJSON *r = cJSON_Parse(json);
	if (!r)
		fail_msg("bad test record %s", json);
	cJSON_AddItemToArray(recs, r);
}

/* A report with what is awkward for the format: quotes, backslashes and a
 * newline in values, label keys that are no label names, a NaN figure,
 * two ranks of one node, every verdict, units in every family. */
struct two_part {
	struct anvil_prom *p;
	const cJSON *t;
};

static void *checks_thread(void *arg)
{
	struct two_part *j = arg;
	anvil_prom_test_checks(j->p, j->t);
	return NULL;
}

static void test_metrics_prom(void **state)
{
	char hw[512], err[512];
	snprintf(hw, sizeof(hw), "%s/configs/hardware", ANVIL_SOURCE_DIR);
	cJSON *recs = cJSON_CreateArray();
	add(recs, "{\"kind\": \"run\", \"event\": \"start\", \"t\": 1790000000, \"ranks\": 2, \"nodes\": 1, \"hosts\": [\"n\\\"1\"],"
		  " \"plan\": {\"profile\": \"p\", \"tests\": [{\"id\": \"t\", \"runner\": \"null\"}, {\"id\": \"gone\", \"runner\": \"null\"}]},"
		  " \"profile_doc\": {\"schema\": \"anvil-profile/1\", \"name\": \"p\\\\q\", \"tests\": [],"
		  " \"checks\": [{\"test\": \"t\", \"metric\": \"bw\", \"rule\": \"absolute\", \"min\": 30}]}, \"cluster\": null}");
	add(recs, "{\"kind\": \"metric\", \"test\": \"t\", \"host\": \"n\\\"1\", \"rank\": 0, \"labels\": {\"gpu.id\": \"0\", \"port\": \"a\\\\b\\nc\"},"
		  " \"name\": \"bw\", \"value\": 20, \"unit\": \"GB/s\", \"better\": \"higher\"}");
	add(recs, "{\"kind\": \"metric\", \"test\": \"t\", \"host\": \"n\\\"1\", \"rank\": 0, \"name\": \"lat\", \"value\": 1.5, \"unit\": \"us\", \"better\": \"lower\"}");
	add(recs, "{\"kind\": \"metric\", \"test\": \"t\", \"host\": \"n\\\"1\", \"rank\": 0, \"name\": \"lanes\", \"value\": null, \"unit\": \"lanes\", \"better\": \"higher\"}");
	add(recs, "{\"kind\": \"metric\", \"test\": \"t\", \"host\": \"n\\\"1\", \"rank\": 0, \"name\": \"tf\", \"value\": 51.5, \"unit\": \"TFLOP/s\", \"better\": \"higher\"}");
	add(recs, "{\"kind\": \"metric\", \"test\": \"t\", \"host\": \"n\\\"1\", \"rank\": 1, \"name\": \"tf\", \"value\": 50.5, \"unit\": \"TFLOP/s\", \"better\": \"higher\"}");
	add(recs, "{\"kind\": \"metric\", \"test\": \"t\", \"host\": \"n\\\"1\", \"rank\": 0, \"name\": \"temp\", \"value\": 80, \"unit\": \"C\", \"better\": \"lower\"}");
	add(recs, "{\"kind\": \"metric\", \"test\": \"t\", \"host\": \"n\\\"1\", \"rank\": 0, \"name\": \"cv\", \"value\": 2.5, \"unit\": \"%\", \"better\": \"lower\"}");
	add(recs, "{\"kind\": \"test\", \"test\": \"t\", \"status\": \"ok\", \"duration_s\": 2.5}");
	cJSON *r = anvil_report_build(recs, NULL, hw, "/x", 0, 0, err, sizeof(err));
	assert_non_null(r);
	struct strbuf out = STRBUF_INIT;
	anvil_report_prom(r, &out);
	if (parse(strbuf_str(&out), P))
		fail_msg("%s\n%s", P->err, strbuf_str(&out));
	/* base units: 20 GB/s, 1.5 us, 51.5 TFLOP/s, 2.5 % */
	assert_true(value_of(P, "anvil_result_bytes_per_second{host=n\"1\x1flabel_gpu_id=0\x1flabel_port=a\\b\nc\x1fmetric=bw\x1ftest=t\x1f") == 20e9);
	assert_true(value_of(P, "anvil_result_seconds{host=n\"1\x1fmetric=lat\x1ftest=t\x1f") == 1.5e-6);
	assert_true(value_of(P, "anvil_result_flops{host=n\"1\x1fmetric=tf\x1ftest=t\x1f") == 51.5e12);
	assert_true(value_of(P, "anvil_result_flops{host=n\"1\x1fmetric=tf\x1frank=1\x1ftest=t\x1f") == 50.5e12);
	assert_true(value_of(P, "anvil_result_ratio{host=n\"1\x1fmetric=cv\x1ftest=t\x1f") == 0.025);
	assert_true(value_of(P, "anvil_result_celsius{host=n\"1\x1fmetric=temp\x1ftest=t\x1f") == 80);
	assert_true(isnan(value_of(P, "anvil_result_value{host=n\"1\x1fmetric=lanes\x1ftest=t\x1funit=lanes\x1f")));
	/* 20 < 30: FAIL is 6; the unrun test is NOT RUN (4) */
	assert_true(value_of(P, "anvil_check_status{check=bw\x1fhost=n\"1\x1flabel_gpu_id=0\x1flabel_port=a\\b\nc\x1frule=absolute\x1ftest=t\x1f") == 6);
	assert_true(value_of(P, "anvil_check_status{check=status\x1fhost=\x1frule=status\x1ftest=gone\x1f") == 4);
	assert_true(value_of(P, "anvil_test_verdict{test=t\x1fverdict=FAIL\x1f") == 1);
	assert_true(value_of(P, "anvil_test_verdict{test=t\x1fverdict=PASS\x1f") == 0);
	assert_true(value_of(P, "anvil_test_duration_seconds{test=t\x1f") == 2.5);
	assert_true(value_of(P, "anvil_run_verdict{verdict=FAIL\x1f") == 1);
	assert_true(value_of(P, "anvil_run_exit_code{") == 1);
	assert_true(value_of(P, "anvil_run_checks{verdict=FAIL\x1f") == 1);
	assert_true(value_of(P, "anvil_run_info{anvil_version=" ANVIL_VERSION "\x1f" "cluster=\x1fprofile=p\\q\x1f") == 1);
	assert_true(value_of(P, "anvil_report_timestamp_seconds{") > 1.7e9);
	parsed_release(P);
	/* as anvil report makes it: each test's check lines on a second thread,
	 * straight to the file, while its figures' lines are made */
	struct anvil_outfile two;
	anvil_outfile_buffer(&two);
	struct anvil_prom *p2 = anvil_prom_new();
	anvil_prom_checks_to(p2, &two);
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(r, "tests")) {
		pthread_t th;
		assert_int_equal(pthread_create(&th, NULL, checks_thread, &(struct two_part){ p2, t }), 0);
		anvil_prom_test_figures(p2, t);
		pthread_join(th, NULL);
	}
	anvil_prom_finish(p2, r, &two);
	assert_int_equal(two.buf.len, out.len);
	char *cut = strstr(two.buf.buf, "anvil_report_timestamp_seconds ");  /* made a second apart, maybe */
	assert_non_null(cut);
	assert_int_equal(memcmp(two.buf.buf, out.buf, (size_t)(cut - two.buf.buf)), 0);
	strbuf_release(&two.buf);
	strbuf_release(&out);
	cJSON_Delete(r);
	cJSON_Delete(recs);
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* A check's line queued as it comes and given its place when its test is
 * written says what the line made at once says, in the same order: repeated
 * series dropped, or told apart by their rank. */
static void test_checks_later(void **state)
{
	cJSON *t = cJSON_Parse("{\"id\": \"t\\\"x\", \"verdict\": \"FAIL\", \"duration_s\": 1}");
	cJSON *checks = cJSON_Parse(
		"[{\"name\": \"bw\", \"rule\": \"peak\", \"host\": \"n1\", \"verdict\": \"PASS\"},"
		" {\"name\": \"bw\", \"rule\": \"peak\", \"host\": \"n1\", \"verdict\": \"FAIL\"},"
		" {\"name\": \"bw\", \"rule\": \"peak\", \"host\": \"n1\", \"rank\": 3, \"verdict\": \"WARN\"},"
		" {\"name\": \"bw\", \"rule\": \"peers\", \"host\": \"n\\\"2\", \"labels\": {\"gpu.id\": \"1\"}, \"verdict\": \"ERROR\"},"
		" {\"name\": \"lat\", \"rule\": \"absolute\", \"host\": \"n2\", \"rank\": 0, \"verdict\": \"SKIP\"}]");
	cJSON *report = cJSON_Parse("{\"verdict\": \"FAIL\", \"exit_code\": 1, \"summary\": {}, \"run\": {}}");
	assert_non_null(t);
	assert_non_null(checks);
	assert_non_null(report);
	struct anvil_outfile now, later, straight;
	anvil_outfile_buffer(&now);
	anvil_outfile_buffer(&later);
	anvil_outfile_buffer(&straight);
	struct anvil_prom *a = anvil_prom_new(), *b = anvil_prom_new(), *d = anvil_prom_new();
	anvil_prom_checks_to(d, &straight);  /* the check family straight to the file, as anvil report does */
	struct anvil_prom_later *q = anvil_prom_later_new();
	const cJSON *c;
	cJSON_ArrayForEach(c, checks) {
		anvil_prom_check(a, t, c);
		anvil_prom_check_later(q, t, c);
		anvil_prom_check(d, t, c);
	}
	anvil_prom_test(d, t, 0);
	anvil_prom_test(a, t, 0);
	assert_true(straight.buf.len > 0);  /* written as they came */
	anvil_prom_checks(b, q);
	anvil_prom_checks(b, q);  /* emptied by the first: adds nothing */
	anvil_prom_test(b, t, 0);
	anvil_prom_finish(a, report, &now);
	anvil_prom_finish(b, report, &later);
	anvil_prom_finish(d, report, &straight);
	assert_string_equal(strbuf_str(&later.buf), strbuf_str(&now.buf));
	assert_string_equal(strbuf_str(&straight.buf), strbuf_str(&now.buf));
	if (parse(strbuf_str(&now.buf), P))
		fail_msg("%s", P->err);
	parsed_release(P);
	/* the repeated line without a rank is dropped; with one it is told apart */
	assert_int_equal(count_of(strbuf_str(&now.buf), "anvil_check_status{test=\"t\\\"x\",check=\"bw\",rule=\"peak\",host=\"n1\"}"), 1);
	assert_int_equal(count_of(strbuf_str(&now.buf), "host=\"n1\",rank=\"3\"} 3"), 1);
	assert_int_equal(count_of(strbuf_str(&now.buf), "host=\"n\\\"2\",label_gpu_id=\"1\"} 5"), 1);
	anvil_prom_later_free(q);
	strbuf_release(&now.buf);
	strbuf_release(&later.buf);
	strbuf_release(&straight.buf);
	cJSON_Delete(t);
	cJSON_Delete(checks);
	cJSON_Delete(report);
}

/* A test's worth of check lines, far past what a queue keeps in memory
 * (256 KiB), comes out as the lines made at once do: set aside in a
 * temporary file and copied into metrics.prom in order, and through a
 * buffer where there is no file. Two tests: the second's repeated series
 * are told apart within it only. */
static void test_checks_later_spilled(void **state)
{
	(void)state;
	char dir[] = "/tmp/anvil-prom-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	cJSON *report = cJSON_Parse("{\"verdict\": \"PASS\", \"exit_code\": 0, \"summary\": {}, \"run\": {}}");
	struct anvil_outfile now, file, buffered;
	char err[256];
	anvil_outfile_buffer(&now);
	anvil_outfile_buffer(&buffered);
	assert_int_equal(anvil_outfile_open(&file, dir, "metrics.prom", err, sizeof(err)), 0);
	struct anvil_prom *a = anvil_prom_new(), *b = anvil_prom_new(), *d = anvil_prom_new();
	anvil_prom_checks_to(b, &file);
	for (int k = 0; k < 2; k++) {
		char json[128];
		snprintf(json, sizeof(json), "{\"id\": \"t%d\", \"verdict\": \"PASS\", \"duration_s\": 1}", k);
		cJSON *t = cJSON_Parse(json);
		struct anvil_prom_later *qb = anvil_prom_later_new(), *qd = anvil_prom_later_new();
		for (int i = 0; i < 6000; i++) {
			snprintf(json, sizeof(json), "{\"name\": \"bw\", \"rule\": \"peers\", \"host\": \"node%04d\", \"rank\": %d, \"verdict\": \"%s\"}",
				 i % 5000, i, i % 7 ? "PASS" : "FAIL");
			cJSON *c = cJSON_Parse(json);
			anvil_prom_check(a, t, c);
			anvil_prom_check_later(qb, t, c);
			anvil_prom_check_later(qd, t, c);
			cJSON_Delete(c);
		}
		anvil_prom_test(a, t, 0);
		anvil_prom_checks(b, qb);
		anvil_prom_test(b, t, 0);
		anvil_prom_checks(d, qd);
		anvil_prom_test(d, t, 0);
		anvil_prom_later_free(qb);
		anvil_prom_later_free(qd);
		cJSON_Delete(t);
	}
	anvil_prom_finish(a, report, &now);
	anvil_prom_finish(b, report, &file);
	anvil_prom_finish(d, report, &buffered);
	assert_true(now.buf.len > ((size_t)2 * 300 << 10));  /* each test's lines past 256 KiB */
	assert_int_equal(anvil_outfile_commit(&file, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/metrics.prom", dir);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *got = calloc(now.buf.len + 2, 1);
	size_t n = fread(got, 1, now.buf.len + 1, f);
	fclose(f);
	assert_int_equal(n, now.buf.len);
	assert_memory_equal(got, now.buf.buf, n);
	assert_string_equal(strbuf_str(&buffered.buf), strbuf_str(&now.buf));
	/* node0000-0999 twice in each test: the second told apart by its rank */
	assert_int_equal(count_of(now.buf.buf, "test=\"t1\",check=\"bw\",rule=\"peers\",host=\"node0001\"} 0"), 1);
	assert_int_equal(count_of(now.buf.buf, "test=\"t1\",check=\"bw\",rule=\"peers\",host=\"node0001\",rank=\"5001\"} 0"), 1);
	free(got);
	unlink(path);
	rmdir(dir);
	strbuf_release(&now.buf);
	strbuf_release(&buffered.buf);
	cJSON_Delete(report);
}

int main(void)
{
	static struct parsed p;
	P = &p;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parser_refuses),
		cmocka_unit_test(test_metrics_prom),
		cmocka_unit_test(test_checks_later),
		cmocka_unit_test(test_checks_later_spilled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
