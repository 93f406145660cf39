/* Plan resolution: defaults < profile < cluster config < --set; --only/--skip; errors with positions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "bench/config.h"
#include "bench/plan.h"

static char err[1024];

static const char *profile_text =
	"{\"schema\": \"anvil-profile/1\", \"name\": \"t\", \"defaults\": {\"timeout_s\": 60, \"threads\": 3},\n"
	" \"tests\": [ {\"runner\": \"null\", \"threads\": 1, \"params\": {\"value\": 2}},\n"
	"            {\"id\": \"f1\", \"runner\": \"fail\", \"timeout_s\": 5},\n"
	"            {\"id\": \"f2\", \"runner\": \"fail\", \"params\": {\"mode\": \"skip\"}} ]}";

static void load(const char *text, struct anvil_json_doc *doc)
{
	assert_int_equal(anvil_json_parse(text, strlen(text), "p.json", doc, err, sizeof(err)), 0);
}

static int build(struct anvil_plan *plan, const char *ptext, const char *ctext,
		 const char *only, const char *skip, const char **sets, int nsets)
{
	struct anvil_json_doc p, c;
	load(ptext, &p);
	if (anvil_profile_check(&p, err, sizeof(err))) {
		anvil_json_doc_release(&p);
		return -1;
	}
	if (ctext)
		load(ctext, &c);
	struct anvil_plan_opts o = { only, skip, sets, nsets };
	int rc = anvil_plan_build(plan, &p, ctext ? &c : NULL, &o, err, sizeof(err));
	anvil_json_doc_release(&p);
	if (ctext)
		anvil_json_doc_release(&c);
	return rc;
}

static double param(const struct anvil_test *t, const char *k)
{
	return cJSON_GetObjectItem(t->params, k)->valuedouble;
}

static void test_layers(void **state)
{
	struct anvil_plan plan;
	const char *sets[] = { "null.value=7", "f2.mode=error" };
	assert_int_equal(build(&plan, profile_text, NULL, NULL, NULL, sets, 1), 0);
	assert_int_equal(plan.ntests, 3);
	assert_string_equal(plan.tests[0].id, "null");
	assert_true(param(&plan.tests[0], "value") == 7);      /* --set beats the profile */
	assert_string_equal(cJSON_GetObjectItem(plan.tests[0].params, "unit")->valuestring, "units"); /* default */
	assert_true(plan.tests[0].timeout_s == 60);             /* from defaults */
	assert_true(plan.tests[1].timeout_s == 5);
	assert_int_equal(plan.tests[0].threads, 1);             /* the test's own */
	assert_int_equal(plan.tests[1].threads, 3);             /* from defaults */
	anvil_plan_release(&plan);

	assert_int_equal(build(&plan, profile_text,
			       "{\"schema\": \"anvil-cluster/1\", \"params\": {\"null\": {\"value\": 3}}}",
			       NULL, NULL, sets + 1, 1), 0);
	assert_true(param(&plan.tests[0], "value") == 3);       /* cluster beats the profile */
	assert_string_equal(cJSON_GetObjectItem(plan.tests[2].params, "mode")->valuestring, "error");
	assert_string_equal(cJSON_GetObjectItem(plan.tests[1].params, "mode")->valuestring, "check");
	anvil_plan_release(&plan);
}

static void test_only_skip(void **state)
{
	struct anvil_plan plan;
	assert_int_equal(build(&plan, profile_text, NULL, "fail", NULL, NULL, 0), 0);
	assert_int_equal(plan.ntests, 2);  /* a runner name selects all its tests */
	anvil_plan_release(&plan);
	assert_int_equal(build(&plan, profile_text, NULL, NULL, "f1,null", NULL, 0), 0);
	assert_int_equal(plan.ntests, 1);
	assert_string_equal(plan.tests[0].id, "f2");
	anvil_plan_release(&plan);
	assert_int_equal(build(&plan, profile_text, NULL, "sleep", NULL, NULL, 0), 0);
	assert_int_equal(plan.ntests, 1);  /* a runner the profile lacks runs with its defaults */
	assert_true(param(&plan.tests[0], "seconds") == 1.0);
	anvil_plan_release(&plan);
}

static void expect(int rc, const char *want)
{
	assert_int_equal(rc, -1);
	if (!strstr(err, want))
		fail_msg("expected \"%s\" in \"%s\"", want, err);
}

