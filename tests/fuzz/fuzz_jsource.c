/* reports/jsource.c: a journal file indexed with every line checked at once
 * and with the tests' records checked when they are read back must give the
 * same answer (records, counts, torn tail, the run's records, or the same
 * error). A difference is a finding (abort), as a crash or a leak is. */
#include "tests/fuzz/fuzz.h"
#include "tests/unit/jsource_answer.h"
#include <stdio.h>
#include <unistd.h>

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
	jsource_answer(path, 0, &a);
	jsource_answer(path, 1, &b);
	if (strcmp(strbuf_str(&a), strbuf_str(&b))) {
		fprintf(stderr, "checked at once:\n%s\nchecked when read back:\n%s\n", strbuf_str(&a), strbuf_str(&b));
		abort();
	}
	strbuf_release(&a);
	strbuf_release(&b);
	return 0;
}
