/* The NCCL runners' correctness data (kernels/nccl_data.h) and, in a build
 * with NCCL, every collective's counts, in-place layout and bandwidth
 * factors: each collective is simulated on the host as NCCL defines it,
 * with the runners' own counts, and its output must be exactly what the
 * GPU check expects. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/nccl_data.h"
#include "runners/registry.h"
#ifdef ANVIL_HAVE_NVCC
#include "runners/nccl_common.h"
#endif

static void test_values_exact(void **state)
{
	(void)state;
	for (size_t i = 0; i < 100000; i++) {
		float m = anvil_nccl_value(0, (int)(i % 97), i);
		assert_true(m >= 0 && m <= 65535 && m == floorf(m));
		float s = anvil_nccl_value(1, (int)(i % 97), i);
		assert_true(s >= 1 && s <= 255 + 16 && s == floorf(s));
	}
	/* a sum over the largest supported job stays exact in float (< 2^24) */
	assert_true(61000.0 * (255 + 16) < 16777216.0);
	/* the moved data tells ranks and positions apart */
	assert_true(anvil_nccl_moved(0, 5) != anvil_nccl_moved(1, 5) || anvil_nccl_moved(0, 6) != anvil_nccl_moved(1, 6));
	struct anvil_nccl_want w = { ANVIL_EXPECT_GATHER, 0, 4, 0, 0, 0 };
	assert_true(anvil_nccl_expected(&w, 3) == -1.0);  /* no block size: nothing can match */
}

/* The sum the GPU check expects equals the float sum of the inputs, in any order. */
static void test_sum_expected(void **state)
{
	(void)state;
	const int n = 13;
	double hsum = 0;
	for (int r = 0; r < n; r++)
		hsum += anvil_nccl_h(r);
	struct anvil_nccl_want w = { ANVIL_EXPECT_SUM, 0, n, 0, 0, hsum };
	for (size_t j = 0; j < 5000; j++) {
		float up = 0, down = 0;
		for (int r = 0; r < n; r++)
			up += anvil_nccl_value(1, r, j);
		for (int r = n - 1; r >= 0; r--)
			down += anvil_nccl_value(1, r, j);
		assert_true((double)up == anvil_nccl_expected(&w, j));
		assert_true(up == down);
	}
}

#ifdef ANVIL_NCCL_BUILT
static const struct anvil_nccl_coll *const colls[] = {
	&anvil_nccl_allreduce, &anvil_nccl_allgather, &anvil_nccl_reducescatter, &anvil_nccl_broadcast,
	&anvil_nccl_reduce, &anvil_nccl_alltoall, &anvil_nccl_sendrecv,
};

/* Rank r's output of collective k, as NCCL defines it, from every rank's input. */
static float simulate(const char *k, float **send, int n, int r, int root, size_t param, size_t j)
{
	float s = 0;
	if (!strcmp(k, "all_reduce") || !strcmp(k, "reduce")) {
		for (int q = 0; q < n; q++)
			s += send[q][j];
		return s;
	}
	if (!strcmp(k, "reduce_scatter")) {
		for (int q = 0; q < n; q++)
			s += send[q][(size_t)r * param + j];
		return s;
	}
	if (!strcmp(k, "all_gather"))
		return send[j / param][j % param];
	if (!strcmp(k, "alltoall"))
		return send[j / param][(size_t)r * param + j % param];
	if (!strcmp(k, "broadcast"))
		return send[root][j];
	if (!strcmp(k, "sendrecv"))
		return send[(r - 1 + n) % n][j];
	fail_msg("no simulation for %s", k);
	return 0;
}

static void check_one(const struct anvil_nccl_coll *k, int n, size_t bytes)
{
	struct anvil_nccl_counts c;
	int root = n - 1;
	k->counts(bytes / 4, n, &c);
	if (!c.param)
		return;
	/* what is sent and received fits the buffers of a size of `bytes` */
	assert_true(4 * c.send <= bytes && 4 * c.recv <= bytes);
	float **send = calloc((size_t)n, sizeof(float *));
	double hsum = 0;
	for (int r = 0; r < n; r++) {
		send[r] = malloc(c.send * sizeof(float));
		for (size_t i = 0; i < c.send; i++)
			send[r][i] = anvil_nccl_value(k->summed, r, i);
		hsum += anvil_nccl_h(r);
	}
	for (int r = 0; r < n; r++) {
		if (k->root_only && r != root)
			continue;
		struct anvil_nccl_want w = { k->expect, r, n, root, c.param, hsum };
		for (size_t j = 0; j < c.recv; j++) {
			double want = anvil_nccl_expected(&w, j), got = simulate(k->name, send, n, r, root, c.param, j);
			if (want != got)
				fail_msg("%s, %d ranks, %zu B: rank %d element %zu: NCCL gives %g, the check expects %g",
					 k->name, n, bytes, r, j, got, want);
		}
	}
	for (int r = 0; r < n; r++)
		free(send[r]);
	free(send);
}

