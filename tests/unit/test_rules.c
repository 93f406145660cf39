/* Every check rule (peak, absolute, peers, mad), waivers, the noise-aware
 * baseline, the profile's checks of them, the verdict order and the exit
 * code, on synthetic journals. */
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
#include "reports/baseline.h"
#include "reports/waivers.h"
#include "reports/peers.h"
#include "bench/config.h"
#include "common/json.h"

static char hw[512], err[512];

/* extra: more members of the profile ("waivers", "baseline"), or "". */
static cJSON *start_with(const char *checks, const char *tests, const char *cluster, const char *extra)
{
	char text[8192];
	snprintf(text, sizeof(text),
		 "{\"kind\": \"run\", \"event\": \"start\", \"t\": 1790000000, \"ranks\": 3, \"nodes\": 3,"
		 " \"hosts\": [\"a\", \"b\", \"c\"], \"plan\": {\"profile\": \"t\", \"tests\": [%s]},"
		 " \"profile_doc\": {\"schema\": \"anvil-profile/1\", \"name\": \"t\", \"tests\": [], \"checks\": [%s]%s},"
		 " \"cluster\": %s}", tests, checks, extra, cluster ? cluster : "null");
	cJSON *r = cJSON_Parse(text);
	assert_non_null(r);
	return r;
}

static cJSON *start_record(const char *checks, const char *tests, const char *cluster)
{
	return start_with(checks, tests, cluster, "");
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

/* ---- mad: robust outliers ------------------------------------------------- */

static void host_metric(cJSON *recs, const char *test, int host, const char *name, double v, const char *better)
{
	char h[16];
	snprintf(h, sizeof(h), "n%02d", host);
	metric(recs, test, h, name, v, better);
}

static const cJSON *check_on(const cJSON *r, const char *test, const char *rule, int host)
{
	char h[16];
	snprintf(h, sizeof(h), "n%02d", host);
	return find_check(r, test, rule, h);
}

static double numf(const cJSON *o, const char *k) { return cJSON_GetObjectItem(o, k)->valuedouble; }

/* v[0..n) as the figure name of test on hosts n00, n01, ..., and the test ended well. */
static void hosts_metric(cJSON *recs, const char *test, const char *name, const double *v, int n, const char *better)
{
	for (int i = 0; i < n; i++)
		host_metric(recs, test, i, name, v[i], better);
	test_ok(recs, test);
}

static void test_mad(void **state)
{
	static const double bw[] = { 100, 101, 99, 100.5, 99.5, 100, 101, 99, 100, 60, 140 };
	static const double lat[] = { 5, 5, 5, 5, 5, 5, 7, 3 };
	cJSON *recs = cJSON_CreateArray();
	cJSON_AddItemToArray(recs, start_record(
		"{\"test\": \"bw\", \"metric\": \"gbs\", \"rule\": \"mad\"},"
		"{\"test\": \"lat\", \"metric\": \"us\", \"rule\": \"mad\", \"k\": 4, \"warn\": 2},"
		"{\"test\": \"two\", \"metric\": \"x\", \"rule\": \"mad\"}",
		"{\"id\": \"bw\", \"runner\": \"null\"}, {\"id\": \"lat\", \"runner\": \"null\"}, {\"id\": \"two\", \"runner\": \"null\"}", NULL));
	hosts_metric(recs, "bw", "gbs", bw, 11, "higher");
	hosts_metric(recs, "lat", "us", lat, 8, "lower");
	host_metric(recs, "two", 0, "x", 1, "higher");
	host_metric(recs, "two", 1, "x", 2, "higher");
	test_ok(recs, "two");
	cJSON *r = anvil_report_build(recs, NULL, hw, "/x", 0, 0, err, sizeof(err));
	assert_non_null(r);
	/* median 100, MAD 1 (deviations 0 0 0 .5 .5 1 1 1 1 40 40): 60 is -27 z units: FAIL */
	const cJSON *slow = check_on(r, "bw", "mad", 9);
	assert_string_equal(verdict(slow), "FAIL");
	const cJSON *mad = cJSON_GetObjectItem(slow, "mad");
	assert_true(numf(mad, "median") == 100 && numf(mad, "mad") == 1 && numf(mad, "n") == 11);
	assert_true(fabs(numf(mad, "z") - 0.6745 * -40) < 1e-9);
	assert_true(fabs(numf(slow, "limit") - (100 - 3.5 / 0.6745)) < 1e-9);   /* the default k */
	assert_string_equal(verdict(check_on(r, "bw", "mad", 10)), "PASS");    /* fast is not bad */
	assert_string_equal(verdict(check_on(r, "bw", "mad", 2)), "PASS");
	/* lower is better, MAD 0: the mean absolute deviation (4/8) stands in: 7 is z 3.19 */
	const cJSON *high = check_on(r, "lat", "mad", 6);
	assert_string_equal(verdict(high), "WARN");                               /* between warn 2 and k 4 */
	assert_true(fabs(numf(cJSON_GetObjectItem(high, "mad"), "z") - 2 / (1.253314 * 0.5)) < 1e-9);
	assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(high, "mad"), "meanad"));
	assert_string_equal(verdict(check_on(r, "lat", "mad", 7)), "PASS");     /* faster is fine */
	assert_string_equal(verdict(check_on(r, "two", "mad", 0)), "SKIP");     /* needs 3 figures */
	assert_int_equal(anvil_report_exit_code(r), 1);
	cJSON_Delete(r);
	cJSON_Delete(recs);

	double v[] = { 1, 2, 3, 4, 100 };
	struct anvil_mad m;
	anvil_mad_of(v, 5, &m);
	assert_true(m.median == 3 && m.mad == 1 && fabs(m.meanad - 101.0 / 5) < 1e-12);
	assert_true(anvil_median_without(v, 5, 100) == 2.5 && anvil_median_without(v, 5, 1) == 3.5);
}

