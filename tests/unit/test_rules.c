/* Every check rule, the verdict order and the exit code, on synthetic journals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "anvil_build_config.h"
#include "reports/report.h"

static char hw[512], err[512];

static cJSON *start_record(const char *checks, const char *tests, const char *cluster)
{
	char text[8192];
	snprintf(text, sizeof(text),
		 "{\"kind\": \"run\", \"event\": \"start\", \"t\": 1790000000, \"ranks\": 3, \"nodes\": 3,"
		 " \"hosts\": [\"a\", \"b\", \"c\"], \"plan\": {\"profile\": \"t\", \"tests\": [%s]},"
		 " \"profile_doc\": {\"schema\": \"anvil-profile/1\", \"name\": \"t\", \"tests\": [], \"checks\": [%s]},"
		 " \"cluster\": %s}", tests, checks, cluster ? cluster : "null");
	cJSON *r = cJSON_Parse(text);
	assert_non_null(r);
	return r;
}

static void add(cJSON *recs, const char *json)
{
	cJSON *r = cJSON_Parse(json);
	if (!r)
		fail_msg("bad test record %s", json);
	cJSON_AddItemToArray(recs, r);
}

static void metric(cJSON *recs, const char *test, const char *host, const char *name, double v, const char *better)
{
	char text[512];
	snprintf(text, sizeof(text), "{\"kind\": \"metric\", \"test\": \"%s\", \"host\": \"%s\", \"name\": \"%s\","
		 " \"value\": %.17g, \"unit\": \"GB/s\", \"better\": \"%s\"}", test, host, name, v, better);
	add(recs, text);
}

static void test_ok(cJSON *recs, const char *id)
{
	char text[256];
	snprintf(text, sizeof(text), "{\"kind\": \"test\", \"test\": \"%s\", \"runner\": \"null\", \"status\": \"ok\", \"duration_s\": 1}", id);
	add(recs, text);
}

static const cJSON *find_check(const cJSON *report, const char *test, const char *rule, const char *host)
{
	const cJSON *t, *c;
	cJSON_ArrayForEach(t, cJSON_GetObjectItem(report, "tests")) {
		if (strcmp(cJSON_GetObjectItem(t, "id")->valuestring, test))
			continue;
		cJSON_ArrayForEach(c, cJSON_GetObjectItem(t, "checks")) {
			const cJSON *h = cJSON_GetObjectItem(c, "host");
			if (!strcmp(cJSON_GetObjectItem(c, "rule")->valuestring, rule) &&
			    (!host || (h && !strcmp(h->valuestring, host))))
				return c;
		}
	}
	fail_msg("no %s check of %s on %s", rule, test, host ? host : "-");
	return NULL;
}

static const char *verdict(const cJSON *c) { return cJSON_GetObjectItem(c, "verdict")->valuestring; }

static void test_absolute_and_peers(void **state)
{
	cJSON *recs = cJSON_CreateArray();
	cJSON_AddItemToArray(recs, start_record(
		"{\"test\": \"bw\", \"metric\": \"gbs\", \"rule\": \"absolute\", \"min\": 10, \"warn\": 12},"
		"{\"test\": \"bw\", \"metric\": \"gbs\", \"rule\": \"peers\", \"min\": 0.9},"
		"{\"test\": \"lat\", \"metric\": \"us\", \"rule\": \"absolute\", \"max\": 5},"
		"{\"test\": \"lat\", \"metric\": \"us\", \"rule\": \"peers\", \"max\": 1.5}",
		"{\"id\": \"bw\", \"runner\": \"null\"}, {\"id\": \"lat\", \"runner\": \"null\"}", NULL));
	metric(recs, "bw", "a", "gbs", 20, "higher");
	metric(recs, "bw", "b", "gbs", 11, "higher");
	metric(recs, "bw", "c", "gbs", 21, "higher");
	test_ok(recs, "bw");
	metric(recs, "lat", "a", "us", 2, "lower");
	metric(recs, "lat", "b", "us", 2.1, "lower");
	metric(recs, "lat", "c", "us", 4, "lower");
	test_ok(recs, "lat");
	cJSON *r = anvil_report_build(recs, NULL, hw, "/x", 0, 0, err, sizeof(err));
	assert_non_null(r);
	assert_string_equal(verdict(find_check(r, "bw", "absolute", "a")), "PASS");
	assert_string_equal(verdict(find_check(r, "bw", "absolute", "b")), "WARN");   /* 11 < warn 12 */
	assert_string_equal(verdict(find_check(r, "bw", "peers", "a")), "PASS");      /* 20 vs median 16 */
	const cJSON *b = find_check(r, "bw", "peers", "b");
	assert_string_equal(verdict(b), "FAIL");                                      /* 11 < 0.9 x 20.5 */
	assert_true(fabs(cJSON_GetObjectItem(b, "limit")->valuedouble - 0.9 * 20.5) < 1e-9);
	assert_string_equal(verdict(find_check(r, "lat", "absolute", "c")), "PASS");
	assert_string_equal(verdict(find_check(r, "lat", "peers", "c")), "FAIL");     /* 4 > 1.5 x 2.05 */
	assert_string_equal(verdict(find_check(r, "lat", "peers", "a")), "PASS");
	assert_string_equal(cJSON_GetObjectItem(r, "verdict")->valuestring, "FAIL");
	assert_int_equal(anvil_report_exit_code(r), 1);
	cJSON_Delete(r);
	cJSON_Delete(recs);
}

