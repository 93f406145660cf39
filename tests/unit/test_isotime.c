/* anvil_iso_time: a journal's "t" as an ISO 8601 UTC time; a missing (NaN)
 * or absurd one (found by fuzz_report: a start record without "t") is
 * "unknown", never undefined behaviour. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include "common/fsutil.h"

static void test_iso_time(void **state)
{
	(void)state;
	char b[32];
	anvil_iso_time(1795262991.769, b, sizeof(b));
	assert_string_equal(b, "2026-11-21T12:09:51Z");
	anvil_iso_time(0, b, sizeof(b));
	assert_string_equal(b, "1970-01-01T00:00:00Z");
	const double bad[] = { NAN, INFINITY, -INFINITY, 1e300, -1e300, 253402300800.0 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		anvil_iso_time(bad[i], b, sizeof(b));
		assert_string_equal(b, "unknown");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_iso_time) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
