/*
 * Regression against a baseline run: every figure with a direction (higher
 * or lower is better) compared with the same figure (test, name, host,
 * labels) of the baseline. A change for the worse counts as a regression
 * (FAIL) when it exceeds both the tolerance (a fraction of the baseline
 * value) and k times the spread of the repeated samples, where the runner
 * recorded them ("stddev" or "samples" on the metric, in either run); a
 * change beyond the tolerance but within the noise is WARN.
 *
 * The profile's "baseline": {"tolerance": 0.05, "k": 3,
 *                            "metrics": {"test/metric": 0.1, ...}}.
 */
#ifndef ANVIL_BASELINE_H
#define ANVIL_BASELINE_H
#include <stddef.h>
#include <cjson/cJSON.h>

#define ANVIL_BASELINE_TOLERANCE 0.05
#define ANVIL_BASELINE_K 3.0

struct anvil_baseline;

/* The figures of an earlier report tree (borrowed only during the call). */
struct anvil_baseline *anvil_baseline_from_report(const cJSON *report, const char *source);
/* The figures of an earlier run: its directory (read from its journal) or
 * its report.json, read without building the whole tree. */
struct anvil_baseline *anvil_baseline_load(const char *path, char *err, size_t errlen);
void anvil_baseline_free(struct anvil_baseline *b);
/* Keep every row as a tree for anvil_baseline_section (the default keeps
 * only the rows that are not PASS, and at most 2000 of those). */
void anvil_baseline_keep_all(struct anvil_baseline *b);

/* Compares test t (its metrics) with the baseline: adds a "baseline" check
 * per figure to t's checks and a row to the section. */
void anvil_baseline_test(struct anvil_baseline *b, cJSON *t, const cJSON *profile);

/* The "baseline" section: source, generated, rows (before, after, change,
 * verdict per figure), regressions, warnings, and the baseline's figures this
 * run lacks. With raw_rows, "rows" holds every row (as JSON text, for the
 * report.json writer); else the rows kept (see anvil_baseline_keep_all). */
cJSON *anvil_baseline_section(const struct anvil_baseline *b, int raw_rows);
long anvil_baseline_regressions(const struct anvil_baseline *b);

/* The whole report at once: anvil_baseline_test on every test, then the
 * section (every row kept). The caller re-summarises the report. */
void anvil_baseline_compare(cJSON *report, const cJSON *base, const char *source, const cJSON *profile);

/* The spread of a figure's repeated samples: its "stddev", else the sample
 * standard deviation of its "samples"; NAN when it has neither. */
double anvil_metric_spread(const cJSON *m);

#endif
