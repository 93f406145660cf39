/* Unit tests of kernels/stream.c: sizing arithmetic, STREAM's validation on
 * good and corrupted arrays, a small real run, and the error paths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kernels/stream.h"

#define TS_N 1000  /* not a multiple of 8: the tail path is exercised too */

/* The arrays as stream.c leaves them after ntimes trials, computed here
 * independently of the module (the test's own oracle). */
static void ts_fill_expected(double *a, double *b, double *c, size_t n, int ntimes)
{
	double aj = 2.0, bj = 2.0, cj = 0.0;
	for (int k = 0; k < ntimes; k++) {
		cj = aj;
		bj = 3.0 * cj;
		cj = aj + bj;
		aj = bj + 3.0 * cj;
	}
	for (size_t j = 0; j < n; j++) {
		a[j] = aj;
		b[j] = bj;
		c[j] = cj;
	}
}

struct ts_arrays { double a[TS_N], b[TS_N], c[TS_N]; };

static struct ts_arrays *ts_arrays_new(int ntimes)
{
	struct ts_arrays *t = malloc(sizeof(*t));
	assert_non_null(t);
	ts_fill_expected(t->a, t->b, t->c, TS_N, ntimes);
	return t;
}

static void test_n_for_cache(void **state)
{
	(void)state;
	/* 32 MiB LLC: 4 x 32 MiB / 8 B = 16 Mi elements, already a multiple of 1024 */
	assert_int_equal(anvil_stream_n_for_cache(32u << 20, 0), 16777216);
	/* STREAM's 10M floor wins over a small cache, rounded up to 1024 */
	assert_int_equal(anvil_stream_n_for_cache(1u << 20, 10000000), 10000384);
	/* 4 x 1000 B = 4000 B = 500 elements -> 1024 */
	assert_int_equal(anvil_stream_n_for_cache(1000, 0), 1024);
	/* odd byte count rounds up: 4 x 1001 B = 500.5 elements -> 501 -> 1024 */
	assert_int_equal(anvil_stream_n_for_cache(1001, 1), 1024);
	assert_int_equal(anvil_stream_n_for_cache(0, 0), 0);
	assert_int_equal(anvil_stream_n_for_cache(0, 1), 1024);
	/* 1.5 GiB (a 2-socket part's summed L3): 805306368 elements */
	assert_int_equal(anvil_stream_n_for_cache(1536ull << 20, 10000000), 805306368);
	assert_int_equal(anvil_stream_n_for_cache(SIZE_MAX, 0) % 1024, 0);
}

static void test_validate_accepts_good_arrays(void **state)
{
	(void)state;
	struct ts_arrays *t = ts_arrays_new(10);
	double err[3];
	char why[160];
	assert_int_equal(anvil_stream_validate(t->a, t->b, t->c, TS_N, 10, err, why, sizeof(why)), 1);
	assert_true(err[0] == 0.0 && err[1] == 0.0 && err[2] == 0.0);
	assert_non_null(strstr(why, "validates"));
	free(t);
}

static void test_validate_detects_one_bad_element(void **state)
{
	(void)state;
	struct ts_arrays *t = ts_arrays_new(10);
	double err[3];
	char why[160];
	t->b[TS_N - 1] *= 1.0 + 1e-6;  /* one element, one part in a million */
	assert_int_equal(anvil_stream_validate(t->a, t->b, t->c, TS_N, 10, err, why, sizeof(why)), 0);
	assert_true(err[0] == 0.0 && err[2] == 0.0);
	assert_true(fabs(err[1] - 1e-9) < 1e-12);  /* 1e-6 spread over 1000 elements */
	assert_non_null(strstr(why, "b[]"));
	assert_non_null(strstr(why, "1 of 1000"));
	assert_null(strstr(why, "a[]"));
	free(t);
}

