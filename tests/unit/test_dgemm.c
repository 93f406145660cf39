/* Unit tests of kernels/dgemm.c: sizing arithmetic, small real runs that
 * must validate, and the error paths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include "kernels/dgemm.h"

static void test_n_for_bytes(void **state)
{
	(void)state;
	/* 3 x 4096^2 x 8 B = 384 MiB exactly */
	assert_int_equal(anvil_dgemm_n_for_bytes(402653184.0), 4096);
	/* one byte short: n = 4095 -> rounded down to 4032 */
	assert_int_equal(anvil_dgemm_n_for_bytes(402653183.0), 4032);
	/* 1 GB: sqrt(1e9 / 24) = 6454.97 -> 6400 */
	assert_int_equal(anvil_dgemm_n_for_bytes(1e9), 6400);
	/* 3 x 127^2 x 8 = 387096 B -> 127 -> 64 */
	assert_int_equal(anvil_dgemm_n_for_bytes(387096.0), 64);
	/* too little, nothing, nonsense: the floor of 64 */
	assert_int_equal(anvil_dgemm_n_for_bytes(1000.0), 64);
	assert_int_equal(anvil_dgemm_n_for_bytes(0.0), 64);
	assert_int_equal(anvil_dgemm_n_for_bytes(-5.0), 64);
	assert_int_equal(anvil_dgemm_n_for_bytes(NAN), 64);
	/* beyond int: clamped, still a multiple of 64 */
	assert_int_equal(anvil_dgemm_n_for_bytes(1e300) % 64, 0);
	assert_true(anvil_dgemm_n_for_bytes(1e300) > INT_MAX - 64);
}

static void td_check_run(int n, int threads, int reps)
{
	struct anvil_dgemm_result r;
	char err[256] = "";
	assert_int_equal(anvil_dgemm_bench(n, threads, reps, &r, err, sizeof(err)), 0);
	assert_int_equal(r.reps, reps);
	assert_int_equal(r.valid, 1);
	assert_true(r.max_rel_err >= 0.0 && r.max_rel_err < ANVIL_DGEMM_TOL);
	assert_true(r.best_s > 0.0);
	assert_true(r.best_gflops > 0.0 && isfinite(r.best_gflops));
	assert_true(r.mean_gflops > 0.0 && r.mean_gflops <= r.best_gflops * (1 + 1e-12));
	/* the rate is hpcc's definition: 2·n³ flops per call */
	double flops = 2.0 * n * n * n;
	assert_true(fabs(r.best_gflops * r.best_s - flops / 1e9) < 1e-9 * flops / 1e9);
}

static void test_bench_small(void **state)
{
	(void)state;
	td_check_run(256, 2, 3);
}

static void test_bench_odd_sizes(void **state)
{
	(void)state;
	td_check_run(1, 1, 1);    /* the check's sample grid collapses to one entry */
	td_check_run(97, 1, 2);   /* fewer rows than samples, not a block multiple */
	td_check_run(130, 0, 1);  /* threads <= 0: OpenBLAS's own setting */
}

static void test_bench_rejects_bad_arguments(void **state)
{
	(void)state;
	struct anvil_dgemm_result r;
	char err[256] = "";
	assert_int_equal(anvil_dgemm_bench(0, 1, 1, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "n=0"));
	assert_int_equal(anvil_dgemm_bench(64, 1, 0, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "reps=0"));
}

static void test_bench_absurd_size_fails_cleanly(void **state)
{
	(void)state;
	struct anvil_dgemm_result r;
	char err[256] = "";
	/* n = 2^28: 3 x 2^59 bytes fits size_t but no machine */
	assert_int_equal(anvil_dgemm_bench(1 << 28, 1, 1, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "1729382256910270464 bytes"));  /* 3 x 2^59 */
	/* n = INT_MAX: the byte count itself overflows size_t */
	assert_int_equal(anvil_dgemm_bench(INT_MAX, 1, 1, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "overflows"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_n_for_bytes),
		cmocka_unit_test(test_bench_small),
		cmocka_unit_test(test_bench_odd_sizes),
		cmocka_unit_test(test_bench_rejects_bad_arguments),
		cmocka_unit_test(test_bench_absurd_size_fails_cleanly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