/* min_dev: an outlier by its score, but no farther from the median than the
 * rule's fraction, only warns; the limit is the farther of the two bars. */
static void test_mad_min_dev(void **state)
{
	static const double bw[] = { 100, 100.2, 99.8, 100.1, 99.9, 100, 100.2, 99.8, 100, 97, 80, 140 };
	cJSON *recs = cJSON_CreateArray();
	cJSON_AddItemToArray(recs, start_record(
		"{\"test\": \"bw\", \"metric\": \"gbs\", \"rule\": \"mad\", \"min_dev\": 0.05},"
		"{\"test\": \"zero\", \"metric\": \"x\", \"rule\": \"mad\", \"min_dev\": 0.5}",
		"{\"id\": \"bw\", \"runner\": \"null\"}, {\"id\": \"zero\", \"runner\": \"null\"}", NULL));
	static const double zero[] = { 0, 0, 0, 0.1, -0.1, -3 };
	hosts_metric(recs, "bw", "gbs", bw, 12, "higher");
	hosts_metric(recs, "zero", "x", zero, 6, "higher");
	cJSON *r = anvil_report_build(recs, NULL, hw, "/x", 0, 0, err, sizeof(err));
	assert_non_null(r);
	/* median 100, MAD 0.2: 97 is z -10.1 but 3% from the median (within 5%): WARN */
	const cJSON *near = check_on(r, "bw", "mad", 9);
	assert_string_equal(verdict(near), "WARN");
	const cJSON *mad = cJSON_GetObjectItem(near, "mad");
	assert_true(fabs(numf(mad, "deviation") - 0.03) < 1e-12 && numf(mad, "min_dev") == 0.05);
	assert_true(fabs(numf(near, "limit") - 95) < 1e-9);   /* 5% below beats 3.5 z units (1.04) */
	assert_non_null(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(near, "why")),
			       "but it is 3% from the median (a warning within 5%)"));
	const cJSON *far = check_on(r, "bw", "mad", 10);   /* 80: 20% off */
	assert_string_equal(verdict(far), "FAIL");
	assert_non_null(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(far, "why")),
			       "and it is 20% from the median (the rule fails beyond 5%)"));
	assert_string_equal(verdict(check_on(r, "bw", "mad", 11)), "PASS");   /* fast is not bad */
	assert_string_equal(verdict(check_on(r, "bw", "mad", 0)), "PASS");
	/* a median of 0: no fraction of it excuses an outlier */
	const cJSON *z = check_on(r, "zero", "mad", 5);
	assert_string_equal(verdict(z), "FAIL");
	assert_null(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(z, "why")), "from the median ("));
	assert_int_equal(anvil_report_exit_code(r), 1);
	cJSON_Delete(r);
	cJSON_Delete(recs);
	(void)state;
}

/* ---- waivers ------------------------------------------------------------------ */

