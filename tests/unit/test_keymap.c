/* Unit tests of reports/keymap.c's composite keys: the labels of a figure
 * give one key whatever their order, skip what the caller says, and tell
 * non-string values and too many labels apart. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "reports/keymap.h"
#include "common/strbuf.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static int key_of(const char *json, const char *const *skip, struct strbuf *key)
{
	cJSON *labels = cJSON_Parse(json);
	assert_non_null(labels);
	key->len = 0;
	int r = anvil_key_add_labels(key, labels, skip);
	cJSON_Delete(labels);
	return r;
}

static void test_labels_key(void **state)
{
	(void)state;
	struct strbuf a, b;
	strbuf_init(&a);
	strbuf_init(&b);
	assert_int_equal(key_of("{\"x\":\"1\",\"a\":\"2\"}", NULL, &a), 0);
	assert_int_equal(key_of("{\"a\":\"2\",\"x\":\"1\"}", NULL, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	assert_memory_equal(a.buf, "a\0002\000x\0001\000", a.len);

	static const char *const skip[] = { "gpu", "peer", NULL };
	assert_int_equal(key_of("{\"gpu\":\"0\",\"a\":\"2\",\"peer\":\"n2\",\"x\":\"1\"}", skip, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);

	/* a value that is not a string is counted (its compact JSON "1" meets
	 * the string "1"; build.c keeps only string labels, and peers.c refuses) */
	assert_int_equal(key_of("{\"x\":1,\"a\":\"2\"}", NULL, &b), 1);
	assert_int_equal(key_of("{\"x\":[1],\"a\":\"2\"}", NULL, &b), 1);
	assert_memory_equal(b.buf, "a\0002\000x\000[1]\000", b.len);

	assert_int_equal(key_of("null", NULL, &b), 0);
	assert_int_equal(b.len, 0);

	char many[4096];
	size_t n = (size_t)snprintf(many, sizeof(many), "{");
	for (int i = 0; i <= ANVIL_KEY_MAX_LABELS; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%s\"k%d\":\"v\"", i ? "," : "", i);
	snprintf(many + n, sizeof(many) - n, "}");
	assert_int_equal(key_of(many, NULL, &b), -1);
	strbuf_release(&a);
	strbuf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
