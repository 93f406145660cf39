/* Command-line parsing: bad usage is refused with exit 2 before MPI starts
 * or anything is read; --help exits 0. The whole runs are in tests/cli. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include "bench/cli.h"

#define CALL(fn, ...) ({ char *argv[] = { __VA_ARGS__, NULL }; \
	fn((int)(sizeof(argv) / sizeof(*argv)) - 1, argv); })

static void test_run_usage(void **state)
{
	assert_int_equal(CALL(anvil_cmd_run, "run", "--frobnicate"), ANVIL_EXIT_USAGE);
	assert_int_equal(CALL(anvil_cmd_run, "run", "-p"), ANVIL_EXIT_USAGE);
	assert_int_equal(CALL(anvil_cmd_run, "run", "stray"), ANVIL_EXIT_USAGE);
	/* --resume takes everything from the journal: nothing else may be given */
	assert_int_equal(CALL(anvil_cmd_run, "run", "--resume", "/x", "-p", "quick"), ANVIL_EXIT_USAGE);
	assert_int_equal(CALL(anvil_cmd_run, "run", "--resume", "/x", "--set", "hpl.n=1"), ANVIL_EXIT_USAGE);
	assert_int_equal(CALL(anvil_cmd_run, "run", "--help"), 0);
}

static void test_report_usage(void **state)
{
	assert_int_equal(CALL(anvil_cmd_report, "report"), ANVIL_EXIT_USAGE);
	assert_int_equal(CALL(anvil_cmd_report, "report", "a", "b"), ANVIL_EXIT_USAGE);
	assert_int_equal(CALL(anvil_cmd_report, "report", "--baseline"), ANVIL_EXIT_USAGE);
	assert_int_equal(CALL(anvil_cmd_report, "report", "-x", "dir"), ANVIL_EXIT_USAGE);
	assert_int_equal(CALL(anvil_cmd_report, "report", "/nonexistent/anvil-run"), ANVIL_EXIT_USAGE);
	assert_int_equal(CALL(anvil_cmd_report, "report", "--help"), 0);
}

static void test_list_usage(void **state)
{
	assert_int_equal(CALL(anvil_cmd_list, "list", "--bogus"), ANVIL_EXIT_USAGE);
	assert_int_equal(CALL(anvil_cmd_list, "list", "--help"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_usage),
		cmocka_unit_test(test_report_usage),
		cmocka_unit_test(test_list_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
