/* metrics.prom: Prometheus text exposition format for node_exporter's
 * textfile collector. Gauges only; every figure and verdict as a label set. */
#include "reports/report.h"
#include <ctype.h>
#include <math.h>
#include <string.h>

static const char *s(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
	return v ? v : "";
}

/* Label values: backslash, double quote and newline escaped, as the format says. */
static void label_value(struct strbuf *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\') strbuf_adds(out, "\\\\");
		else if (*v == '"') strbuf_adds(out, "\\\"");
		else if (*v == '\n') strbuf_adds(out, "\\n");
		else strbuf_addch(out, *v);
	}
}

static void label(struct strbuf *out, const char *name, const char *v, int *first)
{
	strbuf_adds(out, *first ? "{" : ",");
	*first = 0;
	/* label names: [a-zA-Z_][a-zA-Z0-9_]* */
	if (!isalpha((unsigned char)*name) && *name != '_')
		strbuf_addch(out, '_');
	for (const char *c = name; *c; c++)
		strbuf_addch(out, isalnum((unsigned char)*c) ? *c : '_');
	strbuf_adds(out, "=\"");
	label_value(out, v);
	strbuf_addch(out, '"');
}

static void extra_labels(struct strbuf *out, const cJSON *labels, int *first)
{
	const cJSON *l;
	cJSON_ArrayForEach(l, labels) {
		if (!cJSON_IsString(l))
			continue;
		char name[80];
		snprintf(name, sizeof(name), "label_%s", l->string);
		label(out, name, l->valuestring, first);
	}
}

static void number(struct strbuf *out, double v)
{
	if (isnan(v)) strbuf_adds(out, " NaN\n");
	else if (isinf(v)) strbuf_adds(out, v > 0 ? " +Inf\n" : " -Inf\n");
	else strbuf_addf(out, " %.17g\n", v);
}

void anvil_report_prom(const cJSON *report, struct strbuf *out)
{
	const cJSON *tests = cJSON_GetObjectItemCaseSensitive(report, "tests"), *t, *m, *c;
	static const char *const verdicts[] = { "PASS", "WARN", "FAIL", "SKIP", "WAIVED", "NOT RUN", "ERROR" };
	int first;
	strbuf_adds(out, "# HELP anvil_measurement A figure anvil measured (unit in the unit label).\n"
			 "# TYPE anvil_measurement gauge\n");
	cJSON_ArrayForEach(t, tests) {
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(t, "metrics")) {
			first = 1;
			strbuf_adds(out, "anvil_measurement");
			label(out, "test", s(t, "id"), &first);
			label(out, "metric", s(m, "name"), &first);
			label(out, "host", s(m, "host"), &first);
			label(out, "unit", s(m, "unit"), &first);
			extra_labels(out, cJSON_GetObjectItemCaseSensitive(m, "labels"), &first);
			strbuf_addch(out, '}');
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "value");
			number(out, cJSON_IsNumber(v) ? v->valuedouble : NAN);
		}
	}
	strbuf_adds(out, "# HELP anvil_check_verdict 1 for the check's verdict, 0 for the others.\n"
			 "# TYPE anvil_check_verdict gauge\n");
	cJSON_ArrayForEach(t, tests) {
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "checks")) {
			for (size_t i = 0; i < sizeof(verdicts) / sizeof(*verdicts); i++) {
				first = 1;
				strbuf_adds(out, "anvil_check_verdict");
				label(out, "test", s(t, "id"), &first);
				label(out, "check", s(c, "id"), &first);
				label(out, "host", s(c, "host"), &first);
				label(out, "verdict", verdicts[i], &first);
				strbuf_addf(out, "} %d\n", !strcmp(s(c, "verdict"), verdicts[i]));
			}
		}
	}
	strbuf_adds(out, "# HELP anvil_test_duration_seconds How long each test ran.\n"
			 "# TYPE anvil_test_duration_seconds gauge\n");
	cJSON_ArrayForEach(t, tests) {
		first = 1;
		strbuf_adds(out, "anvil_test_duration_seconds");
		label(out, "test", s(t, "id"), &first);
		label(out, "verdict", s(t, "verdict"), &first);
		strbuf_addch(out, '}');
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(t, "duration_s");
		number(out, cJSON_IsNumber(d) ? d->valuedouble : NAN);
	}
	strbuf_adds(out, "# HELP anvil_run_exit_code The exit code of the run's verdict (0 pass, 1 fail, 3 error).\n"
			 "# TYPE anvil_run_exit_code gauge\n");
	first = 1;
	strbuf_adds(out, "anvil_run_exit_code");
	label(out, "verdict", s(report, "verdict"), &first);
	label(out, "profile", s(cJSON_GetObjectItemCaseSensitive(report, "run"), "profile"), &first);
	strbuf_addf(out, "} %d\n", (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(report, "exit_code")));
}