static void test_collectives_simulated(void **state)
{
	(void)state;
	const int ranks[] = { 2, 3, 8 };
	const size_t sizes[] = { 8, 64, 4000, 65536, 1 << 20 };
	for (size_t i = 0; i < sizeof(colls) / sizeof(*colls); i++)
		for (size_t a = 0; a < 3; a++)
			for (size_t b = 0; b < 5; b++)
				check_one(colls[i], ranks[a], sizes[b]);
}

/* nccl-tests' GetCollByteCount, GetBw and NCCL's in-place rules, by name. */
static void test_counts_and_factors(void **state)
{
	(void)state;
	struct anvil_nccl_counts c;
	const int n = 8;
	const size_t count = 1000003;   /* not a multiple of anything */
	const size_t base = (count / n) & ~(size_t)3;
	for (size_t i = 0; i < sizeof(colls) / sizeof(*colls); i++) {
		const struct anvil_nccl_coll *k = colls[i];
		k->counts(count, n, &c);
		if (!strcmp(k->name, "all_reduce")) {
			assert_true(c.param == count && c.send == count && c.recv == count);
			assert_true(k->alg_factor(n) == 1 && k->bus_factor(n) == 2.0 * 7 / 8);
		} else if (!strcmp(k->name, "all_gather")) {
			assert_true(c.param == base && c.send == base && c.recv == base * n);
			/* NCCL in place: sendbuff = recvbuff + rank * sendcount */
			assert_true(c.send_inplace_off == base && c.recv_inplace_off == 0);
			assert_true(k->alg_factor(n) == n && k->bus_factor(n) == 7.0 / 8);
		} else if (!strcmp(k->name, "reduce_scatter")) {
			assert_true(c.param == base && c.send == base * n && c.recv == base);
			/* NCCL in place: recvbuff = sendbuff + rank * recvcount */
			assert_true(c.send_inplace_off == 0 && c.recv_inplace_off == base);
			assert_true(k->alg_factor(n) == n && k->bus_factor(n) == 7.0 / 8);
		} else if (!strcmp(k->name, "alltoall")) {
			assert_true(c.param == base && c.send == base * n && c.recv == base * n);
			assert_true(k->alg_factor(n) == n && k->bus_factor(n) == 7.0 / 8);
			assert_false(k->in_place);
		} else if (!strcmp(k->name, "broadcast") || !strcmp(k->name, "reduce") ||
			   !strcmp(k->name, "sendrecv")) {
			assert_true(c.param == count && c.send == count && c.recv == count);
			assert_true(k->alg_factor(n) == 1 && k->bus_factor(n) == 1);
		} else {
			fail_msg("unknown collective %s", k->name);
		}
		if (strcmp(k->name, "all_gather") && strcmp(k->name, "reduce_scatter"))
			assert_true(c.send_inplace_off == 0 && c.recv_inplace_off == 0);
	}
	assert_false(anvil_nccl_sendrecv.in_place);
	assert_true(anvil_nccl_reduce.root_only);
	assert_true(anvil_nccl_split(7, 2) == 0);  /* less than 16 B per rank: nothing */
	assert_true(anvil_nccl_split(4096, 3) == 1364);
}

/* The judged sizes are the sweep's sizes from judge_from_bytes on, whatever
 * the rank count: the split collectives report a size rounded down to whole
 * blocks per rank (268435440 B for 256 MiB on 3 ranks), which must not drop
 * the first judged size off the judgement. */
static void test_judged_sizes(void **state)
{
	(void)state;
	struct anvil_sweep sw;
	assert_int_equal(anvil_sweep_make(&sw, 8, (size_t)1 << 30, 2, 4), 0);
	const int ranks[] = { 1, 2, 3, 6, 8, 12, 24 };
	const size_t judge_from = (size_t)1 << 28;
	for (size_t i = 0; i < sizeof(colls) / sizeof(*colls); i++) {
		for (size_t r = 0; r < sizeof(ranks) / sizeof(*ranks); r++) {
			struct anvil_nccl_judged j = { 0 };
			for (int s = 0; s < sw.n; s++) {
				struct anvil_nccl_counts c;
				colls[i]->counts(sw.sizes[s] / 4, ranks[r], &c);
				if (!c.param)
					continue;
				size_t bytes = 4 * (c.send > c.recv ? c.send : c.recv);
				assert_true(bytes <= sw.sizes[s]);
				/* busbw = the nominal size in GiB: which sizes were judged shows */
				double bw = (double)(sw.sizes[s] >> 28);
				anvil_nccl_judge_add(&j, sw.sizes[s], bytes, judge_from, 1e-6 * (double)(s + 1), bw, bw);
			}
			if (j.count != 3)
				fail_msg("%s on %d ranks: %d sizes judged, want 256 MiB, 512 MiB, 1 GiB", colls[i]->name,
					 ranks[r], j.count);
			double bus, bmin, alg;
			assert_int_equal(anvil_nccl_judge_figures(&j, &bus, &bmin, &alg), 0);
			assert_true(bus == (1.0 + 2 + 4) / 3 && bmin == 1 && alg == bus);
		}
	}
	anvil_sweep_release(&sw);
}

