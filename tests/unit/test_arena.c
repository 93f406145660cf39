/* The report arena (reports/arena.c): cJSON trees made in one set of test
 * and helper regions survive a reset of the other set and of the scratch
 * region, on any thread (a test is judged into one set while the one
 * before it is written out from the other); a reset set is empty; what was
 * made with the arena off is freed as usual; release and uninstall give
 * everything back.
 * Under AddressSanitizer (make test's second phase) a tree read after its
 * set was reset would be caught. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "reports/arena.h"

static cJSON *tree(int tag, int n)
{
	cJSON *a = cJSON_CreateArray();
	for (int i = 0; i < n; i++) {
		char s[64];
		snprintf(s, sizeof(s), "set-%d item %d", tag, i);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "s", s);
		cJSON_AddNumberToObject(o, "i", i);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static void check_tree(const cJSON *a, int tag, int n)
{
	assert_int_equal(cJSON_GetArraySize(a), n);
	int i = 0;
	const cJSON *o;
	cJSON_ArrayForEach(o, a) {
		char s[64];
		snprintf(s, sizeof(s), "set-%d item %d", tag, i);
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "s")), s);
		assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "i")), i);
		i++;
	}
}

struct job {
	int set, saw_set;
	cJSON *out;
	size_t used_before, used_after;
};

/* A tree in set 1 made on another thread, half of it in the helper region. */
static void *make_in_set(void *arg)
{
	struct job *j = arg;
	anvil_arena_set(j->set);
	j->saw_set = anvil_arena_which_set();
	j->used_before = anvil_arena_used();
	anvil_arena_on(ANVIL_ARENA_TEST);
	j->out = tree(j->set, 5000);
	anvil_arena_on(ANVIL_ARENA_HELPER);
	cJSON_AddItemToArray(j->out, cJSON_CreateString("helper's"));
	anvil_arena_on(0);
	j->used_after = anvil_arena_used();
	return NULL;
}

static void test_sets_apart(void **state)
{
	(void)state;
	assert_int_equal(anvil_arena_install(), 0);
	assert_int_equal(anvil_arena_which_set(), 0);
	cJSON *kept = tree(9, 100);  /* arena off: malloc, outlives every reset */
	anvil_arena_on(ANVIL_ARENA_TEST);
	cJSON *zero = tree(0, 5000);
	anvil_arena_on(ANVIL_ARENA_SCRATCH);
	cJSON *scratch = tree(7, 1000);
	anvil_arena_on(0);
	check_tree(scratch, 7, 1000);

	struct job j = { 1, -1, NULL, 0, 0 };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, make_in_set, &j), 0);
	pthread_join(th, NULL);
	assert_int_equal(j.saw_set, 1);
	assert_true(j.used_after > j.used_before);
	assert_int_equal(anvil_arena_which_set(), 0);  /* the set is the thread's own */

	anvil_arena_reset_scratch();
	check_tree(zero, 0, 5000);
	anvil_arena_reset_set(0);  /* set 0 gone: set 1 and the malloc'd tree stay */
	cJSON *last = cJSON_DetachItemViaPointer(j.out, j.out->child->prev);
	assert_string_equal(cJSON_GetStringValue(last), "helper's");
	check_tree(j.out, 1, 5000);
	check_tree(kept, 9, 100);

	/* set 0 again from the start while set 1 still holds its tree */
	size_t before = anvil_arena_used();
	anvil_arena_on(ANVIL_ARENA_TEST);
	cJSON *again = tree(0, 20000);  /* more than set 0 held: over set 1 were they one */
	anvil_arena_on(0);
	assert_true(anvil_arena_used() > before);
	check_tree(again, 0, 20000);
	check_tree(j.out, 1, 5000);
	cJSON_Delete(again);  /* frees nothing of the arena's, and must not crash */
	anvil_arena_reset_set(0);
	anvil_arena_reset_set(1);
	assert_int_equal(anvil_arena_used(), 0);
	anvil_arena_release();
	assert_int_equal(anvil_arena_used(), 0);
	cJSON_Delete(kept);
	anvil_arena_uninstall();
}

/* The regions take 2 MiB chunks from one pool: a string larger than a
 * chunk gets chunks of its own, small ones go on around it, and after a
 * reset the other set's chunks (handed back and reused) hold new trees
 * without touching the set still in use. */
