/* The view of a test (reports/view.c): the fleet's distributions over every
 * figure, and a test of more figures than the page shows cut down to the
 * figures of its failing checks, in their order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "reports/render.h"

static cJSON *figure(const char *host, const char *name, const char *gpu, double v)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "host", host);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(m, "labels"), "gpu", gpu);
	cJSON_AddStringToObject(m, "name", name);
	cJSON_AddNumberToObject(m, "value", v);
	cJSON_AddStringToObject(m, "unit", "GB/s");
	return m;
}

static void check(cJSON *t, const char *host, const char *name, const char *gpu, const char *verdict)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "name", name);
	cJSON_AddStringToObject(c, "host", host);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(c, "labels"), "gpu", gpu);
	cJSON_AddStringToObject(c, "verdict", verdict);
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(t, "checks"), c);
}

static cJSON *test_new(void)
{
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "id", "t");
	cJSON_AddArrayToObject(t, "metrics");
	cJSON_AddArrayToObject(t, "checks");
	return t;
}

static double num(const cJSON *o, const char *k)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static const cJSON *fleet_of(const cJSON *t, const char *name)
{
	const cJSON *f;
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(t, "fleet"))
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "name")), name))
			return f;
	return NULL;
}

/* 5000 figures of one name over hosts and GPUs, ten of another: the fleet
 * has both whole; the view keeps the two figures whose checks failed or
 * warned (not the passing one's), and says how many there were. */
static void test_abridged_keeps_failing_figures(void **state)
{
	(void)state;
	cJSON *t = test_new(), *metrics = cJSON_GetObjectItemCaseSensitive(t, "metrics");
	char host[16], gpu[4];
	for (int i = 0; i < 5000; i++) {
		snprintf(host, sizeof(host), "h%04d", i / 8);
		snprintf(gpu, sizeof(gpu), "%d", i % 8);
		cJSON_AddItemToArray(metrics, figure(host, "bw", gpu, i));
	}
	for (int i = 0; i < 10; i++)
		cJSON_AddItemToArray(metrics, figure("h0000", "lat", "0", 100 + i));
	check(t, "h0100", "bw", "3", "WARN");   /* figure 803 */
	check(t, "h0007", "bw", "1", "FAIL");   /* figure 57 */
	check(t, "h0200", "bw", "0", "PASS");
	check(t, "h0007", "bw", "2", "PASS");
	anvil_view_test(t);

	const cJSON *f = fleet_of(t, "bw");
	assert_non_null(f);
	assert_int_equal(num(f, "n"), 5000);
	assert_true(num(f, "min") == 0 && num(f, "max") == 4999 && num(f, "median") == 2499.5);
	assert_null(cJSON_GetObjectItemCaseSensitive(f, "labels"));  /* gpu is what the fleet spans */
	f = fleet_of(t, "lat");
	assert_non_null(f);
	assert_int_equal(num(f, "n"), 10);

	metrics = cJSON_GetObjectItemCaseSensitive(t, "metrics");
	assert_int_equal(cJSON_GetArraySize(metrics), 2);
	assert_true(num(cJSON_GetArrayItem(metrics, 0), "value") == 57);  /* in the test's order */
	assert_true(num(cJSON_GetArrayItem(metrics, 1), "value") == 803);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(t, "abridged"), "metrics");
	assert_int_equal(num(a, "total"), 5010);
	assert_int_equal(num(a, "kept"), 2);
	cJSON_Delete(t);
}

/* A figure with a member twice is read by its first, as a lookup reads it
 * (a journal's JSON may repeat a name); a value that is no number is in no
 * distribution. */
static void test_first_member_counts(void **state)
{
	(void)state;
	cJSON *t = test_new(), *metrics = cJSON_GetObjectItemCaseSensitive(t, "metrics");
	for (int i = 0; i < 4200; i++) {
		cJSON *m = figure("h1", "bw", "0", i);
		cJSON_AddStringToObject(m, "name", "other");
		cJSON_AddStringToObject(m, "host", "h2");
		cJSON_AddNumberToObject(m, "value", -1);
		cJSON_AddItemToArray(metrics, m);
	}
	cJSON *odd = figure("h1", "bw", "0", 0);
	cJSON_ReplaceItemInObjectCaseSensitive(odd, "value", cJSON_CreateString("fast"));
	cJSON_AddItemToArray(metrics, odd);
	check(t, "h1", "bw", "0", "FAIL");
	anvil_view_test(t);

	const cJSON *f = fleet_of(t, "bw");
	assert_non_null(f);
	assert_null(fleet_of(t, "other"));
	assert_int_equal(num(f, "n"), 4200);
	assert_true(num(f, "min") == 0 && num(f, "max") == 4199);
	/* every figure is h1's "bw" on GPU 0: all kept up to the view's limit */
	metrics = cJSON_GetObjectItemCaseSensitive(t, "metrics");
	assert_int_equal(cJSON_GetArraySize(metrics), ANVIL_VIEW_MAX_METRICS);
	cJSON_Delete(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abridged_keeps_failing_figures),
		cmocka_unit_test(test_first_member_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
