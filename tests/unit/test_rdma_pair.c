/*
 * The RDMA runners' pair protocol (runners/rdma_pair.c) between two real
 * MPI ranks: agreeing on a phase, swapping endpoints, and the end-of-run
 * messages a loop watches while it waits. Under plain ctest (no mpirun) it
 * skips; tests/mpi/test_rdma_pair.sh runs it with mpirun -np 2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runners/rdma_pair.h"

static MPI_Comm comm;
static int rank;

static void pair_of(struct anvil_rdma_pair *p)
{
	anvil_rdma_pair_init(p, comm, rank ? "rank0-host" : "rank1-host");
}

static void test_agree(void **state)
{
	(void)state;
	struct anvil_rdma_pair p;
	char why[256] = "";
	pair_of(&p);
	assert_int_equal(p.peer, 1 - rank);
	assert_int_equal(anvil_rdma_pair_agree(&p, 1, why, sizeof(why)), 1);
	/* rank 1 fails: it keeps its reason, rank 0 gets it with rank 1's host */
	snprintf(why, sizeof(why), "%s", rank ? "ibv_open_device(mlx5_0) failed: No such device" : "");
	assert_int_equal(anvil_rdma_pair_agree(&p, rank == 0, why, sizeof(why)), 0);
	assert_string_equal(why, rank ? "ibv_open_device(mlx5_0) failed: No such device"
				       : "on rank1-host: ibv_open_device(mlx5_0) failed: No such device");
	/* both fail: each keeps its own */
	snprintf(why, sizeof(why), "mine %d", rank);
	assert_int_equal(anvil_rdma_pair_agree(&p, 0, why, sizeof(why)), 0);
	char want[32];
	snprintf(want, sizeof(want), "mine %d", rank);
	assert_string_equal(why, want);
}

static void test_swap(void **state)
{
	(void)state;
	struct anvil_rdma_pair p;
	struct anvil_rdma_endpoint me, them;
	pair_of(&p);
	memset(&me, 0, sizeof(me));
	memset(&them, 0, sizeof(them));
	me.qpn[0] = 100 + (uint32_t)rank;
	me.qpn[ANVIL_RDMA_MAX_QPS - 1] = 7000 + (uint32_t)rank;
	me.vaddr = 0x1000u * (uint64_t)(rank + 1);
	snprintf(me.device, sizeof(me.device), "mlx5_%d", rank);
	anvil_rdma_pair_swap(&p, &me, &them, sizeof(me));
	assert_int_equal(them.qpn[0], 100 + 1 - rank);
	assert_int_equal(them.qpn[ANVIL_RDMA_MAX_QPS - 1], 7000 + 1 - rank);
	assert_int_equal(them.vaddr, 0x1000u * (uint64_t)(2 - rank));
	assert_string_equal(them.device, rank ? "mlx5_0" : "mlx5_1");
}

/* Polls the watch as a loop would, for at most ~10 s. */
static int watch_until_word(struct anvil_rdma_pair *p, uint64_t *counts)
{
	for (long i = 0; i < 10000000; i++) {
		int c = anvil_rdma_pair_check(p, counts);
		if (c)
			return c;
	}
	return 0;
}

static void test_end_ok(void **state)
{
	(void)state;
	struct anvil_rdma_pair p;
	uint64_t counts[ANVIL_RDMA_MAX_QPS] = { 0 }, mine[2] = { 37, 41 };
	char why[256] = "";
	pair_of(&p);
	anvil_rdma_pair_arm(&p);
	if (rank == 0) {   /* the sender finishes first and reports what it posted */
		assert_int_equal(anvil_rdma_pair_finish(&p, 1, mine, 2, why, sizeof(why)), 1);
	} else {           /* the receiver learns the counts while it waits */
		assert_int_equal(watch_until_word(&p, counts), 1);
		assert_int_equal(counts[0], 37);
		assert_int_equal(counts[1], 41);
		assert_int_equal(anvil_rdma_pair_check(&p, counts), 1);   /* and keeps knowing */
		assert_int_equal(anvil_rdma_pair_finish(&p, 1, NULL, 0, why, sizeof(why)), 1);
	}
	/* both finish without watching: no deadlock */
	anvil_rdma_pair_arm(&p);
	assert_int_equal(anvil_rdma_pair_finish(&p, 1, mine, 2, why, sizeof(why)), 1);
}

static void test_end_failed(void **state)
{
	(void)state;
	struct anvil_rdma_pair p;
	uint64_t counts[ANVIL_RDMA_MAX_QPS] = { 0 };
	char why[256] = "";
	pair_of(&p);
	anvil_rdma_pair_arm(&p);
	if (rank == 0) {
		snprintf(why, sizeof(why), "send completion error on mlx5_0 QP 0: transport retry counter exceeded");
		assert_int_equal(anvil_rdma_pair_finish(&p, 0, NULL, 0, why, sizeof(why)), 0);
		assert_string_equal(why, "send completion error on mlx5_0 QP 0: transport retry counter exceeded");
	} else {
		/* a loop saw the failure and stopped: the reason reported here is the peer's */
		assert_int_equal(watch_until_word(&p, counts), -1);
		snprintf(why, sizeof(why), "the peer failed while this end waited for messages");
		assert_int_equal(anvil_rdma_pair_finish(&p, 0, NULL, 0, why, sizeof(why)), 0);
		assert_string_equal(why, "on rank0-host: send completion error on mlx5_0 QP 0: transport retry counter exceeded");
	}
	/* a failure the other end did not see coming: it learns it at its finish */
	anvil_rdma_pair_arm(&p);
	snprintf(why, sizeof(why), "%s", rank ? "ibv_post_recv on mlx5_1 QP 0 failed" : "");
	int both = anvil_rdma_pair_finish(&p, rank == 0, NULL, 0, why, sizeof(why));
	assert_int_equal(both, 0);
	assert_string_equal(why, rank ? "ibv_post_recv on mlx5_1 QP 0 failed"
				       : "on rank1-host: ibv_post_recv on mlx5_1 QP 0 failed");
}

static void test_needs_mpirun(void **state)
{
	(void)state;
	skip();   /* run by tests/mpi/test_rdma_pair.sh under mpirun -np 2 */
}

int main(void)
{
	const char *size = getenv("OMPI_COMM_WORLD_SIZE");
	if (!size || atoi(size) != 2) {
		const struct CMUnitTest skipped[] = { cmocka_unit_test(test_needs_mpirun) };
		return cmocka_run_group_tests(skipped, NULL, NULL);
	}
	MPI_Init(NULL, NULL);
	MPI_Comm_dup(MPI_COMM_WORLD, &comm);
	MPI_Comm_rank(comm, &rank);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agree),
		cmocka_unit_test(test_swap),
		cmocka_unit_test(test_end_ok),
		cmocka_unit_test(test_end_failed),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	int any;
	MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, comm);
	MPI_Comm_free(&comm);
	MPI_Finalize();
	return any ? 1 : 0;
}