static void inventory(cJSON *recs, const char *host, const char *model, int sockets)
{
	char text[512];
	snprintf(text, sizeof(text), "{\"kind\": \"inventory\", \"host\": \"%s\", \"inventory\": {\"cpu\": "
		 "{\"model\": \"%s\", \"sockets\": %d}}}", host, model, sockets);
	add(recs, text);
}

static void test_peak(void **state)
{
	const char *checks = "{\"test\": \"dgemm\", \"metric\": \"gflops\", \"rule\": \"peak\", \"peak\": \"cpu.fp64_gflops\", \"min\": 0.75}";
	cJSON *recs = cJSON_CreateArray();
	cJSON_AddItemToArray(recs, start_record(checks, "{\"id\": \"dgemm\", \"runner\": \"null\"}", NULL));
	inventory(recs, "a", "AMD EPYC 9654 96-Core Processor", 2);   /* datasheet: 3686.4 per socket */
	inventory(recs, "b", "AMD EPYC", 1);                          /* matches nothing */
	metric(recs, "dgemm", "a", "gflops", 5000, "higher");
	metric(recs, "dgemm", "b", "gflops", 80, "higher");
	test_ok(recs, "dgemm");
	cJSON *r = anvil_report_build(recs, NULL, hw, "/x", 0, 0, err, sizeof(err));
	const cJSON *a = find_check(r, "dgemm", "peak", "a");
	assert_string_equal(verdict(a), "FAIL");  /* 5000 / 7372.8 = 67.8% < 75% */
	assert_true(fabs(cJSON_GetObjectItem(cJSON_GetObjectItem(a, "peak"), "value")->valuedouble - 7372.8) < 1e-6);
	const cJSON *b = find_check(r, "dgemm", "peak", "b");
	assert_string_equal(verdict(b), "SKIP");
	assert_non_null(strstr(cJSON_GetObjectItem(b, "why")->valuestring, "\"AMD EPYC\" matches no datasheet"));
	cJSON_Delete(r);
	cJSON_Delete(recs);

	/* a peak the cluster config declares is used where no datasheet matches */
	recs = cJSON_CreateArray();
	cJSON_AddItemToArray(recs, start_record(checks, "{\"id\": \"dgemm\", \"runner\": \"null\"}",
		"{\"schema\": \"anvil-cluster/1\", \"peaks\": {\"cpu.fp64_gflops\": 100}}"));
	inventory(recs, "b", "AMD EPYC", 1);
	metric(recs, "dgemm", "b", "gflops", 80, "higher");
	test_ok(recs, "dgemm");
	r = anvil_report_build(recs, NULL, hw, "/x", 0, 0, err, sizeof(err));
	b = find_check(r, "dgemm", "peak", "b");
	assert_string_equal(verdict(b), "PASS");
	assert_non_null(strstr(cJSON_GetObjectItem(b, "why")->valuestring, "declared in the cluster config"));
	assert_int_equal(anvil_report_exit_code(r), 0);
	cJSON_Delete(r);
	cJSON_Delete(recs);
}

