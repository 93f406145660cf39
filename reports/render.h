/* The renderings of the report written one test at a time (report.c streams
 * them while the engine judges); the whole-tree functions of report.h loop
 * over these. */
#ifndef ANVIL_RENDER_H
#define ANVIL_RENDER_H
#include <cjson/cJSON.h>
#include "reports/outfile.h"

/* junit.xml: <testsuites>, one <testsuite> per test, one <testcase> per
 * check, in the form of the Ant/Jenkins JUnit schema (tests/data/junit.xsd). */
struct anvil_junit {
	int next_id;
	char timestamp[32];      /* the run's start, YYYY-MM-DDTHH:MM:SS (no zone, as the schema wants) */
	char hostname[256];      /* the first host of the run, or localhost */
	char package[160];       /* anvil.<profile> */
};
void anvil_junit_begin(struct anvil_junit *j, const cJSON *report, struct anvil_outfile *o);
void anvil_junit_suite(struct anvil_junit *j, const cJSON *t, struct anvil_outfile *o);
/* The same in pieces, for checks written as they come: the suite's opening
 * (counts: checks per verdict), one testcase, one line of its system-out.
 * The caller writes the testcases, then "    <system-out>", the lines, and
 * "</system-out>\n    <system-err></system-err>\n  </testsuite>\n". */
void anvil_junit_head(struct anvil_junit *j, const cJSON *t, const int *counts, struct anvil_outfile *o);
void anvil_junit_case(struct strbuf *sb, const cJSON *t, const cJSON *c);
void anvil_junit_outline(struct strbuf *sb, const cJSON *c);
void anvil_junit_end(struct anvil_junit *j, struct anvil_outfile *o);

/* metrics.prom: the samples of each family are gathered test by test and
 * written family by family at the end (the format wants each family's
 * lines together). */
struct anvil_prom;
struct anvil_prom *anvil_prom_new(void);
/* A test's figures, its verdict and duration, and with checks its checks
 * (a repeated series is looked for within the test: every line carries its
 * test label). In two parts, which may run on two threads at once (they
 * write other families): the figures, verdict and duration; the checks in
 * the tree (or, for checks written as they came, anvil_prom_checks). */
void anvil_prom_test(struct anvil_prom *p, const cJSON *t, int checks);
void anvil_prom_test_figures(struct anvil_prom *p, const cJSON *t);
void anvil_prom_test_checks(struct anvil_prom *p, const cJSON *t);
/* One check of test t (for checks written as they come). */
void anvil_prom_check(struct anvil_prom *p, const cJSON *t, const cJSON *c);
/* The same in two steps, for a check made while the test before its test
 * is still being written out: its line made into q (on whichever thread
 * judges), then q's lines given their place (and q emptied), in order,
 * when its test is written. q holds one test's lines at a time, in memory
 * up to 256 KiB and then in a temporary file (struct anvil_spill). */
struct anvil_prom_later;
struct anvil_prom_later *anvil_prom_later_new(void);
void anvil_prom_later_free(struct anvil_prom_later *q);
void anvil_prom_check_later(struct anvil_prom_later *q, const cJSON *t, const cJSON *c);
void anvil_prom_checks(struct anvil_prom *p, struct anvil_prom_later *q);
/* The check family (written first) goes straight to o, the outfile that
 * anvil_prom_finish will be given, as its lines come. */
void anvil_prom_checks_to(struct anvil_prom *p, struct anvil_outfile *o);
/* Writes every family, and the run's (from the report's summary, verdict,
 * exit code and run), then frees p. */
void anvil_prom_finish(struct anvil_prom *p, const cJSON *report, struct anvil_outfile *o);

/* The report tree the HTML and the table are drawn from, one test at a
 * time: a test of more than ANVIL_VIEW_MAX_CHECKS checks (or figures, series,
 * info records) keeps its failing items and a sample, the counts of what it
 * left out in "abridged", and always "check_counts" (checks per verdict) and
 * "fleet" (per figure: the distribution over nodes and GPUs). Series rows and
 * info kept are trees again (the engine hands them over as text). */
#define ANVIL_VIEW_MAX_CHECKS 4096
#define ANVIL_VIEW_MAX_METRICS 4096
#define ANVIL_VIEW_MAX_SERIES 256
#define ANVIL_VIEW_MAX_INFO 256
void anvil_view_test(cJSON *t);
/* Test t's checks per verdict into n[ANVIL_V_FAIL + 1]: from its
 * "check_counts" where it has them (a view keeps only some of its checks),
 * else counted from its checks. */
void anvil_view_verdict_counts(const cJSON *t, int *n);
/* Test t's "check_counts" (checks per verdict), counted from its checks
 * and added where it has none. */
const cJSON *anvil_view_check_counts(cJSON *t);
/* The same in two steps: what only reads the test (its figures and their
 * fleet), which may run while other threads still read it too, then the
 * rest, which takes p. */
struct anvil_view_prep;
struct anvil_view_prep *anvil_view_prepare(const cJSON *t);
void anvil_view_test_prepared(cJSON *t, struct anvil_view_prep *p);

#endif
