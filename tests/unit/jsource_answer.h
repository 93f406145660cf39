/*
 * All that reports/jsource.c says of a journal file, as text: each test's
 * records, the count, the torn tail and the run's records, or the error met
 * opening it or reading its tests back (the tests read last first, so that
 * a bad line of a later test is met before one of an earlier test). Shared
 * by test_jsource and tests/fuzz/fuzz_jsource, which hold the answers with
 * the records checked at once and when read back to be the same.
 */
#ifndef ANVIL_TESTS_JSOURCE_ANSWER_H
#define ANVIL_TESTS_JSOURCE_ANSWER_H
#include "common/strbuf.h"
#include "reports/jsource.h"
#include "reports/jwrite.h"
#include <stdlib.h>

/* The journal at path, its tests' records checked now or when read back. */
static struct anvil_jsource *jsource_open(const char *path, int deferred, char *err, size_t errlen)
{
	return deferred ? anvil_jsource_file_deferred(path, err, errlen) : anvil_jsource_file(path, err, errlen);
}

static void jsource_answer(const char *path, int deferred, struct strbuf *out)
{
	char err[1024] = "";
	struct anvil_jsource *src = jsource_open(path, deferred, err, sizeof(err));
	if (!src) {
		strbuf_addf(out, "error: %s", err);
		return;
	}
	size_t n = anvil_jsource_ntests(src);
	cJSON **recs = calloc(n + 1, sizeof(*recs));
	int failed = !recs;
	for (size_t i = n; !failed && i-- > 0;)
		failed = !(recs[i] = anvil_jsource_test_records(src, i, err, sizeof(err)));
	if (!failed)
		failed = anvil_jsource_check_unread(src, err, sizeof(err)) != 0;
	if (failed) {
		strbuf_addf(out, "error: %s", err);
	} else {
		long torn_line;
		int torn = anvil_jsource_torn(src, &torn_line);
		char *meta = cJSON_PrintUnformatted(anvil_jsource_meta(src));
		strbuf_addf(out, "count %ld torn %d/%ld meta %s\n", anvil_jsource_records_count(src), torn,
			    torn ? torn_line : 0L, meta);
		free(meta);
		for (size_t i = 0; i < n; i++) {
			anvil_jw_unraw(recs[i]);  /* series rows and columns, info bodies */
			char *t = cJSON_PrintUnformatted(recs[i]);
			strbuf_addf(out, "%s: %s\n", anvil_jsource_test_id(src, i), t);
			free(t);
		}
	}
	for (size_t i = 0; recs && i < n; i++)
		cJSON_Delete(recs[i]);
	free(recs);
	anvil_jsource_free(src);
}

#endif
