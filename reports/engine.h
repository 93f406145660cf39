/*
 * The report engine, one test at a time. anvil_report_build (report.h) runs
 * it over every test and keeps the whole tree; anvil_report_run (report.c)
 * writes each test out as soon as it is judged and keeps only what the HTML
 * and the table need, so a run of thousands of GPUs is reported in bounded
 * memory.
 */
#ifndef ANVIL_ENGINE_H
#define ANVIL_ENGINE_H
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "reports/report.h"

struct anvil_jsource;
struct anvil_baseline;

struct anvil_engine_opts {
	const cJSON *profile;          /* judge with this (borrowed); NULL: the run's own */
	const char *hardware_dir;      /* datasheets */
	const char *run_dir;           /* for the report's run.dir */
	struct anvil_baseline *base;   /* compare each test with it (borrowed); NULL: none */
	const char *today;             /* "YYYY-MM-DD" (UTC) for waivers; NULL: today */
};

struct anvil_engine;

/* Reads the run's own records (start, parts, inventory, notes) from src
 * (borrowed). NULL with err when the journal has no run start record. */
struct anvil_engine *anvil_engine_new(struct anvil_jsource *src, const struct anvil_engine_opts *o,
				      char *err, size_t errlen);
void anvil_engine_free(struct anvil_engine *e);

/* The report tree's head: schema, generated, anvil_version, run, notes and
 * an empty "tests" array; the caller owns it. */
cJSON *anvil_engine_head(struct anvil_engine *e);
/* The profile the tests are judged by (borrowed). */
const cJSON *anvil_engine_profile(const struct anvil_engine *e);

/* How many tests the report has, in its order (the plan's, then the journal's). */
size_t anvil_engine_ntests(const struct anvil_engine *e);
/* Test i gathered and judged (rules, runner checks, status, baseline,
 * waivers, verdict); the caller owns it. Its checks count towards the
 * summary. NULL with err when its records cannot be read. */
cJSON *anvil_engine_test(struct anvil_engine *e, size_t i, char *err, size_t errlen);
/* anvil_engine_test in two steps. Test i's records read back from the
 * journal (an array, empty for a test with none), or NULL with err: this
 * reads only what judging leaves alone, so one thread may read test j's
 * while another judges test i. Then test i gathered from recs (taken) and
 * judged, on the thread that judges every test. */
cJSON *anvil_engine_records(const struct anvil_engine *e, size_t i, char *err, size_t errlen);
cJSON *anvil_engine_judge(struct anvil_engine *e, size_t i, cJSON *recs);
/* How large test i's records are (anvil_jsource_test_bytes; 0 for none). */
uint64_t anvil_engine_records_bytes(const struct anvil_engine *e, size_t i);

/* Where each check goes as soon as it is final (judged and waived), so that
 * a test of a hundred thousand checks never holds them all: keep() says
 * whether it stays in the test's tree (on the judging thread, in order),
 * write() writes it out, on a thread of the engine's while the test is
 * judged on (in order; t stands for the test, its "id" only). Tests of
 * node pairs keep every check (reports/pairwise.c reworks them). A test
 * whose checks went through the sink gets "check_counts" (checks per
 * verdict, all of them) from the engine. */
struct anvil_engine_sink {
	int (*keep)(void *arg, enum anvil_verdict v);
	void (*write)(void *arg, const cJSON *t, const cJSON *check);
	void *arg;
};
void anvil_engine_set_sink(struct anvil_engine *e, const struct anvil_engine_sink *sink);
/* The checks handed to the sink so far, as a mark; waits until the checks
 * handed before a mark are written (those of a test judged before it was
 * taken, before the test is written out). */
uint64_t anvil_engine_sink_mark(struct anvil_engine *e);
void anvil_engine_sink_wait(struct anvil_engine *e, uint64_t mark);
/* Did test t's checks go through the sink? */
int anvil_engine_sunk(const cJSON *t);

/* After the tests: summary, verdict and exit_code from every test judged. */
void anvil_engine_summary(const struct anvil_engine *e, cJSON *report);
/* The "waivers" section (NULL when the profile has none). */
cJSON *anvil_engine_waivers(const struct anvil_engine *e);
/* The node inventories (host -> inventory); the caller owns it and the engine forgets it. */
cJSON *anvil_engine_take_inventory(struct anvil_engine *e);
/* The inventories, borrowed (NULL once taken). */
const cJSON *anvil_engine_inventory(const struct anvil_engine *e);

/* Every test of src judged into one tree (what anvil_report_build does with
 * an array of records). */
cJSON *anvil_report_build_from(struct anvil_jsource *src, const struct anvil_engine_opts *o,
			       char *err, size_t errlen);

#endif