/* No size measured: no figure (not zeros, which would be judged as a dead
 * link); no size from judge_from_bytes on: the largest size's. */
static void test_judged_figures(void **state)
{
	(void)state;
	struct anvil_nccl_judged j = { 0 };
	double bus = -1, bmin = -1, alg = -1;
	assert_int_equal(anvil_nccl_judge_figures(&j, &bus, &bmin, &alg), -1);
	anvil_nccl_judge_add(&j, 8, 8, 1024, 5e-6, 0.5, 0.25);
	anvil_nccl_judge_add(&j, 512, 496, 1024, 7e-6, 9, 6);
	assert_int_equal(anvil_nccl_judge_figures(&j, &bus, &bmin, &alg), 0);
	assert_true(bus == 6 && bmin == 6 && alg == 9 && j.count == 0 && j.largest == 496);
	assert_true(fabs(j.lat_us - 5) < 1e-9);  /* the smallest size's time */
}

static int nic_calls;

static double fake_nics(cJSON *nics)
{
	nic_calls++;
	cJSON_AddItemToArray(nics, cJSON_CreateString("mlx5_0/1"));
	return 4 * 400.0;  /* four 400 Gb/s ports */
}

static const char *topo_path(const struct anvil_nccl_topo_rank *all, int n, double *peak)
{
	cJSON *t = cJSON_CreateObject();
	const char *path = anvil_nccl_topo_path(all, n, fake_nics, t, peak);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "path")), path);
	cJSON_Delete(t);
	return path;
}

/* The path a collective crosses and the peak it allows. One rank crosses no
 * link, NVLink up or not (an NVSwitch board's lone GPU has its links up): its
 * figures must not meet the profile's NVLink floor. */
static void test_topology_path(void **state)
{
	(void)state;
	double peak;
	const struct anvil_nccl_topo_rank lone[] = { { 0, 18, 5, 16 } };
	assert_string_equal(topo_path(lone, 1, &peak), "local");
	assert_true(isnan(peak));
	const struct anvil_nccl_topo_rank nvl[] = { { 0, 18, 5, 16 }, { 0, 18, 5, 16 } };
	assert_string_equal(topo_path(nvl, 2, &peak), "nvlink");
	assert_true(isnan(peak));  /* the datasheet's, in the report */
	const struct anvil_nccl_topo_rank pcie[] = { { 0, 0, 5, 16 }, { 0, 0, 4, 16 }, { 0, 0, 5, 16 } };
	assert_string_equal(topo_path(pcie, 3, &peak), "pcie");
	assert_true(peak == 1.96875 * 16);  /* the slowest GPU's link: Gen4 x16 */
	const struct anvil_nccl_topo_rank half[] = { { 0, 18, 5, 16 }, { 0, -1, 0, 0 } };
	assert_string_equal(topo_path(half, 2, &peak), "unknown");
	assert_int_equal(nic_calls, 0);
	const struct anvil_nccl_topo_rank net[] = { { 0, 18, 5, 16 }, { 0, 18, 5, 16 }, { 1, 18, 5, 16 }, { 1, 18, 5, 16 } };
	assert_string_equal(topo_path(net, 4, &peak), "network");
	assert_true(peak == 1600.0 / 8 / 2 && nic_calls == 1);
	/* and one rank is a job the NCCL runners run in, as nccl-tests does */
	const char *names[] = { "nccl-allreduce", "nccl-allgather", "nccl-reducescatter", "nccl-broadcast",
				"nccl-reduce", "nccl-alltoall", "nccl-sendrecv" };
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		const struct anvil_runner *r = anvil_runner_find(names[i]);
		assert_non_null(r);
		assert_false(r->needs & ANVIL_NEEDS_2RANKS);
	}
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_exact),
		cmocka_unit_test(test_sum_expected),
#ifdef ANVIL_NCCL_BUILT
		cmocka_unit_test(test_collectives_simulated),
		cmocka_unit_test(test_counts_and_factors),
		cmocka_unit_test(test_judged_sizes),
		cmocka_unit_test(test_judged_figures),
		cmocka_unit_test(test_topology_path),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
