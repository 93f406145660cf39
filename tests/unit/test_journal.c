/* The journal: round trip, a torn last line tolerated, a corrupted one refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/journal.h"

static char dir[64], path[128], err[512];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/anvil-journal-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, ANVIL_JOURNAL_NAME);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	rmdir(dir);
	return 0;
}

static void append_n(int n, int from)
{
	struct anvil_journal j;
	assert_int_equal(anvil_journal_open(&j, dir, err, sizeof(err)), 0);
	for (int i = 0; i < n; i++) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "kind", "metric");
		cJSON_AddNumberToObject(r, "value", from + i);
		assert_int_equal(anvil_journal_append(&j, r, err, sizeof(err)), 0);
		cJSON_Delete(r);
	}
	anvil_journal_close(&j);
}

static void append_raw(const char *text)
{
	FILE *f = fopen(path, "a");
	fputs(text, f);
	fclose(f);
}

static void test_round_trip(void **state)
{
	append_n(3, 0);
	struct anvil_journal_read jr;
	assert_int_equal(anvil_journal_read(path, &jr, err, sizeof(err)), 0);
	assert_int_equal(cJSON_GetArraySize(jr.records), 3);
	assert_false(jr.torn_tail);
	const cJSON *r = cJSON_GetArrayItem(jr.records, 2);
	assert_int_equal(cJSON_GetObjectItem(r, "seq")->valueint, 2);
	assert_int_equal(cJSON_GetObjectItem(r, "v")->valueint, ANVIL_JOURNAL_VERSION);
	assert_int_equal(cJSON_GetObjectItem(r, "value")->valueint, 2);
	anvil_journal_read_release(&jr);
}

static void test_torn_tail_then_resume(void **state)
{
	append_n(2, 0);
	append_raw("{\"v\":1,\"seq\":2,\"kind\":\"met");
	struct anvil_journal_read jr;
	assert_int_equal(anvil_journal_read(path, &jr, err, sizeof(err)), 0);
	assert_int_equal(cJSON_GetArraySize(jr.records), 2);
	assert_true(jr.torn_tail);
	assert_int_equal(jr.torn_line, 3);
	anvil_journal_read_release(&jr);
	/* a resumed writer closes the torn line and goes on numbering */
	append_n(1, 10);
	assert_int_equal(anvil_journal_read(path, &jr, err, sizeof(err)), 0);
	assert_int_equal(cJSON_GetArraySize(jr.records), 4);  /* 2, the repair note, 1 */
	assert_int_equal(jr.torn_repaired, 1);
	assert_false(jr.torn_tail);
	const cJSON *note = cJSON_GetArrayItem(jr.records, 2);
	assert_string_equal(cJSON_GetObjectItem(note, "kind")->valuestring, "repair");
	assert_int_equal(cJSON_GetObjectItem(note, "torn_line")->valueint, 3);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(jr.records, 3), "seq")->valueint, 3);
	anvil_journal_read_release(&jr);
}

static void test_corrupted_middle_line(void **state)
{
	append_n(1, 0);
	append_raw("not json\n");
	append_n(1, 1);
	struct anvil_journal_read jr;
	assert_int_equal(anvil_journal_read(path, &jr, err, sizeof(err)), -1);
	char want[200];
	snprintf(want, sizeof(want), "%s:2:1:", path);
	if (strncmp(err, want, strlen(want)))
		fail_msg("expected %s..., got %s", want, err);
}

static void test_symlink_refused(void **state)
{
	assert_int_equal(symlink("/tmp/anvil-journal-target-never", path), 0);
	struct anvil_journal j;
	assert_int_equal(anvil_journal_open(&j, dir, err, sizeof(err)), -1);
	assert_true(strstr(err, "symbolic link") != NULL);
	assert_int_equal(access("/tmp/anvil-journal-target-never", F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_tail_then_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupted_middle_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
