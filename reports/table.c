/* The verdict table printed at the end of a run and by anvil report. It reads
 * the full tree or the view (render.h), whose tests keep every failing check
 * and count the rest in "check_counts". */
#include "reports/report.h"
#include "reports/ops.h"
#include "reports/render.h"
#include <stdlib.h>
#include <string.h>

static const char *s(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
	return v ? v : "";
}

/* Checks in all, and skipped (render.h: from check_counts where the view has it). */
static void counts(const cJSON *t, int *n, int *skipped)
{
	int by[ANVIL_V_FAIL + 1];
	anvil_view_verdict_counts(t, by);
	*n = 0;
	for (int v = 0; v <= ANVIL_V_FAIL; v++)
		*n += by[v];
	*skipped = by[ANVIL_V_SKIP];
}

void anvil_report_table(const cJSON *report, FILE *out)
{
	const cJSON *t, *c;
	fprintf(out, "\n%-20s %-8s %s\n", "TEST", "VERDICT", "WHY (the worst check)");
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(report, "tests")) {
		const char *v = s(t, "verdict");
		const cJSON *worst = NULL;
		int n, skipped;
		counts(t, &n, &skipped);
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "checks")) {
			if (!strcmp(s(c, "verdict"), v)) {
				worst = c;
				break;
			}
		}
		char line[400];
		if (worst && strcmp(v, "PASS")) {
			/* every node with this verdict, in hostlist form */
			int k;
			char *hosts = anvil_ops_hosts_of(cJSON_GetObjectItemCaseSensitive(t, "checks"), v, &k);
			if (k > 1 && *hosts)
				snprintf(line, sizeof(line), "%.200s: %d checks; %s%s", hosts, k, s(worst, "host"),
					 s(worst, "host")[0] ? ": " : "");
			else
				snprintf(line, sizeof(line), "%.200s%s", hosts, *hosts ? ": " : "");
			free(hosts);
		} else if (skipped)
			snprintf(line, sizeof(line), "%d check(s) passed, %d skipped (see the report)", n - skipped, skipped);
		else
			snprintf(line, sizeof(line), "%d check(s) passed", n);
		fprintf(out, "%-20s %-8s %s%.300s\n", s(t, "id"), v, line,
			worst && strcmp(v, "PASS") ? s(worst, "why") : "");
	}
	const cJSON *sum = cJSON_GetObjectItemCaseSensitive(report, "summary");
	fprintf(out, "\nverdict: %s  (", s(report, "verdict"));
	int first = 1;
	cJSON_ArrayForEach(c, sum) {
		if (c->valueint) {
			fprintf(out, "%s%d %s", first ? "" : ", ", c->valueint, c->string);
			first = 0;
		}
	}
	fprintf(out, "%s)\n", first ? "no checks" : "");
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(report, "baseline");
	if (b)
		fprintf(out, "baseline %s: %d regression(s), %d within the noise\n", s(b, "source"),
			(int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(b, "regressions")),
			(int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(b, "warnings")));
}
