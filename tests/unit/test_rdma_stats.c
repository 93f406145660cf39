/* The RDMA figures on synthetic time stamps, checked against values worked
 * out by hand from perftest's print_report_lat() and print_report_bw(). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/rdma_stats.h"

#define EPS 1e-9

/* ---- latency ---------------------------------------------------------------------- */

static void test_lat_smallest(void **state)
{
	(void)state;
	/* 5 posts → differences 1, 2, 3, 4 µs; the 2 largest dropped → n = 2 (even) */
	uint64_t tp[] = { 0, 1000, 3000, 6000, 10000 }, scratch[4];
	struct anvil_rdma_lat l;
	assert_int_equal(anvil_rdma_lat_stats(tp, 5, 1, scratch, &l), 0);
	assert_int_equal(l.samples, 2);
	assert_true(fabs(l.min_us - 1.0) < EPS);
	assert_true(fabs(l.typical_us - 1.5) < EPS);   /* (d[1] + d[0]) / 2 */
	assert_true(fabs(l.avg_us - 1.5) < EPS);
	assert_true(fabs(l.p99_us - 3.0) < EPS);       /* d[ceil(1.98)] = d[2] */
	assert_true(fabs(l.p999_us - 3.0) < EPS);
	assert_true(fabs(l.max_us - 3.0) < EPS);       /* d[n]: the second largest */
	/* write and send halve the round trip */
	assert_int_equal(anvil_rdma_lat_stats(tp, 5, 2, scratch, &l), 0);
	assert_true(fabs(l.typical_us - 0.75) < EPS);
	assert_true(fabs(l.max_us - 1.5) < EPS);
}

/* iters posts whose iters - 1 differences are 1..iters-1 µs in a scrambled order. */
static uint64_t *scrambled(long iters)
{
	long m = iters - 1;
	uint64_t *tp = malloc(sizeof(*tp) * (size_t)iters);
	tp[0] = 5000000;
	for (long i = 0; i < m; i++)
		tp[i + 1] = tp[i] + 1000 * (uint64_t)((i * 7919) % m + 1);   /* 7919 is prime to m here */
	return tp;
}

static void test_lat_indexing(void **state)
{
	(void)state;
	struct anvil_rdma_lat l;
	/* 1001 posts: 1000 differences 1..1000 µs; n = 998 (even) */
	uint64_t *tp = scrambled(1001), *scratch = malloc(sizeof(uint64_t) * 1000);
	assert_int_equal(anvil_rdma_lat_stats(tp, 1001, 1, scratch, &l), 0);
	assert_int_equal(l.samples, 998);
	assert_true(fabs(l.min_us - 1) < EPS);
	assert_true(fabs(l.typical_us - 499.5) < EPS);   /* (d[499] + d[498]) / 2 = (500 + 499) / 2 */
	assert_true(fabs(l.avg_us - 499.5) < EPS);       /* mean of 1..998 */
	assert_true(fabs(l.p99_us - 990) < EPS);         /* d[ceil(988.02)] = d[989] */
	assert_true(fabs(l.p999_us - 999) < EPS);        /* d[ceil(997.002)] = d[998] */
	assert_true(fabs(l.max_us - 999) < EPS);         /* d[998]; 1000 was dropped */
	free(tp);
	free(scratch);
	/* 1002 posts: 1001 differences; n = 999 (odd) */
	tp = scrambled(1002);
	scratch = malloc(sizeof(uint64_t) * 1001);
	assert_int_equal(anvil_rdma_lat_stats(tp, 1002, 1, scratch, &l), 0);
	assert_int_equal(l.samples, 999);
	assert_true(fabs(l.typical_us - 500) < EPS);     /* d[499] */
	assert_true(fabs(l.avg_us - 500) < EPS);
	assert_true(fabs(l.p99_us - 991) < EPS);         /* d[ceil(989.01)] = d[990] */
	assert_true(fabs(l.p999_us - 1000) < EPS);       /* d[ceil(998.001)] = d[999] */
	assert_true(fabs(l.max_us - 1000) < EPS);
	free(tp);
	free(scratch);
}

static void test_lat_too_few(void **state)
{
	(void)state;
	uint64_t tp[5] = { 0, 1, 2, 3, 4 }, scratch[4];
	struct anvil_rdma_lat l;
	assert_int_equal(anvil_rdma_lat_stats(tp, 4, 1, scratch, &l), -1);
	assert_int_equal(anvil_rdma_lat_stats(tp, 5, 0, scratch, &l), -1);
}

/* ---- bandwidth -------------------------------------------------------------------------- */

static void test_bw_even_stream(void **state)
{
	(void)state;
	/* every message posted 10 ns after the last and completed 5 ns after its post slot ends */
	uint64_t tp[100], tc[100];
	for (int i = 0; i < 100; i++) {
		tp[i] = 1000 + 10 * (uint64_t)i;
		tc[i] = 1000 + 10 * (uint64_t)(i + 1) + 5;
	}
	struct anvil_rdma_bw b;
	assert_int_equal(anvil_rdma_bw_stats(tp, tc, 100, 1000, 1, 1, &b), 0);
	assert_true(fabs(b.avg_gbs - 100000.0 / 1005) < EPS);
	assert_true(fabs(b.peak_gbs - 1000 / 10.05) < EPS);   /* (10 n + 5) / n is least at n = 100 */
	assert_true(fabs(b.msg_rate_mpps - 100.0 / 1005 * 1e3) < EPS);
	assert_true(fabs(b.seconds - 1005e-9) < 1e-15);
	assert_int_equal(b.msgs, 100);
}