static cJSON *waiver_run(const char *waivers)
{
	char extra[1024];
	snprintf(extra, sizeof(extra), ", \"waivers\": [%s]", waivers);
	cJSON *recs = cJSON_CreateArray();
	cJSON_AddItemToArray(recs, start_with(
		"{\"test\": \"bw\", \"metric\": \"gbs\", \"rule\": \"absolute\", \"min\": 10}",
		"{\"id\": \"bw\", \"runner\": \"null\"}", NULL, extra));
	metric(recs, "bw", "a", "gbs", 20, "higher");
	metric(recs, "bw", "b", "gbs", 5, "higher");
	test_ok(recs, "bw");
	cJSON *r = anvil_report_build(recs, NULL, hw, "/x", 0, 0, err, sizeof(err));
	cJSON_Delete(recs);
	assert_non_null(r);
	return r;
}

static const char *why(const cJSON *c) { return cJSON_GetObjectItem(c, "why")->valuestring; }

static void test_waivers(void **state)
{
	/* active, for host b's figure: WAIVED with the reason; the run passes */
	cJSON *r = waiver_run("{\"test\": \"bw\", \"metric\": \"gbs\", \"host\": \"b\", \"reason\": \"DIMM on order\", \"expires\": \"2099-12-31\"}");
	const cJSON *b = find_check(r, "bw", "absolute", "b");
	assert_string_equal(verdict(b), "WAIVED");
	assert_non_null(strstr(why(b), "waived until 2099-12-31 (DIMM on order); it would be FAIL: gbs = 5"));
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "waived"), "verdict")->valuestring, "FAIL");
	assert_string_equal(verdict(find_check(r, "bw", "absolute", "a")), "PASS");
	assert_string_equal(cJSON_GetObjectItem(r, "verdict")->valuestring, "PASS");
	assert_int_equal(anvil_report_exit_code(r), 0);
	const cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "waivers"), 0);
	assert_string_equal(cJSON_GetObjectItem(w, "state")->valuestring, "active");
	assert_int_equal(cJSON_GetObjectItem(w, "waived")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(r, "summary")->child->next->next->valueint, 1);   /* WAIVED */
	cJSON_Delete(r);

	/* a waiver for the whole test (by runner) also sees the passing check */
	r = waiver_run("{\"test\": \"null\", \"reason\": \"known\", \"expires\": \"2099-01-01\"}");
	w = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "waivers"), 0);
	assert_int_equal(cJSON_GetObjectItem(w, "waived")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(w, "passing")->valueint, 1);
	cJSON_Delete(r);

	/* expired: no longer applies, and the report says so twice */
	r = waiver_run("{\"test\": \"bw\", \"metric\": \"gbs\", \"reason\": \"DIMM on order\", \"expires\": \"2000-01-01\"}");
	b = find_check(r, "bw", "absolute", "b");
	assert_string_equal(verdict(b), "FAIL");
	assert_non_null(strstr(why(b), "(a waiver for this, \"DIMM on order\", expired on 2000-01-01)"));
	assert_non_null(strstr(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "notes"), 0)->valuestring,
			       "the waiver for bw gbs (DIMM on order) expired on 2000-01-01 and no longer applies"));
	w = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "waivers"), 0);
	assert_string_equal(cJSON_GetObjectItem(w, "state")->valuestring, "expired");
	assert_int_equal(cJSON_GetObjectItem(w, "would_apply")->valueint, 1);
	assert_int_equal(anvil_report_exit_code(r), 1);
	cJSON_Delete(r);

	/* the expiry day itself still holds (UTC dates) */
	cJSON *prof = cJSON_Parse("{\"waivers\": [{\"test\": \"t\", \"reason\": \"r\", \"expires\": \"2026-05-01\"}]}");
	struct anvil_waivers *ws = anvil_waivers_new(prof, "2026-05-01");
	cJSON *notes = cJSON_CreateArray();
	anvil_waivers_notes(ws, notes);
	assert_int_equal(cJSON_GetArraySize(notes), 0);
	anvil_waivers_free(ws);
	ws = anvil_waivers_new(prof, "2026-05-02");
	anvil_waivers_notes(ws, notes);
	assert_int_equal(cJSON_GetArraySize(notes), 1);
	anvil_waivers_free(ws);
	cJSON_Delete(notes);
	cJSON_Delete(prof);

	assert_true(anvil_waiver_date_valid("2028-02-29"));
	assert_false(anvil_waiver_date_valid("2026-02-29"));
	assert_false(anvil_waiver_date_valid("2026-13-01"));
	assert_false(anvil_waiver_date_valid("2026-1-01"));
	assert_false(anvil_waiver_date_valid("2026-01-01x"));
	assert_false(anvil_waiver_date_valid("tomorrow"));
}

/* ---- the baseline, noise-aware ------------------------------------------------------ */

