/* Where I/O tests put their files: storage.path and storage.max_fill_fraction
 * into the plan (for runners with ANVIL_NEEDS_STORAGE only, under the
 * cluster's own params and --set), the run directory's scratch/ on one node,
 * and a refusal across nodes without a shared directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/config.h"
#include "bench/plan.h"
#include "bench/storage.h"

static char err[1024];

static const char *profile_text =
	"{\"schema\": \"anvil-profile/1\", \"name\": \"t\",\n"
	" \"tests\": [ {\"runner\": \"fio-seq-read\", \"params\": {\"max_fill_fraction\": 0.3}},\n"
	"            {\"runner\": \"mdtest\"}, {\"runner\": \"null\"} ]}";

static int build(struct anvil_plan *plan, const char *ctext, const char *only, const char **sets,
		 int nsets)
{
	struct anvil_json_doc p, c;
	assert_int_equal(anvil_json_parse(profile_text, strlen(profile_text), "p.json", &p, err, sizeof(err)), 0);
	if (ctext) {
		assert_int_equal(anvil_json_parse(ctext, strlen(ctext), "c.json", &c, err, sizeof(err)), 0);
		if (anvil_cluster_check(&c, err, sizeof(err))) {
			anvil_json_doc_release(&p);
			anvil_json_doc_release(&c);
			return -1;
		}
	}
	struct anvil_plan_opts o = { only, NULL, sets, nsets };
	int rc = anvil_plan_build(plan, &p, ctext ? &c : NULL, &o, err, sizeof(err));
	anvil_json_doc_release(&p);
	if (ctext)
		anvil_json_doc_release(&c);
	return rc;
}

static const cJSON *param(const struct anvil_plan *plan, const char *id, const char *key)
{
	const struct anvil_test *t = anvil_plan_find(plan, id);
	assert_non_null(t);
	return cJSON_GetObjectItemCaseSensitive(t->params, key);
}

static void test_storage_into_params(void **state)
{
	(void)state;
	struct anvil_plan plan;
	const char *cl = "{\"schema\": \"anvil-cluster/1\", \"storage\": {\"path\": \"/lustre/x\", "
			 "\"max_fill_fraction\": 0.2, \"rated\": {\"read_gbs\": 40}},\n"
			 " \"params\": {\"mdtest\": {\"dir\": \"/lustre/md\"}}}";
	assert_int_equal(build(&plan, cl, NULL, NULL, 0), 0);
	assert_string_equal(param(&plan, "fio-seq-read", "dir")->valuestring, "/lustre/x");
	/* the cluster config's layer is over the profile's */
	assert_true(param(&plan, "fio-seq-read", "max_fill_fraction")->valuedouble == 0.2);
	/* the cluster's params for a runner beat its storage section */
	assert_string_equal(param(&plan, "mdtest", "dir")->valuestring, "/lustre/md");
	/* a runner that does no I/O gets nothing */
	assert_null(param(&plan, "null", "dir"));
	assert_int_equal(anvil_storage_check(&plan, 64, err, sizeof(err)), 0);
	anvil_plan_release(&plan);

	/* --set beats everything; --only adds a runner the profile lacks, with the storage layer */
	const char *sets[] = { "fio-seq-read.dir=/elsewhere" };
	assert_int_equal(build(&plan, cl, "fio-seq-read,mpiio-shared", sets, 1), 0);
	assert_string_equal(param(&plan, "fio-seq-read", "dir")->valuestring, "/elsewhere");
	assert_string_equal(param(&plan, "mpiio-shared", "dir")->valuestring, "/lustre/x");
	anvil_plan_release(&plan);
}

static void test_refused_across_nodes(void **state)
{
	(void)state;
	struct anvil_plan plan;
	assert_int_equal(build(&plan, NULL, NULL, NULL, 0), 0);
	assert_int_equal(anvil_storage_check(&plan, 1, err, sizeof(err)), 0);
	assert_int_equal(anvil_storage_check(&plan, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "test fio-seq-read does I/O on 2 nodes"));
	assert_non_null(strstr(err, "storage"));
	assert_non_null(strstr(err, "--set fio-seq-read.dir=PATH"));
	anvil_plan_release(&plan);
	/* a dir given for each I/O test is enough */
	const char *sets[] = { "fio-seq-read.dir=/a", "mdtest.dir=/b" };
	assert_int_equal(build(&plan, NULL, NULL, sets, 2), 0);
	assert_int_equal(anvil_storage_check(&plan, 8, err, sizeof(err)), 0);
	anvil_plan_release(&plan);
}

static void test_scratch_default(void **state)
{
	(void)state;
	char run[] = "/tmp/anvil-storage-test.XXXXXX", scratch[64];
	assert_non_null(mkdtemp(run));
	snprintf(scratch, sizeof(scratch), "%s/scratch", run);
	struct anvil_plan plan;
	const char *sets[] = { "mdtest.dir=/b" };
	assert_int_equal(build(&plan, NULL, NULL, sets, 1), 0);
	assert_int_equal(anvil_storage_default(&plan, run, err, sizeof(err)), 0);
	assert_string_equal(param(&plan, "fio-seq-read", "dir")->valuestring, scratch);
	assert_string_equal(param(&plan, "mdtest", "dir")->valuestring, "/b");  /* given: kept */
	struct stat st;
	assert_int_equal(stat(scratch, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	anvil_plan_release(&plan);
	rmdir(scratch);
	rmdir(run);
}

static void test_bad_storage_sections(void **state)
{
	(void)state;
	struct anvil_plan plan;
	static const struct { const char *storage, *want; } cases[] = {
		{ "{\"paht\": \"/x\"}", "c.json:2:22: unknown key \"paht\" in \"storage\"" },
		{ "{\"path\": \"\"}", "\"storage\".\"path\" is empty" },
		{ "{\"max_fill_fraction\": 2}", "must be between 0 and 1" },
		{ "{\"rated\": {\"read_gbs\": 0}}", "rated figure \"read_gbs\"" },
		{ "{\"rated\": {\"read_GBs\": 1}}", "unknown key \"read_GBs\"" },
		{ "\"/lustre\"", "\"storage\" in the cluster config must be an object" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char cl[256];
		snprintf(cl, sizeof(cl), "{\"schema\": \"anvil-cluster/1\",\n \"storage\": %s}", cases[i].storage);
		err[0] = '\0';
		assert_int_equal(build(&plan, cl, NULL, NULL, 0), -1);
		if (!strstr(err, cases[i].want))
			fail_msg("storage %s: got \"%s\", want \"%s\"", cases[i].storage, err, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storage_into_params),
		cmocka_unit_test(test_refused_across_nodes),
		cmocka_unit_test(test_scratch_default),
		cmocka_unit_test(test_bad_storage_sections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
