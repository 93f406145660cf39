/*
 * The monitor: a thread on rank 0 that shows progress (a live line on a
 * terminal, plain log lines otherwise) and enforces each test's timeout. A
 * test past its timeout is recorded as "timeout" in the journal before
 * anything else happens; the process then ends, the journal intact, and
 * `anvil run --resume` goes on from the next test.
 */
#ifndef ANVIL_MONITOR_H
#define ANVIL_MONITOR_H
#include <stdio.h>
#include "common/journal.h"

struct anvil_monitor;

/* journal is borrowed; appends to it must go through anvil_monitor_append. */
struct anvil_monitor *anvil_monitor_start(struct anvil_journal *j, int ntests, FILE *out);
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
