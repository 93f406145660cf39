/* bench/affinity: a per-node test gets every allowed CPU even when the
 * launcher bound the leader to one core; an unbound rank of a test on
 * every rank gets its own share of the cores; a bound rank keeps its
 * binding; ANVIL_BIND=none changes nothing; leaving puts the process back.
 * Needs 2 or more cores (skipped otherwise), no MPI. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bench/affinity.h"

static cpu_set_t all;
static int ncpu;

static cpu_set_t now(void)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	assert_int_equal(sched_getaffinity(0, sizeof(s), &s), 0);
	return s;
}

static int first_cpu(const cpu_set_t *s, int after)
{
	for (int c = after + 1; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, s))
			return c;
	return -1;
}

static void pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	assert_int_equal(sched_setaffinity(0, sizeof(s), &s), 0);
}

static struct anvil_world world(int local_rank, int local_size, int cores)
{
	struct anvil_world w = { 0 };
	w.local_rank = local_rank, w.local_size = local_size, w.cores = cores;
	return w;
}

static int setup(void **state)
{
	(void)state;
	all = now();
	ncpu = CPU_COUNT(&all);
	return 0;
}

static void test_per_node_widens(void **state)
{
	(void)state;
	if (ncpu < 2)
		skip();
	int c0 = first_cpu(&all, -1);
	pin(c0);
	struct anvil_world w = world(0, 2, ncpu);
	struct anvil_affinity a;
	anvil_affinity_enter(&a, &w, ANVIL_SCOPE_PER_NODE, ncpu);
	cpu_set_t in = now();
	assert_true(CPU_EQUAL(&in, &all));
	assert_non_null(strstr(a.what, "allowed core"));
	anvil_affinity_leave(&a);
	cpu_set_t out = now();
	assert_int_equal(CPU_COUNT(&out), 1);
	assert_true(CPU_ISSET(c0, &out));
	assert_int_equal(sched_setaffinity(0, sizeof(all), &all), 0);
}

static void test_unbound_rank_gets_its_share(void **state)
{
	(void)state;
	if (ncpu < 2)
		skip();
	struct anvil_world w = world(1, 2, 2);
	struct anvil_affinity a;
	anvil_affinity_enter(&a, &w, ANVIL_SCOPE_ALL, 1);
	cpu_set_t in = now();
	/* local rank 1 of 2, one thread: the second core, alone */
	assert_true(CPU_COUNT(&in) >= 1 && CPU_COUNT(&in) < ncpu);
	assert_false(CPU_ISSET(first_cpu(&all, -1), &in));
	assert_string_equal(a.what, "core(s) 1-1 of the node");
	anvil_affinity_leave(&a);
	cpu_set_t out = now();
	assert_true(CPU_EQUAL(&out, &all));
	/* more ranks than cores: left alone */
	w = world(1, 3, 2);
	anvil_affinity_enter(&a, &w, ANVIL_SCOPE_ALL, 1);
	in = now();
	assert_true(CPU_EQUAL(&in, &all));
	assert_string_equal(a.what, "");
	anvil_affinity_leave(&a);
}

static void test_bound_rank_and_opt_out(void **state)
{
	(void)state;
	if (ncpu < 2)
		skip();
	int c1 = first_cpu(&all, first_cpu(&all, -1));
	pin(c1);
	struct anvil_world w = world(0, 2, 2);
	struct anvil_affinity a;
	anvil_affinity_enter(&a, &w, ANVIL_SCOPE_ALL, 1);  /* the launcher's binding stands */
	cpu_set_t in = now();
	assert_int_equal(CPU_COUNT(&in), 1);
	assert_true(CPU_ISSET(c1, &in));
	anvil_affinity_leave(&a);
	setenv("ANVIL_BIND", "none", 1);
	anvil_affinity_enter(&a, &w, ANVIL_SCOPE_PER_NODE, 2);  /* not widened */
	in = now();
	assert_int_equal(CPU_COUNT(&in), 1);
	anvil_affinity_leave(&a);
	unsetenv("ANVIL_BIND");
	assert_int_equal(sched_setaffinity(0, sizeof(all), &all), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_node_widens),
		cmocka_unit_test(test_unbound_rank_gets_its_share),
		cmocka_unit_test(test_bound_rank_and_opt_out),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
