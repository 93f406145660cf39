/* Reading a report.json without building its tree: the one reader that
 * baseline.c (a baseline given as a report) and compare.c (a run given as a
 * report) share, so that both refuse the same files in the same words. */
#ifndef ANVIL_RSCAN_H
#define ANVIL_RSCAN_H
#include <stddef.h>
#include <cjson/cJSON.h>
#include "reports/jscan.h"

struct anvil_rscan {
	/* each top-level member but "tests", in file order (may be NULL) */
	void (*member)(void *arg, const struct anvil_jscan_it *top);
	/* each tests[].metrics[] object, with its test's "id" and "scope" ("" when absent) */
	void (*metric)(void *arg, const char *test, const char *scope, const cJSON *m);
	void *arg;
};

/* Maps the file at path and, when it is valid JSON with the report schema,
 * calls rs->member for the top level and then rs->metric for every metric.
 * Returns 0, or -1 with "PATH..." in err (invalid JSON in common/json.c's
 * words with line and column; not a report; a directory; unreadable); on -1
 * no metric was passed on, but members may have been. */
int anvil_rscan_file(const char *path, const struct anvil_rscan *rs, char *err, size_t errlen);

#endif
