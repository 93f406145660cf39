/*
 * The report stage: journal → one report tree (the content of report.json)
 * → renderings (JSON, HTML, JUnit, Prometheus, the terminal table).
 * Measuring and judging are separate: nothing here runs a test.
 */
#ifndef ANVIL_REPORT_H
#define ANVIL_REPORT_H
#include <stdio.h>
#include <cjson/cJSON.h>
#include "common/strbuf.h"

#define ANVIL_REPORT_SCHEMA "anvil-report/1"

/* Verdicts, worst last; the order decides a test's and the run's verdict. */
enum anvil_verdict {
	ANVIL_V_PASS, ANVIL_V_SKIP, ANVIL_V_WAIVED, ANVIL_V_WARN, ANVIL_V_NOT_RUN,
	ANVIL_V_ERROR, ANVIL_V_FAIL,
};
const char *anvil_verdict_name(enum anvil_verdict v);
enum anvil_verdict anvil_verdict_parse(const char *s);

struct anvil_report_opts {
	const char *profile;    /* judge with this profile instead of the run's; NULL: the run's */
	const char *baseline;   /* a run dir or report.json to compare with; NULL: none */
	FILE *out;              /* where the verdict table goes; NULL: nowhere */
};

/* Builds every output in dir from its journal and prints the verdict table.
 * Returns the exit code (0 pass, 1 fail, 3 harness error or incomplete),
 * or -1 with err set when the report could not be made (2 is the caller's). */
int anvil_report_run(const char *dir, const struct anvil_report_opts *o, char *err, size_t errlen);

/* The pure core, for tests: records (the journal) + the profile to judge by
 * (NULL: the run's own) + datasheets dir → the report tree. */
cJSON *anvil_report_build(const cJSON *records, const cJSON *profile, const char *hardware_dir,
			  const char *run_dir, int torn_tail, long torn_line, char *err, size_t errlen);

/* A run directory (its journal, judged by its own profile) or a report.json,
 * as a tree; NULL with err. */
cJSON *anvil_report_load(const char *path, char *err, size_t errlen);

/* Renderings of the tree. */
void anvil_report_junit(const cJSON *report, struct strbuf *out);
void anvil_report_html(const cJSON *report, struct strbuf *out);
/* The same, with the section of test i already drawn in sections[i] (for
 * i < nsections, where not empty) by anvil_html_test_section from that
 * test's whole view, which anvil_html_drop_section_only may then have cut
 * down to what the rest of the page and the table read; and the inventory's
 * section already drawn by anvil_html_inventory (NULL: drawn here). */
void anvil_report_html_parts(const cJSON *report, const struct strbuf *sections, size_t nsections,
			     const struct strbuf *inventory, struct strbuf *out);
/* Test t's section of the page: t is the index-th test; profile the run's. */
void anvil_html_test_section(struct strbuf *out, const cJSON *t, int index, const cJSON *profile);
/* Drops from a test's view what only its section of the page reads
 * (metrics, series, info, fleet, matrix). */
void anvil_html_drop_section_only(cJSON *t);
void anvil_report_prom(const cJSON *report, struct strbuf *out);
void anvil_report_table(const cJSON *report, FILE *out);
int anvil_report_exit_code(const cJSON *report);
/* (Re)computes each test's verdict from its checks, the summary, the run's verdict and exit code. */
void anvil_report_summarise(cJSON *report);

#endif
