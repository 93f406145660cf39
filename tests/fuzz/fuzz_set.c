/* bench/plan.c: the command line's --only, --skip and --set over a fixed
 * profile. Input: line 1 is --only ("-": none), line 2 --skip ("-": none), each
 * further line one --set NAME.KEY=VALUE. */
#include "tests/fuzz/fuzz.h"
#include "bench/plan.h"
#include <stdio.h>

static const char profile_text[] =
	"{\"schema\": \"anvil-profile/1\", \"name\": \"fuzz\", \"defaults\": {\"timeout_s\": 30},"
	" \"tests\": [{\"runner\": \"null\", \"params\": {\"value\": 5}},"
	"  {\"id\": \"f\", \"runner\": \"fail\"}, {\"runner\": \"mpi-pingpong\"}, {\"runner\": \"cpu-dgemm\"},"
	"  {\"runner\": \"stream\"}, {\"runner\": \"hpl\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct anvil_json_doc profile;
	char err[1024];
	if (!profile.root && anvil_json_parse(profile_text, sizeof(profile_text) - 1, "p", &profile, err, sizeof(err)))
		abort();
	char *text = fuzz_cstr(data, size);
	const char *lines[34] = { 0 };
	int n = 0;
	for (char *p = text, *save = NULL, *tok; n < 34 && (tok = strtok_r(p, "\n", &save)); p = NULL)
		lines[n++] = tok;
	struct anvil_plan_opts o = {
		.only = n > 0 && lines[0][0] != '-' ? lines[0] : NULL,
		.skip = n > 1 && lines[1][0] != '-' ? lines[1] : NULL,
		.sets = n > 2 ? lines + 2 : NULL,
		.nsets = n > 2 ? n - 2 : 0,
	};
	struct anvil_plan plan;
	if (anvil_plan_build(&plan, &profile, NULL, &o, err, sizeof(err)) == 0) {
		cJSON *j = anvil_plan_to_json(&plan);
		cJSON_Delete(j);
		anvil_plan_release(&plan);
	}
	free(text);
	return 0;
}