static cJSON *one_figure(const char *profile_extra, double v, const char *samples, const char *better)
{
	char rec[512];
	cJSON *recs = cJSON_CreateArray();
	cJSON_AddItemToArray(recs, start_with("", "{\"id\": \"d\", \"runner\": \"null\"}", NULL, profile_extra));
	snprintf(rec, sizeof(rec), "{\"kind\": \"metric\", \"test\": \"d\", \"host\": \"a\", \"name\": \"gflops\", \"value\": %g,"
		 " \"unit\": \"GFLOP/s\", \"better\": \"%s\"%s%s}", v, better, samples ? ", \"samples\": " : "", samples ? samples : "");
	add(recs, rec);
	metric(recs, "d", "gone", "gflops", 1, "higher");
	test_ok(recs, "d");
	cJSON *r = anvil_report_build(recs, NULL, hw, "/x", 0, 0, err, sizeof(err));
	cJSON_Delete(recs);
	assert_non_null(r);
	return r;
}

/* before -> after with samples on either side; returns the baseline check's verdict. */
static const char *regress(const char *extra, double before, const char *sb, double after, const char *sa,
			   const char *better, int *exit_code)
{
	static char v[16];
	cJSON *base = one_figure(extra, before, sb, better);
	cJSON *now = one_figure(extra, after, sa, better);
	/* the new run lacks host "gone" */
	cJSON *m = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(now, "tests"), 0), "metrics");
	cJSON_DeleteItemFromArray(m, 1);
	anvil_baseline_compare(now, base, "old", cJSON_GetObjectItem(cJSON_GetObjectItem(now, "run"), "profile_doc"));
	anvil_report_summarise(now);
	const cJSON *c = find_check(now, "d", "baseline", "a");
	snprintf(v, sizeof(v), "%s", verdict(c));
	*exit_code = anvil_report_exit_code(now);
	const cJSON *sec = cJSON_GetObjectItem(now, "baseline");
	assert_int_equal(cJSON_GetObjectItem(sec, "missing_total")->valueint, 1);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(sec, "missing"), 0), "host")->valuestring, "gone");
	const cJSON *row = cJSON_GetArrayItem(cJSON_GetObjectItem(sec, "rows"), 0);
	assert_true(numf(row, "before") == before && numf(row, "after") == after);
	assert_string_equal(cJSON_GetObjectItem(row, "verdict")->valuestring, v);
	cJSON_Delete(base);
	cJSON_Delete(now);
	return v;
}

static void test_baseline_noise(void **state)
{
	int code;
	/* no samples: the tolerance alone, 5 % by default: -7 % is a regression */
	assert_string_equal(regress("", 100, NULL, 93, NULL, "higher", &code), "FAIL");
	assert_int_equal(code, 1);
	assert_string_equal(regress("", 100, NULL, 96, NULL, "higher", &code), "PASS");
	/* tight samples (spread sqrt(1 + 1)): -7 is beyond 3 x 1.41 as well */
	assert_string_equal(regress("", 100, "[99, 100, 101]", 93, "[92, 93, 94]", "higher", &code), "FAIL");
	/* noisy samples (sd 5 and 1: spread 5.1, 3 x = 15.3): beyond the tolerance, within the noise */
	assert_string_equal(regress("", 100, "[95, 100, 105]", 93, "[92, 93, 94]", "higher", &code), "WARN");
	assert_int_equal(code, 0);
	/* k from the profile: 1 x 5.1 < 7 */
	assert_string_equal(regress(", \"baseline\": {\"k\": 1}", 100, "[95, 100, 105]", 93, "[92, 93, 94]", "higher", &code), "FAIL");
	/* a tolerance per test/metric */
	assert_string_equal(regress(", \"baseline\": {\"metrics\": {\"d/gflops\": 0.1}}", 100, NULL, 93, NULL, "higher", &code), "PASS");
	/* lower is better: a rise is the regression, a fall is not */
	assert_string_equal(regress("", 10, NULL, 11, NULL, "lower", &code), "FAIL");
	assert_string_equal(regress("", 10, NULL, 8, NULL, "lower", &code), "PASS");

	cJSON *m = cJSON_Parse("{\"samples\": [1, 2, 3, 4]}");
	assert_true(fabs(anvil_metric_spread(m) - sqrt(5.0 / 3)) < 1e-12);
	cJSON_AddNumberToObject(m, "stddev", 0.25);   /* the runner's own figure wins */
	assert_true(anvil_metric_spread(m) == 0.25);
	cJSON_Delete(m);
	m = cJSON_Parse("{\"samples\": [1]}");
	assert_true(isnan(anvil_metric_spread(m)));
	cJSON_Delete(m);
}

