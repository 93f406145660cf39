/* common/journal.c: a journal as `anvil report DIR` and `--resume DIR` read
 * it; its recorded plan made into a plan again, as a resume does. */
#include "tests/fuzz/fuzz.h"
#include "bench/plan.h"
#include "common/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct anvil_journal_read jr;
	char err[1024];
	if (anvil_journal_parse((const char *)data, size, "fuzz/journal.jsonl", &jr, err, sizeof(err)))
		return 0;
	const cJSON *rec;
	cJSON_ArrayForEach(rec, jr.records) {
		const cJSON *pj = cJSON_GetObjectItemCaseSensitive(rec, "plan");
		struct anvil_plan plan;
		if (pj && anvil_plan_from_json(&plan, pj, err, sizeof(err)) == 0) {
			anvil_plan_find(&plan, "null");
			anvil_plan_release(&plan);
		}
	}
	anvil_journal_read_release(&jr);
	return 0;
}