static void test_validate_wrong_trial_count_and_nan(void **state)
{
	(void)state;
	struct ts_arrays *t = ts_arrays_new(10);
	double err[3];
	char why[160];
	/* arrays after 10 trials checked as if 11 ran: all three are wrong */
	assert_int_equal(anvil_stream_validate(t->a, t->b, t->c, TS_N, 11, err, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "a[]"));
	assert_true(strlen(why) < sizeof(why));
	/* a NaN must fail, though stream.c's `err > eps` test would let it pass */
	ts_fill_expected(t->a, t->b, t->c, TS_N, 10);
	t->c[3] = NAN;
	assert_int_equal(anvil_stream_validate(t->a, t->b, t->c, TS_N, 10, err, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "c[]"));
	free(t);
}

static void test_run_small(void **state)
{
	(void)state;
	struct anvil_stream_result r;
	char err[256] = "";
	/* 100003 elements: odd, so the tail after the last whole line runs */
	assert_int_equal(anvil_stream_run(100003, 4, 2, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 100003);
	assert_int_equal(r.ntimes, 4);
	assert_int_equal(r.valid, 1);
	for (int k = 0; k < ANVIL_STREAM_KERNELS; k++) {
		assert_true(r.best_gbs[k] > 0.0 && isfinite(r.best_gbs[k]));
		assert_true(r.avg_gbs[k] > 0.0 && r.avg_gbs[k] <= r.best_gbs[k] * (1 + 1e-12));
		assert_true(r.min_s[k] > 0.0);
	}
	/* best rate and min time agree through STREAM's byte counts */
	assert_true(fabs(r.best_gbs[ANVIL_STREAM_TRIAD] * r.min_s[ANVIL_STREAM_TRIAD]
			 - 24.0 * 100003 / 1e9) < 1e-9);
}

static void test_run_default_threads(void **state)
{
	(void)state;
	struct anvil_stream_result r;
	char err[256] = "";
	assert_int_equal(anvil_stream_run(4096, 2, 0, &r, err, sizeof(err)), 0);
	assert_int_equal(r.valid, 1);
}

static void test_run_rejects_bad_arguments(void **state)
{
	(void)state;
	struct anvil_stream_result r;
	char err[256] = "";
	assert_int_equal(anvil_stream_run(1024, 1, 1, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ntimes=1"));
	assert_int_equal(anvil_stream_run(1024, ANVIL_STREAM_MAX_TIMES + 1, 1, &r, err, sizeof(err)), -1);
	assert_int_equal(anvil_stream_run(0, 10, 1, &r, err, sizeof(err)), -1);
}

static void test_run_absurd_size_fails_cleanly(void **state)
{
	(void)state;
	struct anvil_stream_result r;
	char err[256] = "";
	/* 2^58 elements: 3 x 2^61 bytes fits size_t but no machine */
	size_t n = (size_t)1 << 58;
	assert_int_equal(anvil_stream_run(n, 10, 1, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "6917529027641081856 bytes"));  /* 3 x 2^61 */
	/* 2^62 elements: the byte count itself overflows */
	assert_int_equal(anvil_stream_run((size_t)1 << 62, 10, 1, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "overflows"));
}

/* STREAM's byte counts, which the CPU and GPU runners both take from this
 * table: copy and scale move 2 words per element, add and triad 3. */
static void test_words_per_kernel(void **state)
{
	(void)state;
	const char *names[] = { "copy", "scale", "add", "triad" };
	const double words[] = { 2, 2, 3, 3 };
	for (int k = 0; k < ANVIL_STREAM_KERNELS; k++) {
		assert_string_equal(anvil_stream_names[k], names[k]);
		assert_true(anvil_stream_words[k] == words[k]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_n_for_cache),
		cmocka_unit_test(test_words_per_kernel),
		cmocka_unit_test(test_validate_accepts_good_arrays),
		cmocka_unit_test(test_validate_detects_one_bad_element),
		cmocka_unit_test(test_validate_wrong_trial_count_and_nan),
		cmocka_unit_test(test_run_small),
		cmocka_unit_test(test_run_default_threads),
		cmocka_unit_test(test_run_rejects_bad_arguments),
		cmocka_unit_test(test_run_absurd_size_fails_cleanly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
