/* JSON with positions: every error says FILE:LINE:COL and what was expected. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/json.h"

static char err[512];

static int parse(const char *text, struct anvil_json_doc *doc)
{
	err[0] = '\0';
	return anvil_json_parse(text, strlen(text), "cfg.json", doc, err, sizeof(err));
}

static void expect_error(const char *text, const char *want)
{
	struct anvil_json_doc doc;
	assert_int_equal(parse(text, &doc), -1);
	if (!strstr(err, want))
		fail_msg("for %s: expected \"%s\" in \"%s\"", text, want, err);
}

static void test_valid_and_positions(void **state)
{
	struct anvil_json_doc doc;
	assert_int_equal(parse("{\n  \"a\": [1, 2.5e3, true],\n  \"b\": \"x\\u00e9\\ud83d\\ude00\"\n}", &doc), 0);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(doc.root, "a");
	assert_int_equal(cJSON_GetArraySize(a), 3);
	assert_true(cJSON_GetArrayItem(a, 1)->valuedouble == 2500.0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(doc.root, "b")->valuestring, "x\xc3\xa9\xf0\x9f\x98\x80");
	char w[64];
	assert_string_equal(anvil_json_where(&doc, a, w, sizeof(w)), "cfg.json:2:8");
	assert_string_equal(anvil_json_where(&doc, cJSON_GetArrayItem(a, 2), w, sizeof(w)), "cfg.json:2:19");
	anvil_json_doc_release(&doc);
}

static void test_errors(void **state)
{
	expect_error("", "cfg.json:1:1: empty document");
	expect_error("{\"a\": 1,\n \"b\" 2}", "cfg.json:2:6: expected ':' after member name \"b\"");
	expect_error("{\"a\": 1 \"b\": 2}", "cfg.json:1:9: expected ',' or '}'");
	expect_error("[1, 2", "cfg.json:1:1: array is not closed");
	expect_error("{\"a\": 1, \"a\": 2}", "cfg.json:1:10: duplicate key \"a\" (first at cfg.json:1:7)");
	expect_error("{\"a\": \"\xff\"}", "cfg.json:1:8: invalid UTF-8");
	expect_error("{\"a\": 01}", "leading zeros");
	expect_error("{\"a\": 1e999}", "out of range");
	expect_error("{\"a\": tru}", "expected a value");
	expect_error("{} x", "cfg.json:1:4: unexpected 'x' after the end");
	expect_error("\"\\ud800\"", "unpaired UTF-16 surrogate");
	expect_error("\"a\tb\"", "control character");
	char deep[200];
	memset(deep, '[', 100);
	deep[100] = '\0';
	expect_error(deep, "nesting deeper than 64");
}

/* Large documents: duplicates found by the hash table past the first 16
 * members, and every position right (they are counted in one pass). */
static void test_large_objects(void **state)
{
	size_t cap = 200000;
	char *text = malloc(cap);
	size_t n = (size_t)snprintf(text, cap, "{\n");
	for (int i = 0; i < 5000; i++)
		n += (size_t)snprintf(text + n, cap - n, "\"k%d\": [%d, \"v\"],\n", i, i);
	n += (size_t)snprintf(text + n, cap - n, "\"k4321\": 0}");
	struct anvil_json_doc doc;
	assert_int_equal(anvil_json_parse(text, n, "big.json", &doc, err, sizeof(err)), -1);
	assert_string_equal(err, "big.json:5002:1: duplicate key \"k4321\" (first at big.json:4323:10)");
	text[n - 9] = '9';  /* "k9321": a new key */
	assert_int_equal(anvil_json_parse(text, n, "big.json", &doc, err, sizeof(err)), 0);
	char w[64];
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(doc.root, "k4999");
	assert_string_equal(anvil_json_where(&doc, k, w, sizeof(w)), "big.json:5001:10");
	assert_string_equal(anvil_json_where(&doc, cJSON_GetArrayItem(k, 1), w, sizeof(w)), "big.json:5001:17");
	assert_string_equal(anvil_json_where(&doc, doc.root, w, sizeof(w)), "big.json:1:1");
	anvil_json_doc_release(&doc);
	free(text);
}

static void test_check_shape(void **state)
{
	static const struct anvil_json_field fields[] = {
		{ "name", AJ_STRING, 1 }, { "n", AJ_NUMBER, 0 }, { NULL, 0, 0 },
	};
	struct anvil_json_doc doc;
	assert_int_equal(parse("{\"name\": \"x\",\n \"nn\": 1}", &doc), 0);
	assert_int_equal(anvil_json_check(&doc, doc.root, "the thing", fields, err, sizeof(err)), -1);
	assert_string_equal(err, "cfg.json:2:8: unknown key \"nn\" in the thing (expected one of: name, n)");
	anvil_json_doc_release(&doc);
	assert_int_equal(parse("{\"name\": 3}", &doc), 0);
	assert_int_equal(anvil_json_check(&doc, doc.root, "the thing", fields, err, sizeof(err)), -1);
	assert_string_equal(err, "cfg.json:1:10: \"name\" in the thing must be a string, found a number");
	anvil_json_doc_release(&doc);
	assert_int_equal(parse("{\"n\": -3.5}", &doc), 0);
	assert_int_equal(anvil_json_check(&doc, doc.root, "the thing", fields, err, sizeof(err)), -1);
	assert_true(strstr(err, "lacks the required key \"name\"") != NULL);
	assert_int_equal(anvil_json_check_number(&doc, cJSON_GetObjectItemCaseSensitive(doc.root, "n"),
						 "n", 0, 10, 1, err, sizeof(err)), -1);
	assert_string_equal(err, "cfg.json:1:7: n must be a whole number, found -3.5");
	anvil_json_doc_release(&doc);
}

/* The one UTF-8 rule shared by the parser and reports/jscan.c. */
static void test_utf8_len(void **state)
{
	(void)state;
#define U8(s) anvil_json_utf8_len((const unsigned char *)(s), (const unsigned char *)(s) + sizeof(s) - 1)
	assert_int_equal(U8("a"), 1);
	assert_int_equal(U8("\xc3\xa9"), 2);            /* é */
	assert_int_equal(U8("\xe2\x82\xac"), 3);        /* € */
	assert_int_equal(U8("\xf0\x9f\x98\x80"), 4);    /* U+1F600 */
	assert_int_equal(U8("\xc3"), 0);                /* cut short */
	assert_int_equal(U8("\xc0\xaf"), 0);            /* overlong '/' */
	assert_int_equal(U8("\xed\xa0\x80"), 0);        /* surrogate U+D800 */
	assert_int_equal(U8("\xf4\x90\x80\x80"), 0);    /* above U+10FFFF */
	assert_int_equal(U8("\x80"), 0);                /* lone continuation byte */
#undef U8
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_and_positions),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_large_objects),
		cmocka_unit_test(test_check_shape),
		cmocka_unit_test(test_utf8_len),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
