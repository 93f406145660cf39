/* junit.xml: one <testsuite> per test, one <testcase> per check, valid
 * against the Ant/Jenkins JUnit schema (tests/data/junit.xsd): every suite
 * has name, timestamp, hostname, tests, failures, errors, time, and in
 * <testsuites> id and package; <properties>, <system-out> and <system-err>
 * are present; a testcase holds at most one of failure, error, skipped.
 * FAIL is a failure; ERROR and NOT RUN are errors; SKIP and WAIVED are
 * skipped; WARN passes (its sentence is in the suite's system-out, with
 * every other check's). */
#include "reports/report.h"
#include "common/fmt.h"
#include "reports/render.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "reports/jget.h"

static const char *s(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(anvil_jget(o, k));
	return v ? v : "";
}

/* "2026-11-21T12:00:00Z" -> "2026-11-21T12:00:00": the schema's dateTime has no zone. */
static void schema_time(const char *iso, char *out, size_t len)
{
	anvil_fmt(out, len, "%.19s", iso && strlen(iso) >= 19 ? iso : "1970-01-01T00:00:00");
}

static void attr(struct strbuf *sb, const char *name, const char *value)
{
	strbuf_addf(sb, " %s=\"", name);
	strbuf_add_xml(sb, value);
	strbuf_addch(sb, '"');
}

void anvil_junit_begin(struct anvil_junit *j, const cJSON *report, struct anvil_outfile *o)
{
	const cJSON *run = anvil_jget(report, "run");
	const cJSON *part = cJSON_GetArrayItem(anvil_jget(run, "parts"), 0);
	const char *host = cJSON_GetStringValue(cJSON_GetArrayItem(anvil_jget(part, "hosts"), 0));
	memset(j, 0, sizeof(*j));
	schema_time(*s(part, "started") ? s(part, "started") : s(report, "generated"), j->timestamp, sizeof(j->timestamp));
	anvil_fmt(j->hostname, sizeof(j->hostname), "%s", host && *host ? host : "localhost");
	anvil_fmt(j->package, sizeof(j->package), "anvil.%s", *s(run, "profile") ? s(run, "profile") : "run");
	strbuf_adds(&o->buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
}

void anvil_junit_case(struct strbuf *sb, const cJSON *t, const cJSON *c)
{
	const char *v = s(c, "verdict");
	strbuf_adds(sb, "    <testcase");
	attr(sb, "name", *s(c, "id") ? s(c, "id") : "check");
	strbuf_adds(sb, " classname=\"anvil.");
	strbuf_add_xml(sb, s(t, "id"));
	strbuf_adds(sb, "\" time=\"0\"");
	const char *elem = NULL, *type = NULL;
	if (!strcmp(v, "FAIL"))
		elem = "failure", type = "acceptance";
	else if (!strcmp(v, "ERROR"))
		elem = "error", type = "harness";
	else if (!strcmp(v, "NOT RUN"))
		elem = "error", type = "not-run";
	else if (!strcmp(v, "SKIP") || !strcmp(v, "WAIVED"))
		elem = "skipped";
	if (!elem) {
		strbuf_adds(sb, "/>\n");
		return;
	}
	strbuf_addf(sb, ">\n      <%s", elem);
	if (type)
		attr(sb, "type", type);
	attr(sb, "message", s(c, "why"));
	strbuf_addch(sb, '>');
	strbuf_add_xml(sb, v);
	strbuf_adds(sb, ": ");
	strbuf_add_xml(sb, *s(c, "detail") ? s(c, "detail") : s(c, "why"));
	strbuf_addf(sb, "</%s>\n    </testcase>\n", elem);
}

void anvil_junit_outline(struct strbuf *sb, const cJSON *c)
{
	strbuf_add_xml(sb, s(c, "verdict"));
	strbuf_addch(sb, ' ');
	strbuf_add_xml(sb, s(c, "id"));
	strbuf_adds(sb, ": ");
	strbuf_add_xml(sb, s(c, "why"));
	strbuf_addch(sb, '\n');
}

void anvil_junit_head(struct anvil_junit *j, const cJSON *t, const int *counts, struct anvil_outfile *o)
{
	struct strbuf *sb = &o->buf;
	int n = 0;
	for (int v = ANVIL_V_PASS; v <= ANVIL_V_FAIL; v++)
		n += counts[v];
	double d = cJSON_GetNumberValue(anvil_jget(t, "duration_s"));
	char stamp[32];
	schema_time(*s(t, "started") ? s(t, "started") : j->timestamp, stamp, sizeof(stamp));
	strbuf_adds(sb, "  <testsuite");
	attr(sb, "name", *s(t, "id") ? s(t, "id") : "test");
	strbuf_addf(sb, " id=\"%d\"", j->next_id++);
	attr(sb, "package", j->package);
	attr(sb, "timestamp", stamp);
	attr(sb, "hostname", j->hostname);
	strbuf_addf(sb, " tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
		    n, counts[ANVIL_V_FAIL], counts[ANVIL_V_ERROR] + counts[ANVIL_V_NOT_RUN],
		    counts[ANVIL_V_SKIP] + counts[ANVIL_V_WAIVED], isfinite(d) && d >= 0 ? d : 0.0);
	strbuf_adds(sb, "    <properties>\n");
	static const char *const props[] = { "runner", "status", "verdict", "scope" };
	for (size_t i = 0; i < sizeof(props) / sizeof(*props); i++) {
		if (!*s(t, props[i]))
			continue;
		strbuf_adds(sb, "      <property");
		attr(sb, "name", props[i]);
		attr(sb, "value", s(t, props[i]));
		strbuf_adds(sb, "/>\n");
	}
	strbuf_adds(sb, "    </properties>\n");
}

void anvil_junit_suite(struct anvil_junit *j, const cJSON *t, struct anvil_outfile *o)
{
	const cJSON *checks = anvil_jget(t, "checks"), *c;
	struct strbuf *sb = &o->buf;
	int counts[ANVIL_V_FAIL + 1] = { 0 };
	cJSON_ArrayForEach(c, checks)
		counts[anvil_verdict_parse(s(c, "verdict"))]++;
	anvil_junit_head(j, t, counts, o);
	cJSON_ArrayForEach(c, checks) {
		anvil_junit_case(sb, t, c);
		anvil_outfile_flush(o, 0);
	}
	strbuf_adds(sb, "    <system-out>");
	cJSON_ArrayForEach(c, checks) {
		anvil_junit_outline(sb, c);
		anvil_outfile_flush(o, 0);
	}
	strbuf_adds(sb, "</system-out>\n    <system-err></system-err>\n  </testsuite>\n");
}

void anvil_junit_end(struct anvil_junit *j, struct anvil_outfile *o)
{
	(void)j;
	strbuf_adds(&o->buf, "</testsuites>\n");
}

void anvil_report_junit(const cJSON *report, struct strbuf *out)
{
	struct anvil_outfile o;
	struct anvil_junit j;
	const cJSON *t;
	anvil_outfile_buffer(&o);
	o.buf = *out;
	anvil_junit_begin(&j, report, &o);
	cJSON_ArrayForEach(t, anvil_jget(report, "tests"))
		anvil_junit_suite(&j, t, &o);
	anvil_junit_end(&j, &o);
	*out = o.buf;
}
