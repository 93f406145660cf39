/* bench/config.c + bench/plan.c: a cluster config as `anvil run -c FILE`
 * reads it, checked, then layered over a fixed profile into a plan. */
#include "tests/fuzz/fuzz.h"
#include "bench/config.h"
#include "bench/plan.h"

static const char profile_text[] =
	"{\"schema\": \"anvil-profile/1\", \"name\": \"fuzz\", \"defaults\": {\"timeout_s\": 30},"
	" \"tests\": [{\"runner\": \"null\", \"params\": {\"value\": 5}},"
	"  {\"id\": \"f\", \"runner\": \"fail\"}, {\"runner\": \"mpi-pingpong\"}, {\"runner\": \"cpu-dgemm\"}],"
	" \"checks\": [{\"test\": \"null\", \"metric\": \"value\", \"rule\": \"peak\", \"peak\": \"cpu.fp64_gflops\", \"min\": 0.5}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct anvil_json_doc profile;
	char err[1024];
	if (!profile.root && anvil_json_parse(profile_text, sizeof(profile_text) - 1, "p", &profile, err, sizeof(err)))
		abort();
	struct anvil_json_doc doc;
	if (anvil_json_parse((const char *)data, size, "fuzz-cluster.json", &doc, err, sizeof(err)))
		return 0;
	if (anvil_cluster_check(&doc, err, sizeof(err)) == 0) {
		struct anvil_plan plan;
		const char *only = "null,f,stream";
		struct anvil_plan_opts o = { .only = only };
		if (anvil_plan_build(&plan, &profile, &doc, &o, err, sizeof(err)) == 0)
			anvil_plan_release(&plan);
		if (anvil_plan_build(&plan, &profile, &doc, NULL, err, sizeof(err)) == 0)
			anvil_plan_release(&plan);
	}
	anvil_json_doc_release(&doc);
	return 0;
}