/* ---- the profile's checks of rules, waivers, baseline ---------------------------------- */

static void profile_refused(const char *members, const char *want)
{
	char text[2048];
	struct anvil_json_doc doc;
	snprintf(text, sizeof(text), "{\"schema\": \"anvil-profile/1\", \"name\": \"p\", \"tests\": [{\"runner\": \"null\"}]%s}", members);
	assert_int_equal(anvil_json_parse(text, strlen(text), "p.json", &doc, err, sizeof(err)), 0);
	int rc = anvil_profile_check(&doc, err, sizeof(err));
	anvil_json_doc_release(&doc);
	if (!want) {
		if (rc)
			fail_msg("refused: %s", err);
		return;
	}
	assert_int_equal(rc, -1);
	if (!strstr(err, want))
		fail_msg("expected \"%s\" in \"%s\"", want, err);
}

static void test_profile_rules(void **state)
{
	profile_refused(", \"checks\": [{\"test\": \"t\", \"metric\": \"m\", \"rule\": \"mad\"}]", NULL);
	profile_refused(", \"checks\": [{\"test\": \"t\", \"metric\": \"m\", \"rule\": \"mad\", \"k\": 3, \"warn\": 2}]", NULL);
	profile_refused(", \"checks\": [{\"test\": \"t\", \"metric\": \"m\", \"rule\": \"mad\", \"min\": 0.9}]",
			"p.json:1:86: a \"mad\" check takes \"k\"");
	profile_refused(", \"checks\": [{\"test\": \"t\", \"metric\": \"m\", \"rule\": \"mad\", \"k\": 0}]", "k");
	profile_refused(", \"checks\": [{\"test\": \"t\", \"metric\": \"m\", \"rule\": \"mad\", \"k\": 3, \"warn\": 4}]", "warn");
	profile_refused(", \"checks\": [{\"test\": \"t\", \"metric\": \"m\", \"rule\": \"peers\", \"min\": 0.9, \"k\": 3}]",
			"\"k\" belongs to the \"mad\" rule");
	profile_refused(", \"checks\": [{\"test\": \"t\", \"metric\": \"m\", \"rule\": \"mad\", \"min_dev\": 0.03}]", NULL);
	profile_refused(", \"checks\": [{\"test\": \"t\", \"metric\": \"m\", \"rule\": \"mad\", \"min_dev\": 3}]", "min_dev");
	profile_refused(", \"checks\": [{\"test\": \"t\", \"metric\": \"m\", \"rule\": \"peers\", \"min\": 0.9, \"min_dev\": 0.1}]",
			"\"min_dev\" belongs to the \"mad\" rule");
	profile_refused(", \"checks\": [{\"test\": \"t\", \"metric\": \"m\", \"rule\": \"median\", \"min\": 1}]",
			"unknown rule \"median\" (expected peak, absolute, peers or mad)");
	profile_refused(", \"waivers\": [{\"test\": \"t\", \"reason\": \"r\", \"expires\": \"2026-06-30\"}]", NULL);
	profile_refused(", \"waivers\": [{\"test\": \"t\", \"expires\": \"2026-06-30\"}]", "reason");
	profile_refused(", \"waivers\": [{\"test\": \"t\", \"reason\": \"\", \"expires\": \"2026-06-30\"}]", "a waiver needs a \"reason\"");
	profile_refused(", \"waivers\": [{\"test\": \"t\", \"reason\": \"r\", \"expires\": \"30/06/2026\"}]",
			"\"expires\" must be a date YYYY-MM-DD");
	profile_refused(", \"waivers\": [{\"test\": \"t\", \"reason\": \"r\", \"expires\": \"2026-06-31\"}]", "found \"2026-06-31\"");
	profile_refused(", \"waivers\": [{\"test\": \"t\", \"reason\": \"r\", \"expires\": \"2026-06-30\", \"until\": 1}]", "until");
	profile_refused(", \"baseline\": {\"tolerance\": 0.05, \"k\": 3, \"metrics\": {\"stream/triad_gbs\": 0.1}}", NULL);
	profile_refused(", \"baseline\": {\"k\": -1}", "baseline k");
	profile_refused(", \"baseline\": {\"metrics\": {\"triad_gbs\": 0.1}}", "\"test/metric\"");
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
		cmocka_unit_test(test_mad),
		cmocka_unit_test(test_mad_min_dev),
		cmocka_unit_test(test_waivers),
		cmocka_unit_test(test_baseline_noise),
		cmocka_unit_test(test_profile_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
