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

/* The conversions made without strfromd (%.Pf and %.Pg of ordinary
 * numbers) against snprintf: every precision up to 9 over numbers of every
 * magnitude, halfway cases (exact ties and near ones), powers of ten and
 * the values next to them, roundings that carry into a new digit. */
static void test_fast_numbers(void **state)
{
	(void)state;
	static const double edge[] = { 0.5, 1.5, 2.5, 0.125, 0.375, 9.5, 99.5, 9.9995, 9.99949999, 0.00099995,
				       99999.5, 999999999.5, 1e-5, 1e-4, 9.99999e-5, 0.0001, 1e15, 999999999999999.0,
				       1e14, 123456789.0, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 1e-12, 1.0000000000001e-12 };
	static const char *const f_fmt[] = { "%.0f", "%.1f", "%.2f", "%.3f", "%.4f", "%.5f", "%.6f", "%.7f", "%.8f", "%.9f", "%f" };
	static const char *const g_fmt[] = { "%.0g", "%.1g", "%.2g", "%.3g", "%.4g", "%.5g", "%.6g", "%.7g", "%.8g", "%.9g", "%g" };
	uint64_t x = 0x2545F4914F6CDD1DULL;
	char a[128], b[128];
	for (long i = 0; i < 1500000; i++) {
		double v;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		if (i < (long)(sizeof(edge) / sizeof(*edge)) * 4) {
			double e = edge[i / 4];
			v = i % 4 == 0 ? e : i % 4 == 1 ? -e : i % 4 == 2 ? nextafter(e, 0) : nextafter(e, 1e300);
		} else if (i % 4 == 0) {  /* a few decimal digits and an exponent, as measurements are */
			v = (double)(x % 100000) * pow(10, (double)((int)(x >> 20) % 30 - 18)) / 8;
		} else if (i % 4 == 1) {  /* halfway at some digit, and the doubles around it */
			double h = ((double)(x % 2000000) + 0.5) * pow(10, (double)((int)(x >> 24) % 12 - 8));
			v = (x >> 40) % 3 == 0 ? h : (x >> 40) % 3 == 1 ? nextafter(h, 0) : nextafter(h, 1e300);
		} else {
			v = (double)(int64_t)(x >> 11) / (double)(1ULL << (x % 63)) * pow(10, (double)((int)(x >> 30) % 16 - 8));
		}
		if (x & 1)
			v = -v;
		const char *fmt = (x >> 5) & 1 ? f_fmt[(x >> 8) % 11] : g_fmt[(x >> 8) % 11];
		int na = snprintf(a, sizeof(a), fmt, v), nb = anvil_fmt(b, sizeof(b), fmt, v);
		if (na != nb || strcmp(a, b))
			fail_msg("%s of %.17g: snprintf \"%s\", anvil_fmt \"%s\"", fmt, v, a, b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_snprintf),
		cmocka_unit_test(test_fast_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
