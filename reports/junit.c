/* junit.xml: one testsuite per test, one testcase per check. */
#include "reports/report.h"
#include <math.h>
#include <string.h>

static const char *s(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
	return v ? v : "";
}

static void testcase(struct strbuf *out, const cJSON *t, const cJSON *c)
{
	const char *v = s(c, "verdict");
	strbuf_adds(out, "    <testcase classname=\"anvil.");
	strbuf_add_xml(out, s(t, "id"));
	strbuf_adds(out, "\" name=\"");
	strbuf_add_xml(out, s(c, "id"));
	strbuf_adds(out, "\" time=\"0\">\n");
	if (!strcmp(v, "FAIL")) {
		strbuf_adds(out, "      <failure type=\"acceptance\" message=\"");
		strbuf_add_xml(out, s(c, "why"));
		strbuf_adds(out, "\"/>\n");
	} else if (!strcmp(v, "ERROR") || !strcmp(v, "NOT RUN")) {
		strbuf_addf(out, "      <error type=\"%s\" message=\"", !strcmp(v, "ERROR") ? "harness" : "not-run");
		strbuf_add_xml(out, s(c, "why"));
		strbuf_adds(out, "\"/>\n");
	} else if (!strcmp(v, "SKIP") || !strcmp(v, "WAIVED")) {
		strbuf_adds(out, "      <skipped message=\"");
		strbuf_add_xml(out, s(c, "why"));
		strbuf_adds(out, "\"/>\n");
	}
	strbuf_adds(out, "      <system-out>");
	strbuf_add_xml(out, v);
	strbuf_adds(out, ": ");
	strbuf_add_xml(out, s(c, "why"));
	strbuf_adds(out, "</system-out>\n    </testcase>\n");
}

void anvil_report_junit(const cJSON *report, struct strbuf *out)
{
	const cJSON *tests = cJSON_GetObjectItemCaseSensitive(report, "tests"), *t, *c;
	int all = 0, fail = 0, err = 0, skip = 0;
	cJSON_ArrayForEach(t, tests) {
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "checks")) {
			const char *v = s(c, "verdict");
			all++;
			fail += !strcmp(v, "FAIL");
			err += !strcmp(v, "ERROR") || !strcmp(v, "NOT RUN");
			skip += !strcmp(v, "SKIP") || !strcmp(v, "WAIVED");
		}
	}
	strbuf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	strbuf_addf(out, "<testsuites name=\"anvil\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\">\n",
		    all, fail, err, skip);
	cJSON_ArrayForEach(t, tests) {
		const cJSON *checks = cJSON_GetObjectItemCaseSensitive(t, "checks");
		int n = 0, f = 0, e = 0, sk = 0;
		cJSON_ArrayForEach(c, checks) {
			const char *v = s(c, "verdict");
			n++;
			f += !strcmp(v, "FAIL");
			e += !strcmp(v, "ERROR") || !strcmp(v, "NOT RUN");
			sk += !strcmp(v, "SKIP") || !strcmp(v, "WAIVED");
		}
		double d = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(t, "duration_s"));
		strbuf_adds(out, "  <testsuite name=\"");
		strbuf_add_xml(out, s(t, "id"));
		strbuf_addf(out, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
			    n, f, e, sk, isfinite(d) ? d : 0.0);
		cJSON_ArrayForEach(c, checks)
			testcase(out, t, c);
		strbuf_adds(out, "  </testsuite>\n");
	}
	strbuf_adds(out, "</testsuites>\n");
}
