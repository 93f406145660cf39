/* reports/jsource.c: a journal file indexed with every line checked at once
 * and with the tests' records checked when they are read back must give the
 * same answer (records, counts, torn tail, the run's records, or the same
 * error). A difference is a finding (abort), as a crash or a leak is. */
#include "tests/fuzz/fuzz.h"
#include "common/strbuf.h"
#include "reports/jsource.h"
#include "reports/jwrite.h"
#include <stdio.h>
#include <unistd.h>

static void answer(const char *path, int deferred, struct strbuf *out)
{
	char err[1024] = "";
	struct anvil_jsource *src = deferred ? anvil_jsource_file_deferred(path, err, sizeof(err))
					     : anvil_jsource_file(path, err, sizeof(err));
	if (!src) {
		strbuf_addf(out, "error: %s", err);
		return;
	}
	size_t n = anvil_jsource_ntests(src);
	cJSON **recs = calloc(n + 1, sizeof(*recs));
	int failed = !recs;
	for (size_t i = n; !failed && i-- > 0;)  /* last first: a later test's bad line is met first */
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
			anvil_jw_unraw(recs[i]);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/anvil-fuzz-jsource-%d.jsonl", (int)getpid());
	FILE *f = fopen(path, "w");
	if (!f || fwrite(data, 1, size, f) != size) {
		if (f)
			fclose(f);
		return 0;
	}
	fclose(f);
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	answer(path, 0, &a);
	answer(path, 1, &b);
	if (strcmp(strbuf_str(&a), strbuf_str(&b))) {
		fprintf(stderr, "checked at once:\n%s\nchecked when read back:\n%s\n", strbuf_str(&a), strbuf_str(&b));
		abort();
	}
	strbuf_release(&a);
	strbuf_release(&b);
	return 0;
}
