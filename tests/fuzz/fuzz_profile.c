/* bench/config.c + bench/plan.c: a profile as `anvil run -p FILE` reads it,
 * checked, made into a plan, and the plan through JSON and back (--resume). */
#include "tests/fuzz/fuzz.h"
#include "bench/config.h"
#include "bench/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct anvil_json_doc doc;
	char err[1024];
	if (anvil_json_parse((const char *)data, size, "fuzz-profile.json", &doc, err, sizeof(err)))
		return 0;
	if (anvil_profile_check(&doc, err, sizeof(err)) == 0) {
		struct anvil_plan plan, back;
		if (anvil_plan_build(&plan, &doc, NULL, NULL, err, sizeof(err)) == 0) {
			cJSON *j = anvil_plan_to_json(&plan);
			if (anvil_plan_from_json(&back, j, err, sizeof(err)) == 0)
				anvil_plan_release(&back);
			cJSON_Delete(j);
			anvil_plan_release(&plan);
		}
	}
	anvil_json_doc_release(&doc);
	return 0;
}