static void test_bw_moderated(void **state)
{
	(void)state;
	/* 10 messages, cq_mod 4: completions stand at 3, 7 and (the last, signaled alone) 9 */
	uint64_t tp[10], tc[10] = { 0 };
	for (int i = 0; i < 10; i++)
		tp[i] = 100 * (uint64_t)i;
	tc[3] = 1000;
	tc[7] = 1500;
	tc[9] = 2500;
	struct anvil_rdma_bw b;
	assert_int_equal(anvil_rdma_bw_stats(tp, tc, 10, 100, 4, 1, &b), 0);
	assert_true(fabs(b.avg_gbs - 0.4) < EPS);             /* 1000 B / 2500 ns */
	assert_true(fabs(b.peak_gbs - 100 / 187.5) < EPS);    /* post 0 to completion 7: 1500 ns / 8 */
	assert_true(fabs(b.msg_rate_mpps - 4.0) < EPS);
	/* the same run without the peak: perftest -N */
	assert_int_equal(anvil_rdma_bw_stats(tp, tc, 10, 100, 4, 0, &b), 0);
	assert_true(isnan(b.peak_gbs));
	assert_true(fabs(b.avg_gbs - 0.4) < EPS);
}

static void test_bw_last_term(void **state)
{
	(void)state;
	/* cq_mod 4 over 6 messages: completions stand at j = 3 and at the extra
	 * j = n - 1 = 5 perftest adds when cq_mod does not divide n; the peak is
	 * post 1 to completion 5, which only that extra term reaches */
	uint64_t tp[6] = { 0, 1000, 1010, 1020, 1030, 1040 }, tc[6] = { 0, 0, 0, 5000, 0, 5030 };
	struct anvil_rdma_bw b;
	assert_int_equal(anvil_rdma_bw_stats(tp, tc, 6, 600, 4, 1, &b), 0);
	assert_true(fabs(b.peak_gbs - 600 / 806.0) < EPS);   /* (5030 - 1000) / 5 */
	assert_true(fabs(b.avg_gbs - 3600 / 5030.0) < EPS);
}

static void test_bw_bad_input(void **state)
{
	(void)state;
	uint64_t tp[2] = { 100, 200 }, tc[2] = { 0, 0 };
	struct anvil_rdma_bw b;
	assert_int_equal(anvil_rdma_bw_stats(tp, tc, 0, 8, 1, 1, &b), -1);
	assert_int_equal(anvil_rdma_bw_stats(tp, tc, 2, 8, 1, 1, &b), -1);   /* the end unstamped */
	tc[1] = 50;
	assert_int_equal(anvil_rdma_bw_stats(tp, tc, 2, 8, 1, 1, &b), -1);   /* ends before it began */
	tc[1] = 300;
	assert_int_equal(anvil_rdma_bw_stats(tp, tc, 2, 8, 0, 1, &b), -1);   /* cq_mod 0 */
}

static void test_bw_window(void **state)
{
	(void)state;
	struct anvil_rdma_bw b;
	anvil_rdma_bw_window(1000, 1000000, 4096, &b);
	assert_true(fabs(b.avg_gbs - 4.096) < EPS);
	assert_true(fabs(b.msg_rate_mpps - 1.0) < EPS);
	assert_true(fabs(b.seconds - 1e-3) < EPS);
	assert_true(isnan(b.peak_gbs));
	anvil_rdma_bw_window(0, 0, 4096, &b);
	assert_true(b.avg_gbs == 0);
}

static void test_cq_mod_rule(void **state)
{
	(void)state;
	assert_int_equal(anvil_rdma_cq_mod(0, 2, 128), 100);
	assert_int_equal(anvil_rdma_cq_mod(0, 8192, 128), 100);
	assert_int_equal(anvil_rdma_cq_mod(0, 8193, 128), 1);
	assert_int_equal(anvil_rdma_cq_mod(0, 64, 50), 50);
	assert_int_equal(anvil_rdma_cq_mod(7, 1 << 20, 128), 7);
	assert_int_equal(anvil_rdma_cq_mod(200, 2, 128), 128);
	assert_int_equal(anvil_rdma_cq_mod(0, 2, 1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lat_smallest),
		cmocka_unit_test(test_lat_indexing),
		cmocka_unit_test(test_lat_too_few),
		cmocka_unit_test(test_bw_even_stream),
		cmocka_unit_test(test_bw_moderated),
		cmocka_unit_test(test_bw_last_term),
		cmocka_unit_test(test_bw_bad_input),
		cmocka_unit_test(test_bw_window),
		cmocka_unit_test(test_cq_mod_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
