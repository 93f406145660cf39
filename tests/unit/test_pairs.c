/* bench/pairs.c: the round-robin schedule of node pairs, for 1..64 nodes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/pairs.h"

#define NMAX 64

static void test_round_counts(void **state)
{
	(void)state;
	assert_int_equal(anvil_pairs_rounds(0), 0);
	assert_int_equal(anvil_pairs_rounds(1), 0);
	for (int n = 2; n <= NMAX; n++)
		assert_int_equal(anvil_pairs_rounds(n), n % 2 ? n : n - 1);
}

/* Every pair exactly once over the rounds; no node twice in a round; a full
 * round (n/2 pairs) each time; partner() says the same as round(). */
static void check_schedule(int n)
{
	static int seen[NMAX][NMAX];
	int pairs[NMAX][2];
	memset(seen, 0, sizeof(seen));
	int rounds = anvil_pairs_rounds(n), total = 0;
	for (int r = 0; r < rounds; r++) {
		int used[NMAX] = { 0 };
		int k = anvil_pairs_round(n, r, pairs);
		assert_int_equal(k, n / 2);
		for (int i = 0; i < k; i++) {
			int a = pairs[i][0], b = pairs[i][1];
			assert_true(0 <= a && a < b && b < n);
			assert_int_equal(used[a]++, 0);
			assert_int_equal(used[b]++, 0);
			assert_int_equal(seen[a][b]++, 0);
			assert_int_equal(anvil_pairs_partner(n, r, a), b);
			assert_int_equal(anvil_pairs_partner(n, r, b), a);
			total++;
		}
		/* a node in no pair this round has the bye: partner -1 (odd n only, once) */
		int byes = 0;
		for (int x = 0; x < n; x++) {
			if (!used[x]) {
				assert_int_equal(anvil_pairs_partner(n, r, x), -1);
				byes++;
			}
		}
		assert_int_equal(byes, n % 2);
	}
	assert_int_equal(total, n * (n - 1) / 2);
	for (int a = 0; a < n; a++)
		for (int b = a + 1; b < n; b++)
			if (seen[a][b] != 1)
				fail_msg("n=%d: pair %d-%d seen %d times", n, a, b, seen[a][b]);
}

static void test_every_pair_once(void **state)
{
	(void)state;
	for (int n = 1; n <= NMAX; n++)
		check_schedule(n);
}

static void test_out_of_range(void **state)
{
	(void)state;
	int pairs[NMAX][2];
	assert_int_equal(anvil_pairs_round(1, 0, pairs), 0);
	assert_int_equal(anvil_pairs_round(4, -1, pairs), 0);
	assert_int_equal(anvil_pairs_round(4, 3, pairs), 0);
	assert_int_equal(anvil_pairs_partner(4, 3, 0), -1);
	assert_int_equal(anvil_pairs_partner(1, 0, 0), -1);
	/* a node index outside 0..n-1 has no partner */
	assert_int_equal(anvil_pairs_partner(4, 0, 4), -1);
	assert_int_equal(anvil_pairs_partner(5, 0, 5), -1);
	assert_int_equal(anvil_pairs_partner(4, 0, -1), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_counts),
		cmocka_unit_test(test_every_pair_once),
		cmocka_unit_test(test_out_of_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
