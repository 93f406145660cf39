/* common/sort.c: numbers sorted by their bits in the order qsort gives them
 * with a comparison function, value for value (bits and all), whatever the
 * count, the signs, the exponents, repeats, zeros of both signs and NaNs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "common/sort.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A number of one of several kinds: a fleet's figures (close together), any
 * bits, small integers (many repeats), negatives, zeros, infinities. */
static double number(int kind)
{
	uint64_t r = next();
	switch (kind % 6) {
	case 0: return 3000 + (double)(r % 100000) / 997;
	case 1: { double x; memcpy(&x, &r, sizeof(x)); return isnan(x) ? 1.5 : x; }
	case 2: return (double)(r % 7);
	case 3: return -(double)(r % 1000000) / 7;
	case 4: return r % 3 ? 0.0 : (r % 2 ? INFINITY : -INFINITY);
	default: return ldexp((double)(r % 1000), (int)(r >> 40) % 200 - 100) * (r >> 63 ? -1 : 1);
	}
}

static void same_as_qsort(double *v, size_t n)
{
	double *want = malloc((n + 1) * sizeof(*want));
	memcpy(want, v, n * sizeof(*v));
	if (n > 1)
		qsort(want, n, sizeof(*want), cmp_double);
	anvil_sort_doubles(v, n);
	if (n && memcmp(v, want, n * sizeof(*v)))
		for (size_t i = 0; i < n; i++)
			if (memcmp(&v[i], &want[i], sizeof(*v)))
				fail_msg("%zu numbers: at %zu %a, qsort has %a", n, i, v[i], want[i]);
	free(want);
}

static void test_as_qsort(void **state)
{
	(void)state;
	static const size_t sizes[] = { 0, 1, 2, 3, 47, 48, 49, 100, 1000, 8192, 100003 };
	for (size_t s = 0; s < sizeof(sizes) / sizeof(*sizes); s++)
		for (int kind = 0; kind < 8; kind++) {
			size_t n = sizes[s];
			double *v = malloc((n + 1) * sizeof(*v));
			for (size_t i = 0; i < n; i++)
				v[i] = number(kind < 6 ? kind : (int)(next() % 6));  /* 6, 7: the kinds mixed */
			same_as_qsort(v, n);
			/* sorted already, and backwards */
			same_as_qsort(v, n);
			for (size_t i = 0; i < n / 2; i++) {
				double t = v[i];
				v[i] = v[n - 1 - i];
				v[n - 1 - i] = t;
			}
			same_as_qsort(v, n);
			free(v);
		}
}

/* -0 among +0s, and NaN: sorted as qsort sorts them (the radix sort would
 * put -0 before +0, where qsort keeps them in their order). */
static void test_negative_zero_and_nan(void **state)
{
	(void)state;
	for (size_t n = 2; n < 300; n += 37) {
		double *v = malloc(n * sizeof(*v));
		for (size_t i = 0; i < n; i++)
			v[i] = i % 3 ? 0.0 : (double)(n - i);
		v[n / 2] = -0.0;
		same_as_qsort(v, n);
		assert_true(v[0] == 0);
		free(v);
	}
	double w[100];
	for (int i = 0; i < 100; i++)
		w[i] = 100 - i;
	w[50] = NAN;
	anvil_sort_doubles(w, 100);  /* whatever the order, every number is still there once */
	int nans = 0;
	double sum = 0;
	for (int i = 0; i < 100; i++) {
		if (isnan(w[i]))
			nans++;
		else
			sum += w[i];
	}
	assert_int_equal(nans, 1);
	assert_true(sum == 5050 - 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_as_qsort),
		cmocka_unit_test(test_negative_zero_and_nan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