static void test_chunks(void **state)
{
	(void)state;
	assert_int_equal(anvil_arena_install(), 0);
	size_t big = (size_t)5 << 20;
	char *text = malloc(big + 1);
	assert_non_null(text);
	for (size_t i = 0; i < big; i++)
		text[i] = (char)('a' + i % 26);
	text[big] = '\0';
	anvil_arena_set(1);
	anvil_arena_on(ANVIL_ARENA_TEST);
	cJSON *one = tree(1, 3000);
	anvil_arena_set(0);
	cJSON *zero = tree(0, 3000);
	cJSON *s = cJSON_CreateString(text);  /* more than a chunk */
	cJSON_AddItemToArray(zero, s);
	cJSON *more = tree(2, 30000);        /* several chunks after it */
	anvil_arena_on(0);
	assert_true(anvil_arena_used() > big);
	assert_string_equal(cJSON_GetStringValue(s), text);
	check_tree(more, 2, 30000);
	cJSON_Delete(cJSON_DetachItemViaPointer(zero, s));
	check_tree(zero, 0, 3000);
	for (int round = 0; round < 3; round++) {
		anvil_arena_reset_set(0);  /* its chunks back to the pool, and taken again */
		anvil_arena_on(ANVIL_ARENA_TEST);
		cJSON *again = tree(3 + round, 40000);
		anvil_arena_on(0);
		check_tree(again, 3 + round, 40000);
		check_tree(one, 1, 3000);
	}
	anvil_arena_reset_set(0);
	anvil_arena_reset_set(1);
	assert_int_equal(anvil_arena_used(), 0);
	anvil_arena_release();
	anvil_arena_uninstall();
	free(text);
}

/* A dropped tree: the arena's is left to the reset, a malloc'd one freed
 * (malloc's count of bytes in use goes back down; under AddressSanitizer,
 * whose malloc keeps no such count, its leak check at the end would name it). */
static void test_drop(void **state)
{
	(void)state;
	assert_int_equal(anvil_arena_install(), 0);
	size_t m0 = mallinfo2().uordblks;
	cJSON *own = tree(3, 2000);  /* arena off: malloc */
	size_t m1 = mallinfo2().uordblks;
	assert_false(anvil_arena_owns(own));
	anvil_arena_on(ANVIL_ARENA_TEST);
	cJSON *arena = tree(4, 5000);
	anvil_arena_on(0);
	assert_true(anvil_arena_owns(arena));
	assert_true(anvil_arena_owns(arena->child));
	size_t used = anvil_arena_used();
	anvil_arena_drop(arena);
	assert_int_equal(anvil_arena_used(), used);  /* nothing freed before the reset */
	anvil_arena_drop(own);
	if (m1 > m0)  /* glibc's malloc: the tree's 100 KiB or so are free again */
		assert_true(mallinfo2().uordblks < m0 + (m1 - m0) / 4);
	anvil_arena_drop(NULL);
	anvil_arena_reset_set(0);
	assert_int_equal(anvil_arena_used(), 0);
	anvil_arena_uninstall();
}

/* Resident memory, from /proc/self/statm (in pages of the system's size). */
static size_t resident(void)
{
	unsigned long size = 0, pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%lu %lu", &size, &pages), 2);
	fclose(f);
	return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

/* A reset keeps the arena's pages for the next tree (anvil report's page
 * is drawn in the tests' pages); uninstalling gives them back, for a
 * process that goes on (anvil run's monitor reports again and again). */
static void test_uninstall_gives_back(void **state)
{
	(void)state;
	size_t mib = (size_t)1 << 20, before = resident();
	assert_int_equal(anvil_arena_install(), 0);
	anvil_arena_on(ANVIL_ARENA_TEST);
	cJSON *big = tree(5, 300000);  /* about 60 MiB of nodes and strings */
	anvil_arena_on(0);
	check_tree(big, 5, 300000);
	assert_true(resident() > before + 40 * mib);
	anvil_arena_reset();
	size_t kept = resident();
	assert_true(kept > before + 40 * mib);
	anvil_arena_uninstall();
	assert_true(resident() + 32 * mib < kept);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sets_apart),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_uninstall_gives_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