static void test_errors(void **state)
{
	struct anvil_plan plan;
	const char *bad1[] = { "null.vlue=1" }, *bad2[] = { "null.value=abc" }, *bad3[] = { "nope" },
		   *bad4[] = { "zzz.value=1" };
	expect(build(&plan, profile_text, NULL, "nosuch", NULL, NULL, 0),
	       "--only: unknown test or runner \"nosuch\" (known runners: ");
	expect(build(&plan, profile_text, NULL, NULL, NULL, bad1, 1),
	       "--set null.vlue=1: unknown parameter \"vlue\" of runner null (known: value, unit)");
	expect(build(&plan, profile_text, NULL, NULL, NULL, bad2, 1),
	       "parameter \"value\" of runner null must be a number, found a string");
	expect(build(&plan, profile_text, NULL, NULL, NULL, bad3, 1), "expected NAME.KEY=VALUE");
	expect(build(&plan, profile_text, NULL, NULL, NULL, bad4, 1), "no test or runner \"zzz\"");
	expect(build(&plan, "{\"schema\": \"anvil-profile/1\", \"name\": \"t\",\n \"tests\": [{\"runner\": \"hpx\"}]}",
		     NULL, NULL, NULL, NULL, 0), "p.json:2:23: unknown runner \"hpx\"");
	expect(build(&plan, "{\"schema\": \"anvil-profile/1\", \"name\": \"t\",\n \"tests\": [{\"runner\": \"null\", \"params\": {\"value\": \"x\"}}]}",
		     NULL, NULL, NULL, NULL, 0), "p.json:2:51: parameter \"value\" of runner null must be a number");
	expect(build(&plan, "{\"schema\": \"anvil-profile/1\", \"name\": \"t\", \"tests\": [{\"runner\": \"null\"}, {\"runner\": \"null\"}]}",
		     NULL, NULL, NULL, NULL, 0), "test \"null\" appears twice");
	expect(build(&plan, "{\"schema\": \"anvil-profile/1\", \"name\": \"t\", \"tests\": [{\"runner\": \"null\", \"timeout_s\": -1}]}",
		     NULL, NULL, NULL, NULL, 0), "timeout_s must be between 1 and");
	expect(build(&plan, "{\"schema\": \"anvil-profile/1\", \"name\": \"t\", \"tests\": [{\"runner\": \"null\", \"threads\": 1.5}]}",
		     NULL, NULL, NULL, NULL, 0), "threads must be a whole number");
	expect(build(&plan, "{\"schema\": \"anvil-profile/1\", \"name\": \"t\", \"tests\": [{\"runner\": \"null\"}],"
		     " \"checks\": [{\"test\": \"null\", \"metric\": \"value\", \"rule\": \"fraction\", \"min\": 1}]}",
		     NULL, NULL, NULL, NULL, 0), "unknown rule \"fraction\"");
	expect(build(&plan, "{\"schema\": \"anvil-profile/2\", \"name\": \"t\", \"tests\": []}",
		     NULL, NULL, NULL, NULL, 0), "\"schema\" must be \"anvil-profile/1\"");
	/* sizes: none negative unless the default is (-1: automatic), whole numbers exact */
	const char *neg[] = { "null.value=-5" }, *big[] = { "f1.rank=1e300" }, *frac[] = { "f1.rank=1.5" },
		   *auto_ok[] = { "f1.rank=-1" };
	expect(build(&plan, profile_text, NULL, NULL, NULL, neg, 1),
	       "--set null.value=-5: parameter \"value\" of runner null must be 0 or more, found -5");
	expect(build(&plan, profile_text, NULL, NULL, NULL, big, 1),
	       "--set f1.rank=1e300: parameter \"rank\" of runner fail must be at most 2^53 (9007199254740992), found 1e+300");
	expect(build(&plan, profile_text, NULL, NULL, NULL, frac, 1),
	       "parameter \"rank\" of runner fail must be a whole number, found 1.5");
	assert_int_equal(build(&plan, profile_text, NULL, NULL, NULL, auto_ok, 1), 0);
	anvil_plan_release(&plan);
	/* a journal's plan is checked as a profile's is */
	cJSON *j = cJSON_Parse("{\"profile\": \"t\", \"tests\": [{\"id\": \"x\", \"runner\": \"null\","
			       " \"params\": {\"value\": -1e300}}]}");
	expect(anvil_plan_from_json(&plan, j, err, sizeof(err)),
	       "the recorded plan, test \"x\": parameter \"value\" of runner null must be 0 or more, found -1e+300");
	cJSON_Delete(j);
}

static void test_json_round_trip(void **state)
{
	struct anvil_plan plan, back;
	assert_int_equal(build(&plan, profile_text, NULL, NULL, NULL, NULL, 0), 0);
	cJSON *j = anvil_plan_to_json(&plan);
	assert_int_equal(anvil_plan_from_json(&back, j, err, sizeof(err)), 0);
	assert_int_equal(back.ntests, plan.ntests);
	for (int i = 0; i < plan.ntests; i++) {
		assert_string_equal(back.tests[i].id, plan.tests[i].id);
		assert_true(back.tests[i].runner == plan.tests[i].runner);
		assert_true(cJSON_Compare(back.tests[i].params, plan.tests[i].params, 1));
		assert_true(back.tests[i].timeout_s == plan.tests[i].timeout_s);
		assert_int_equal(back.tests[i].threads, plan.tests[i].threads);
	}
	cJSON_Delete(j);
	anvil_plan_release(&plan);
	anvil_plan_release(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layers),
		cmocka_unit_test(test_only_skip),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_json_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
