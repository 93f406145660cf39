/*
 * The monitor: a thread on rank 0 that shows progress (a live line on a
 * terminal, plain log lines otherwise) and enforces each test's timeout.
 * Runners see the timeout as their deadline (anvil_ctx_time_left); a test
 * that returns past it on every rank is recorded as "timeout" by the
 * dispatcher and the run goes on. A test still running past its timeout
 * plus anvil_monitor_grace() has a rank that will not return: the monitor
 * records "timeout" in the journal before anything else happens, writes the
 * report, and ends the process (exit 3); the journal is intact and
 * `anvil run --resume` goes on from the next test.
 */
#ifndef ANVIL_MONITOR_H
#define ANVIL_MONITOR_H
#include <stdio.h>
#include "common/journal.h"

struct anvil_monitor;

/* journal is borrowed; appends to it must go through anvil_monitor_append.
 * dir is the run directory (copied), where a hard timeout writes the report. */
struct anvil_monitor *anvil_monitor_start(struct anvil_journal *j, const char *dir, int ntests, FILE *out);
/* How long past its timeout a test may take before the job is ended:
 * 10 s + 10% of the timeout. */
double anvil_monitor_grace(double timeout_s);
void anvil_monitor_stop(struct anvil_monitor *m);
/* A test begins: index (0-based), its id, timeout, and the estimate of what is left after it. */
void anvil_monitor_begin(struct anvil_monitor *m, int index, const char *id, double timeout_s,
			 double estimate_s);
/* The test ended with status; prints the plain line. */
void anvil_monitor_end(struct anvil_monitor *m, const char *status, const char *why);
/* Thread-safe journal append (the watchdog writes too). */
int anvil_monitor_append(struct anvil_monitor *m, cJSON *rec, char *err, size_t errlen);
/* For tests: formats seconds as "1h02m", "3m05s", "12.3s". */
void anvil_format_duration(double s, char *buf, size_t len);

#endif
