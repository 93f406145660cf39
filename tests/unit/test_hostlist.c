/* Hostlist expressions: Slurm's own examples, padding, groups, duplicates,
 * errors with their column, 10000 hosts, and a random round trip. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/hostlist.h"
#include "common/strbuf.h"

static char err[256];

/* The expansion joined by spaces (caller frees). */
static char *expand(const char *expr)
{
	struct anvil_hostlist hl = ANVIL_HOSTLIST_INIT;
	err[0] = '\0';
	if (anvil_hostlist_expand(&hl, expr, strlen(expr), err, sizeof(err))) {
		anvil_hostlist_release(&hl);
		return NULL;
	}
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	for (size_t i = 0; i < hl.n; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", hl.hosts[i]);
	anvil_hostlist_release(&hl);
	return strbuf_detach(&sb);
}

static void expands_to(const char *expr, const char *want)
{
	char *got = expand(expr);
	if (!got)
		fail_msg("%s: %s", expr, err);
	assert_string_equal(got, want);
	free(got);
}

static void normalises_to(const char *expr, const char *want)
{
	char *got = anvil_hostlist_normalise(expr, strlen(expr), err, sizeof(err));
	if (!got)
		fail_msg("%s: %s", expr, err);
	assert_string_equal(got, want);
	free(got);
}

static void refused(const char *expr, size_t len, const char *want_err)
{
	struct anvil_hostlist hl = ANVIL_HOSTLIST_INIT;
	err[0] = '\0';
	assert_int_equal(anvil_hostlist_expand(&hl, expr, len, err, sizeof(err)), -1);
	anvil_hostlist_release(&hl);
	if (!strstr(err, want_err))
		fail_msg("%s: error \"%s\" lacks \"%s\"", expr, err, want_err);
}

/* From Slurm's hostlist.h, scontrol(1) and its perl API test. */
static void test_slurm_examples(void **state)
{
	expands_to("tux[0-5,12,20-25]",
		   "tux0 tux1 tux2 tux3 tux4 tux5 tux12 tux20 tux21 tux22 tux23 tux24 tux25");
	normalises_to("tux[0-5,12,20-25]", "tux[0-5,12,20-25]");
	expands_to("host[1-3],host5", "host1 host2 host3 host5");
	normalises_to("host[1-3],host5", "host[1-3,5]");
	expands_to("two[1-2]", "two1 two2");
	/* perl t/21-hostlist.t: the same names, sorted and unique (a hostset) */
	normalises_to("node0,node3,node4,node8,linux,linux2,linux5,node4,node12,node15,linux8,linux23",
		      "linux,linux[2,5,8,23],node[0,3-4,8,12,15]");
	char *big = expand("linux[0000-1023]");
	assert_non_null(big);
	assert_int_equal(strlen(big), 1024 * 10 - 1);
	assert_memory_equal(big, "linux0000 linux0001", 19);
	assert_string_equal(big + strlen(big) - 9, "linux1023");
	free(big);
	normalises_to("linux[0000-1023]", "linux[0000-1023]");
}

static void test_issue_examples(void **state)
{
	expands_to("gpu[01-04,07],cpu-a1", "gpu01 gpu02 gpu03 gpu04 gpu07 cpu-a1");
	normalises_to("gpu[01-04,07],cpu-a1", "cpu-a1,gpu[01-04,07]");
	expands_to("rack[1-2]-n[01-04]",
		   "rack1-n01 rack1-n02 rack1-n03 rack1-n04 rack2-n01 rack2-n02 rack2-n03 rack2-n04");
	/* compression is on the trailing number only, as in Slurm */
	normalises_to("rack[1-2]-n[01-04]", "rack1-n[01-04],rack2-n[01-04]");
	/* three groups: Slurm nests the next-to-last outermost, the last innermost */
	expands_to("a[1-2]b[3-4]c[5-6]",
		   "a1b3c5 a1b3c6 a2b3c5 a2b3c6 a1b4c5 a1b4c6 a2b4c5 a2b4c6");
	normalises_to("node07", "node07");
}

static void test_padding(void **state)
{
	expands_to("n[8-10]", "n8 n9 n10");
	expands_to("n[08-10]", "n08 n09 n10");
	expands_to("n[1-010]", "n1 n2 n3 n4 n5 n6 n7 n8 n9 n10");  /* width of the first number */
	expands_to("n[001-003,5]", "n001 n002 n003 n5");
	normalises_to("n9,n10", "n[9-10]");
	normalises_to("n09,n10", "n[09-10]");
	normalises_to("n99,n100", "n[99-100]");
	normalises_to("n01,n1", "n[1,01]");            /* different hosts: padding matters */
	normalises_to("n1,n01,n2,n02", "n[1-2,01-02]");
	normalises_to("n007,n8,n9", "n[8-9,007]");    /* Slurm sorts incompatible widths by width */
	normalises_to("[1-3],7", "[1-3,7]");           /* all-digit names */
	expands_to("[1-3]", "1 2 3");
}

static void test_odd_cases(void **state)
{
	normalises_to("login", "login");
	normalises_to("", "");
	expands_to(" , ,", "");
	expands_to("a b\tc\nd,,e", "a b c d e");      /* white space separates, as in Slurm */
	expands_to("n[1-2]-ib", "n1-ib n2-ib");       /* text after the group */
	normalises_to("n[1-2]-ib", "n1-ib,n2-ib");    /* no trailing number: no range */
	normalises_to("n[1-3],n2,n[2-5],n1", "n[1-5]"); /* duplicates dropped */
	expands_to("n[1-3],n2", "n1 n2 n3 n2");         /* ... but kept by expand */
	normalises_to("rack10-n1,rack2-n1,rack1-n1", "rack1-n1,rack2-n1,rack10-n1"); /* natural order */
	normalises_to("b,a,a1,a", "a,a1,b");
	normalises_to("x-1,x-2,x-03", "x-[1-2,03]");
	assert_true(anvil_hostlist_natcmp("n2", "n10") < 0);
	assert_true(anvil_hostlist_natcmp("n01", "n1") < 0);
	assert_int_equal(anvil_hostlist_natcmp("node3", "node3"), 0);
}

static void test_errors(void **state)
{
	refused("gpu[01-04", 9, "column 4: '[' is never closed");
	refused("gpu01]", 6, "column 6: ']' without '['");
	refused("n[3-1]", 6, "column 3: range 3-1 runs backwards");
	refused("n[1,,2]", 7, "column 5: empty range");
	refused("n[]", 3, "column 3: empty range");
	refused("n[1-]", 5, "column 5: empty range");
	refused("n[a]", 4, "column 3: 'a' where a number was expected");
	refused("n[1[2]]", 7, "column 4: '[' inside brackets");
	refused("n[1x2]", 6, "column 4: 'x' after a number");
	refused("n[1, 2]", 7, "column 5: ' ' where a number was expected");
	refused("n[0-70000]", 10, "range of more than 65536");
	refused("n[1234567890123456789]", 22, "longer than 18 digits");
	refused("ab\0cd", 5, "column 3: NUL byte");
	refused("ok,n[\x01]", 7, "column 6: byte \\x01");
	/* what came before the bad name is kept */
	struct anvil_hostlist hl = ANVIL_HOSTLIST_INIT;
	assert_int_equal(anvil_hostlist_expand(&hl, "a,b,c[", 6, err, sizeof(err)), -1);
	assert_int_equal(hl.n, 2);
	anvil_hostlist_release(&hl);
	/* len is honoured: no NUL needed */
	expands_to("n[1-2]", "n1 n2");
	assert_int_equal(anvil_hostlist_expand(&hl, "n[1-2]xyz", 6, err, sizeof(err)), 0);
	assert_int_equal(hl.n, 2);
	anvil_hostlist_release(&hl);
}

static void test_ten_thousand(void **state)
{
	struct anvil_hostlist hl = ANVIL_HOSTLIST_INIT;
	assert_int_equal(anvil_hostlist_expand(&hl, "n[00001-10000]", 14, err, sizeof(err)), 0);
	assert_int_equal(hl.n, 10000);
	assert_string_equal(hl.hosts[9999], "n10000");
	/* shuffled, with every tenth host twice and host 5000 missing */
	srand(7);
	for (size_t i = hl.n - 1; i > 0; i--) {
		size_t j = (size_t)rand() % (i + 1);
		char *t = hl.hosts[i];
		hl.hosts[i] = hl.hosts[j];
		hl.hosts[j] = t;
	}
	for (size_t i = 0; i < 10000; i += 10)
		anvil_hostlist_push(&hl, hl.hosts[i]);
	for (size_t i = 0; i < hl.n; i++)
		if (!strcmp(hl.hosts[i], "n05000"))
			hl.hosts[i][0] = 'm';
	char *c = anvil_hostlist_ranged(&hl);
	assert_string_equal(c, "m05000,n[00001-04999,05001-10000]");
	free(c);
	anvil_hostlist_release(&hl);
	/* the cap on the total */
	assert_int_equal(anvil_hostlist_expand(&hl, "a[0-65535]b[0-65535]", 20, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 1048576 names"));
	assert_int_equal(hl.n, 0);  /* counted before any is made: nothing of the bad name is kept */
	anvil_hostlist_release(&hl);
	assert_int_equal(anvil_hostlist_expand(&hl, "x,y a[0-1023]b[0-1023]", 22, err, sizeof(err)), -1);
	assert_string_equal(err, "column 5: more than 1048576 names");
	assert_int_equal(hl.n, 2);
	anvil_hostlist_release(&hl);
}

/* Random sets of names: expand(compress(S)) is S without duplicates. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_round_trip(void **state)
{
	static const char *const prefixes[] = { "n", "gpu", "rack1-n", "x", "", "login" };
	srand(42);
	for (int round = 0; round < 300; round++) {
		struct anvil_hostlist in = ANVIL_HOSTLIST_INIT;
		int n = 1 + rand() % 40;
		for (int i = 0; i < n; i++) {
			char name[64];
			const char *p = prefixes[rand() % 6];
			int num = rand() % 120, width = 1 + rand() % 4;
			if (!*p || rand() % 8)
				snprintf(name, sizeof(name), "%s%0*d", p, width, num);
			else
				snprintf(name, sizeof(name), "%s", p);
			anvil_hostlist_push(&in, name);
		}
		char *c = anvil_hostlist_ranged(&in);
		struct anvil_hostlist out = ANVIL_HOSTLIST_INIT;
		if (anvil_hostlist_expand(&out, c, strlen(c), err, sizeof(err)))
			fail_msg("round %d: %s does not parse: %s", round, c, err);
		qsort(in.hosts, in.n, sizeof(char *), cmp_str);
		size_t u = 0;
		for (size_t i = 0; i < in.n; i++)
			if (!u || strcmp(in.hosts[u - 1], in.hosts[i]))
				in.hosts[u++] = in.hosts[i];
			else
				free(in.hosts[i]);
		in.n = u;
		qsort(out.hosts, out.n, sizeof(char *), cmp_str);
		if (out.n != in.n)
			fail_msg("round %d: %s gives %zu names, expected %zu", round, c, out.n, in.n);
		for (size_t i = 0; i < in.n; i++)
			if (strcmp(in.hosts[i], out.hosts[i]))
				fail_msg("round %d: %s: %s vs %s", round, c, in.hosts[i], out.hosts[i]);
		/* and compression is idempotent */
		char *again = anvil_hostlist_ranged(&out);
		assert_string_equal(again, c);
		free(again);
		free(c);
		anvil_hostlist_release(&in);
		anvil_hostlist_release(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slurm_examples),
		cmocka_unit_test(test_issue_examples),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_odd_cases),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_ten_thousand),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
