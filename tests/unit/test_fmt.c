/* common/fmt.c: anvil_fmt writes what snprintf writes, and returns what it
 * returns, for every format it takes on itself (and hands the rest to
 * vsnprintf): numbers of every size and sign, strings, integers of every
 * width, buffers too short. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "common/fmt.h"

#define SAME(len, ...)                                                                     \
	do {                                                                               \
		char a[600], b[600];                                                       \
		memset(a, 'x', sizeof(a));                                                 \
		memset(b, 'x', sizeof(b));                                                 \
		int na = snprintf(a, len, __VA_ARGS__), nb = anvil_fmt(b, len, __VA_ARGS__); \
		assert_int_equal(na, nb);                                                  \
		assert_memory_equal(a, b, sizeof(a));                                      \
	} while (0)

static void test_same_as_snprintf(void **state)
{
	(void)state;
	static const double special[] = { 0.0, -0.0, 1, -1, 0.5, 0.25, 0.15, 2.5, 99.95, 99.995, 1e-300, 5e-324,
					  1e300, 1.7976931348623157e308, 123456.789, 0.000123456, NAN, INFINITY, -INFINITY };
	uint64_t x = 0x9E3779B97F4A7C15ULL;
	for (int i = 0; i < 20000; i++) {
		double v;
		if (i < (int)(sizeof(special) / sizeof(*special))) {
			v = special[i];
		} else {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			memcpy(&v, &x, sizeof(v));
			if (!isfinite(v) || i % 3)
				v = (double)(int64_t)(x >> 12) / (double)(1ULL << (x % 60));
		}
		size_t len = i % 5 == 0 ? (size_t)(x % 40) : 600;
		SAME(len, "%.4g %s is %.1f%% of the median of %zu peer(s) (%.4g %s); %s %.0f%%", v, "GB/s", 100 * v,
		     (size_t)(x % 9000), v / 3, "GB/s", i % 2 ? "ceiling" : "floor", 90.0);
		SAME(len, "%.3e|%e|%f|%g|%.17g|%.2f|%.0e", v, v, v, v, v, v, v);
		SAME(len, "%d %i %u %ld %lu %lld %llu %zu %zd %c %% %s", (int)(x % 2001) - 1000, -(int)(x % 7),
		     (unsigned)x, (long)x, (unsigned long)x, (long long)x, (unsigned long long)x, (size_t)x,
		     (ptrdiff_t)x, 'a' + (int)(x % 26), i % 4 ? "text" : "");
	}
	/* handed to vsnprintf: widths, flags, string precision */
	SAME(600, "%5d|%-8s|%+.2f|%08.3f|%.3s|%x|%p", 42, "ab", 1.5, -2.25, "abcdef", 255u, (void *)0);
	SAME(10, "%.400s", "a long string cut by the buffer");
	SAME(600, "%.3f", 1e300);  /* longer than the number buffer */
	SAME(0, "%s %d", "nothing written", 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_snprintf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