static void test_statuses(void **state)
{
	cJSON *recs = cJSON_CreateArray();
	cJSON_AddItemToArray(recs, start_record("",
		"{\"id\": \"s\", \"runner\": \"null\"}, {\"id\": \"e\", \"runner\": \"null\"},"
		"{\"id\": \"to\", \"runner\": \"sleep\"}, {\"id\": \"nr\", \"runner\": \"null\"},"
		"{\"id\": \"rc\", \"runner\": \"fail\"}", NULL));
	add(recs, "{\"kind\": \"test\", \"test\": \"s\", \"status\": \"skipped\", \"why\": \"no CUDA device\"}");
	add(recs, "{\"kind\": \"test\", \"test\": \"e\", \"status\": \"error\", \"why\": \"cudaMalloc failed\"}");
	add(recs, "{\"kind\": \"check\", \"test\": \"rc\", \"host\": \"a\", \"name\": \"residual\", \"ok\": false, \"value\": 1e6, \"limit\": 16, \"why\": \"wrong answer\"}");
	test_ok(recs, "rc");
	cJSON *r = anvil_report_build(recs, NULL, hw, "/x", 0, 0, err, sizeof(err));
	assert_string_equal(verdict(find_check(r, "s", "status", NULL)), "SKIP");
	assert_string_equal(verdict(find_check(r, "e", "status", NULL)), "ERROR");
	assert_string_equal(verdict(find_check(r, "nr", "status", NULL)), "NOT RUN");
	assert_string_equal(verdict(find_check(r, "to", "status", NULL)), "NOT RUN");
	const cJSON *rc = find_check(r, "rc", "runner", "a");
	assert_string_equal(verdict(rc), "FAIL");
	assert_true(cJSON_GetObjectItem(rc, "value")->valuedouble == 1e6);
	assert_int_equal(anvil_report_exit_code(r), 1);   /* a FAIL outranks errors */
	cJSON_Delete(r);
	/* without the failing check: the harness error decides */
	cJSON_DeleteItemFromArray(recs, 3);
	cJSON_DeleteItemFromArray(recs, 3);
	add(recs, "{\"kind\": \"test\", \"test\": \"to\", \"status\": \"timeout\", \"why\": \"exceeded 5 s\"}");
	r = anvil_report_build(recs, NULL, hw, "/x", 0, 0, err, sizeof(err));
	assert_string_equal(verdict(find_check(r, "to", "status", NULL)), "FAIL");
	cJSON_Delete(r);
	cJSON_DeleteItemFromArray(recs, cJSON_GetArraySize(recs) - 1);
	r = anvil_report_build(recs, NULL, hw, "/x", 0, 0, err, sizeof(err));
	assert_string_equal(cJSON_GetObjectItem(r, "verdict")->valuestring, "ERROR");
	assert_int_equal(anvil_report_exit_code(r), 3);
	cJSON_Delete(r);
	cJSON_Delete(recs);
}

static void test_no_start_record(void **state)
{
	cJSON *recs = cJSON_CreateArray();
	assert_null(anvil_report_build(recs, NULL, hw, "/x", 0, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "no run start record"));
	cJSON_Delete(recs);
}

/* An edited journal: odd types where the report expects names, labels and
 * rules; the report is still built and says what it could not judge. */
static void test_edited_journal(void **state)
{
	cJSON *recs = cJSON_CreateArray();
	cJSON_AddItemToArray(recs, start_record(
		"{\"test\": \"bw\", \"metric\": \"gbs\", \"rule\": \"peers\", \"min\": 0.9},"
		"{\"test\": \"bw\", \"rule\": \"absolute\", \"min\": 1},"
		"{\"test\": \"bw\", \"metric\": \"gbs\", \"rule\": 7, \"min\": 1}",
		"{\"id\": \"bw\", \"runner\": \"null\"}", NULL));
	add(recs, "{\"kind\": \"metric\", \"test\": \"bw\", \"host\": \"a\", \"name\": \"gbs\", \"value\": 10,"
		  " \"labels\": [\"x\", 1]}");
	add(recs, "{\"kind\": \"metric\", \"test\": \"bw\", \"host\": 5, \"name\": \"gbs\", \"value\": 10,"
		  " \"labels\": {\"gpu\": 0, \"k\": \"v\"}}");
	add(recs, "{\"kind\": \"metric\", \"test\": \"bw\", \"host\": \"b\", \"name\": [1], \"value\": 10}");
	test_ok(recs, "bw");
	cJSON *r = anvil_report_build(recs, NULL, hw, "/x", 0, 0, err, sizeof(err));
	assert_non_null(r);
	const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "tests"), 0);
	const cJSON *m = cJSON_GetObjectItem(t, "metrics");
	assert_int_equal(cJSON_GetArraySize(m), 2);  /* the one without a name is left out */
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(m, 0), "labels"));
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(m, 1), "host"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(m, 1), "labels")), 1);
	int errors = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(t, "checks"))
		if (!strcmp(verdict(c), "ERROR")) {
			errors++;
			assert_non_null(strstr(cJSON_GetObjectItem(c, "why")->valuestring, "cannot be judged"));
		}
	assert_int_equal(errors, 2);
	cJSON_Delete(r);
	cJSON_Delete(recs);
}

int main(void)
{
	snprintf(hw, sizeof(hw), "%s/configs/hardware", ANVIL_SOURCE_DIR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absolute_and_peers),
		cmocka_unit_test(test_peak),
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_no_start_record),
		cmocka_unit_test(test_edited_journal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
