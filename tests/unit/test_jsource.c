/* reports/jsource.c reading a journal back: each test's records are the
 * journal's lines as cJSON would parse them (less "v", "seq" and "test",
 * and "runner" but on a test's first record),
 * in order, built from the text by two threads for a large test (its
 * second half in the arena's helper region) or by one for a small one.
 * Every test runs with the tests' records checked when the journal is
 * indexed and with their check deferred to the read back; a last test
 * holds the two to the same answers for journals good and bad. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "reports/arena.h"
#include "reports/jsource.h"
#include "reports/jwrite.h"
#include "common/strbuf.h"
#include "tests/unit/jsource_answer.h"

/* Line i of a test: metrics with every kind of value, series, info. */
static void line(FILE *f, const char *test, int i)
{
	static const char *const names[] = { "gflops", "t\\u00e9st \\\"q\\\"", "bw\\n", "\\ud83d\\ude00" };
	if (i % 50 == 7) {
		fprintf(f, "{\"v\":1,\"seq\":%d,\"kind\":\"series\",\"test\":\"%s\",\"host\":\"n%04d\",\"name\":\"lat\","
			"\"x\":{\"name\":\"size\",\"unit\":\"B\"},\"rows\":[[2,1.5e-3,-0.25],[4,%d.125,1E+2]],\"n\":%d}\n",
			i, test, i % 97, i, i);
	} else if (i % 50 == 9) {
		fprintf(f, "{\"v\":1,\"seq\":%d,\"kind\":\"info\",\"runner\":\"r\",\"test\":\"%s\",\"host\":\"n%04d\","
			"\"info\":{\"a\":[1,{\"b\":null}],\"c\":\"x\\ty\"}}\n", i, test, i % 97);
	} else {
		fprintf(f, "{\"v\":1,\"seq\":%d,\"kind\":\"metric\",\"test\":\"%s\",\"runner\":\"r\",\"host\":\"n%04d\",\"rank\":%d,"
			"\"labels\":{\"gpu\":\"%d\",\"peer\":\"n\\/%d\"},\"name\":\"%s\",\"value\":%.17g,\"unit\":\"GB/s\","
			"\"better\":\"higher\",\"samples\":[%d,-0,0.5,123456789012,true,false,null],\"ok\":%s,"
			"\"none\":null,\"neg\":-%d.5e-7}\n",
			i, test, i % 97, i, i % 8, i % 13, names[i % 4], 1000.0 / (i + 3), i, i % 3 ? "true" : "false", i);
	}
}

/* The journal's lines of test, as cJSON parses them, less v, seq and test,
 * and runner but on the first. */
static cJSON *expected(const char *path, const char *test)
{
	FILE *f = fopen(path, "r");
	cJSON *out = cJSON_CreateArray();
	char *buf = NULL;
	size_t cap = 0;
	while (getline(&buf, &cap, f) > 0) {
		cJSON *r = cJSON_Parse(buf);
		assert_non_null(r);
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(r, "test")), test)) {
			cJSON_Delete(r);
			continue;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(r, "v");
		cJSON_DeleteItemFromObjectCaseSensitive(r, "seq");
		cJSON_DeleteItemFromObjectCaseSensitive(r, "test");
		if (out->child)
			cJSON_DeleteItemFromObjectCaseSensitive(r, "runner");
		cJSON_AddItemToArray(out, r);
	}
	free(buf);
	fclose(f);
	return out;
}

static void same(cJSON *got, cJSON *want)
{
	anvil_jw_unraw(got);  /* series rows and info bodies come as text */
	assert_int_equal(cJSON_GetArraySize(got), cJSON_GetArraySize(want));
	const cJSON *g = got->child, *w = want->child;
	for (; g && w; g = g->next, w = w->next)
		if (!cJSON_Compare(g, w, 1)) {
			char *a = cJSON_PrintUnformatted(g), *b = cJSON_PrintUnformatted(w);
			fail_msg("record differs:\n got  %s\n want %s", a, b);
		}
	assert_ptr_equal(got->child->prev, cJSON_GetArrayItem(got, cJSON_GetArraySize(got) - 1));
}

static void test_read_back(void **state)
{
	int deferred = *(int *)*state;
	char dir[] = "/tmp/anvil-jsource-XXXXXX", path[600], err[512] = "";
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	/* "big" (about 12 MB: read back on two threads) interleaved with "small" */
	for (int i = 0; i < 40000; i++) {
		line(f, "big", i);
		if (i % 4000 == 0)
			line(f, "small", i);
	}
	fclose(f);
	struct anvil_jsource *src = jsource_open(path, deferred, err, sizeof(err));
	assert_non_null(src);
	cJSON *want_big = expected(path, "big"), *want_small = expected(path, "small");
	for (int arena = 0; arena < 2; arena++) {
		if (arena) {
			assert_int_equal(anvil_arena_install(), 0);
			anvil_arena_on(ANVIL_ARENA_TEST);
		}
		cJSON *big = anvil_jsource_test_records(src, anvil_jsource_find(src, "big"), err, sizeof(err));
		cJSON *small = anvil_jsource_test_records(src, anvil_jsource_find(src, "small"), err, sizeof(err));
		assert_non_null(big);
		assert_non_null(small);
		same(big, want_big);
		same(small, want_small);
		cJSON_Delete(big);
		cJSON_Delete(small);
		if (arena) {
			anvil_arena_on(0);
			anvil_arena_uninstall();
		}
	}
	cJSON_Delete(want_big);
	cJSON_Delete(want_small);
	anvil_jsource_free(src);
	unlink(path);
	rmdir(dir);
}

/* The index: each line's "kind" and "test" (found on the checking threads,
 * the id unescaped where the lines are indexed), the run's records parsed,
 * in journal order, wherever they are. */
static void test_index(void **state)
{
	int deferred = *(int *)*state;
	char dir[] = "/tmp/anvil-jsource-XXXXXX", path[600], err[512] = "", longid[700];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
	memset(longid, 'x', 600);
	longid[600] = '\0';
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	/* a byte-order mark before the first record, as common/json.c allows */
	fprintf(f, "\xEF\xBB\xBF{\"v\":1,\"seq\":0,\"kind\":\"run\",\"event\":\"start\",\"hosts\":[\"n1\"]}\n");
	for (int i = 0; i < 30000; i++) {  /* about 8 MB: checked on two threads */
		line(f, "big", i);
		if (i % 7000 == 3) {
			fprintf(f, "{\"v\":1,\"seq\":%d,\"kind\":\"inventory\",\"host\":\"n%d\",\"inventory\":{\"i\":%d,"
				"\"s\":\"a\\\"b\\u00e9\",\"os\":\"Debian 12\"}}\n", i, i, i);
			fprintf(f, "{\"v\":1,\"seq\":%d,\"kind\":\"metric\",\"test\":\"esc\\u0061ped\",\"name\":\"m\",\"value\":%d}\n", i, i);
			fprintf(f, "{\"v\":1,\"seq\":%d,\"kind\":\"metric\",\"test\":\"escaped\",\"name\":\"m\",\"value\":%d}\n", i, i);
			fprintf(f, "{\"v\":1,\"seq\":%d,\"kind\":\"metric\",\"test\":7,\"name\":\"m\",\"value\":1}\n", i);
			fprintf(f, "{\"v\":1,\"seq\":%d,\"kind\":\"metric\",\"test\":\"%s\",\"name\":\"m\",\"value\":1}\n", i, longid);
			fprintf(f, "{\"v\":1,\"seq\":%d,\"kind\":\"m\\u0065tric\",\"test\":\"kinds\",\"name\":\"m\",\"value\":1}\n", i);
		}
	}
	fprintf(f, "{\"v\":1,\"seq\":99999,\"kind\":\"run\",\"event\":\"end\"}\n");
	fclose(f);
	struct anvil_jsource *src = jsource_open(path, deferred, err, sizeof(err));
	assert_non_null(src);
	assert_int_equal(anvil_jsource_records_count(src), 30000 + 5 * 6 + 2);
	/* big, escaped (both spellings), the long id cut at 511 bytes (as it
	 * always was: its records are not lost), kinds (an escaped kind is
	 * still a metric); not 7 */
	assert_int_equal(anvil_jsource_ntests(src), 4);
	assert_string_equal(anvil_jsource_test_id(src, 1), "escaped");
	longid[511] = '\0';
	assert_string_equal(anvil_jsource_test_id(src, 2), longid);
	assert_string_equal(anvil_jsource_test_id(src, 3), "kinds");
	cJSON *esc = anvil_jsource_test_records(src, anvil_jsource_find(src, "escaped"), err, sizeof(err));
	assert_int_equal(cJSON_GetArraySize(esc), 10);
	cJSON_Delete(esc);
	cJSON *cut = anvil_jsource_test_records(src, anvil_jsource_find(src, longid), err, sizeof(err));
	assert_int_equal(cJSON_GetArraySize(cut), 5);
	cJSON_Delete(cut);
	const cJSON *meta = anvil_jsource_meta(src), *m;
	assert_int_equal(cJSON_GetArraySize(meta), 2 + 5);
	int k = 0;
	cJSON_ArrayForEach(m, meta) {
		const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(m, "kind"));
		assert_string_equal(kind, k == 0 || k == 6 ? "run" : "inventory");
		if (k == 0)
			assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(m, "event")), "start");
		if (k > 0 && k < 6) {
			const cJSON *inv = cJSON_GetObjectItem(m, "inventory");
			assert_int_equal(cJSON_GetObjectItem(inv, "i")->valueint, 3 + 7000 * (k - 1));
			assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(inv, "s")), "a\"b\xc3\xa9");
			assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(inv, "os")), "Debian 12");
		}
		k++;
	}
	anvil_jsource_free(src);
	unlink(path);
	rmdir(dir);
}

/* A journal of several read buffers (16 MiB each), with a line longer than a
 * buffer in the middle: every line indexed once, in order, with its right
 * line number (a bad line past the first buffers is named by it). */
static void test_index_buffers(void **state)
{
	int deferred = *(int *)*state;
	char dir[] = "/tmp/anvil-jsource-XXXXXX", path[600], err[1024] = "";
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
	for (int bad = 0; bad < 2; bad++) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		long n = 1;
		fprintf(f, "{\"v\":1,\"seq\":0,\"kind\":\"run\",\"event\":\"start\",\"hosts\":[\"n1\"]}\n");
		for (int i = 0; i < 150000; i++, n++) {
			fprintf(f, "{\"v\":1,\"seq\":%d,\"kind\":\"metric\",\"test\":\"t%d\",\"host\":\"n%04d\",\"rank\":%d,"
				"\"labels\":{\"gpu\":\"%d\"},\"name\":\"bw\",\"value\":%d,\"unit\":\"GB/s\",\"better\":\"higher\","
				"\"samples\":[1.5,2.5,3.5,4.5,5.5,6.5,7.5,8.5,9.5,10.5,11.5,12.5,13.5,14.5,15.5,16.5,17.5,18.5]}\n",
				i + 1, i % 3, i % 1000, i, i % 8, i);
			if (i == 70000) {  /* 17 MiB in one line */
				fprintf(f, "{\"v\":1,\"seq\":%d,\"kind\":\"info\",\"test\":\"t0\",\"host\":\"n1\",\"info\":{\"s\":\"", i);
				for (int k = 0; k < 17 * 1024; k++)
					fprintf(f, "%01024d", k);
				fprintf(f, "\"}}\n");
				n++;
			}
			if (bad && i == 120000)
				fprintf(f, "{\"v\":1,\"kind\":\"metric\",\"test\":\"t0\" oops}\n"), n++;
		}
		fprintf(f, "{\"v\":1,\"seq\":999999,\"kind\":\"run\",\"event\":\"end\"}\n");
		fclose(f);
		struct anvil_jsource *src = jsource_open(path, deferred, err, sizeof(err));
		if (bad && deferred) {  /* t0's line: found bad when t0 is read back */
			assert_non_null(src);
			cJSON *t1 = anvil_jsource_test_records(src, anvil_jsource_find(src, "t1"), err, sizeof(err));
			assert_non_null(t1);
			cJSON_Delete(t1);
			assert_null(anvil_jsource_test_records(src, anvil_jsource_find(src, "t0"), err, sizeof(err)));
			anvil_jsource_free(src);
			src = NULL;
		}
		if (bad) {
			assert_null(src);
			/* the bad line: after a run line, 120001 metrics and the long line */
			if (!strstr(err, "journal.jsonl:120004:"))
				fail_msg("%s", err);
			continue;
		}
		assert_non_null(src);
		assert_int_equal(anvil_jsource_records_count(src), 150000 + 1 + 2);
		assert_int_equal(anvil_jsource_ntests(src), 3);
		for (int t = 0; t < 3; t++) {
			char id[8];
			snprintf(id, sizeof(id), "t%d", t);
			cJSON *recs = anvil_jsource_test_records(src, anvil_jsource_find(src, id), err, sizeof(err));
			assert_non_null(recs);
			assert_int_equal(cJSON_GetArraySize(recs), 50000 + (t == 0));
			int want = t;
			const cJSON *r;
			cJSON_ArrayForEach(r, recs) {  /* in the journal's order, none twice */
				const cJSON *v = cJSON_GetObjectItem(r, "value");
				if (!v) {
					assert_int_equal(want, 70002);  /* the long line, after value 70000 (t0's next is 70002) */
					const cJSON *info = cJSON_GetObjectItem(r, "info");  /* kept as text */
					assert_true(cJSON_IsRaw(info));
					assert_int_equal(strlen(info->valuestring), 17 * 1024 * 1024 + strlen("{\"s\":\"\"}"));
					continue;
				}
				assert_int_equal(v->valueint, want);
				want += 3;
			}
			cJSON_Delete(recs);
		}
		assert_int_equal(cJSON_GetArraySize(anvil_jsource_meta(src)), 2);
		anvil_jsource_free(src);
	}
	unlink(path);
	rmdir(dir);
}

/* ---- deferred and not: the same answers ------------------------------------ */

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void agree(const char *path, const char *text, size_t len)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	write_file(path, text, len);
	jsource_answer(path, 0, &a);
	jsource_answer(path, 1, &b);
	if (strcmp(strbuf_str(&a), strbuf_str(&b)))
		fail_msg("journal:\n%.*s\nchecked at once:\n%s\nchecked when read back:\n%s", (int)len, text,
			 strbuf_str(&a), strbuf_str(&b));
	strbuf_release(&a);
	strbuf_release(&b);
}

#define START "{\"v\":1,\"seq\":0,\"kind\":\"run\",\"event\":\"start\",\"hosts\":[\"n1\",\"n2\"]}\n"
#define M(test, v) "{\"v\":1,\"kind\":\"metric\",\"test\":\"" test "\",\"host\":\"n1\",\"name\":\"bw\",\"value\":" v "}\n"
#define S(test) "{\"v\":1,\"kind\":\"series\",\"test\":\"" test "\",\"name\":\"lat\",\"rows\":[[1,2.5],[2,-0.5e-3]]}\n"
#define REPAIR(line) "{\"v\":1,\"kind\":\"repair\",\"torn_line\":" line ",\"t\":1}\n"

static const char *const cases[] = {
	/* good, plain and not */
	START M("a", "1") S("a") M("b", "2.5") M("a", "3") "{\"v\":1,\"kind\":\"run\",\"event\":\"end\"}\n",
	START "{\"v\":1,\"kind\":\"metric\",\"test\":\"a\",\"name\":\"t\\u00e9\",\"value\":1E+2,\"s\":\"\xc3\xa9\"}\n" M("a", "1e-320"),
	START "{\"v\":1,\"kind\":\"info\",\"test\":\"a\",\"info\":{\"x\":[1,{\"y\":null}],\"z\":\"a\\tb\"}}\n" M("a", "-0"),
	START "{\"kind\":\"metric\",\"test\":\"a\",\"value\":1}  \r\n" "\n" "  " M("a", "2"),
	START "\xEF\xBB\xBF" M("a", "1") M("a", "2"),
	/* a bad line inside, in one test or two (the first is named) */
	START M("a", "1") M("a", "oops") M("a", "3"),
	START M("a", "1") M("b", "x1") M("a", "2") M("b", "2") M("c", "1") M("c", "y") M("a", "9"),
	START M("a", "1") "{\"v\":1,\"kind\":\"metric\",\"test\":\"a\",\"test\":\"b\",\"value\":1}\n" M("a", "2"),
	START M("a", "1") "{\"v\":1,\"kind\":\"metric\",\"test\":\"a\",\"value\":1e999}\n" M("a", "2"),
	START M("a", "1") "{\"v\":1,\"kind\":\"metric\",\"test\":\"a\",\"s\":\"\xc3\"}\n" M("a", "2"),
	START M("a", "1") "[1]\n" M("a", "2"),
	START M("a", "1") "{\"kind\":\"metric\",\"test\":\"a\"}{}\n" M("a", "2"),
	/* torn last lines, and torn lines a repair names */
	START M("a", "1") "{\"v\":1,\"kind\":\"metric\",\"test\":\"a\",\"val",
	START M("a", "1") "{\"v\":1,\"kind\":\"metric\",\"test\":\"only\",\"val",
	START M("a", "1") "{\"v\":1,\"kind\":\"metric\",\"test\":\"only\",\"val\n" REPAIR("3") M("a", "2"),
	START M("a", "1") "{\"v\":1,\"kind\":\"metric\",\"test\":\"a\",\"val\n" REPAIR("2") M("a", "2"),
	START M("a", "1") "{\"v\":1,\"kind\":\"metric\",\"test\":\"a\",\"val\n" M("a", "2") REPAIR("3"),
	START M("a", "1") M("a", "2") REPAIR("2") M("a", "3"),
	START M("a", "oops") M("a", "1") "{\"v\":1,\"kind\":\"metric\",\"test\":\"a\",\"val",
	START M("a", "1") "garbage\n" REPAIR("3") M("a", "oops") REPAIR("5"),
	/* records of a test no report reads: found by the unread check */
	START M("inventory-drift", "1") M("inventory-drift", "nope") M("a", "1"),
};

/* A byte of a line changed, cut or doubled: each such journal gets the
 * same answer checked at once and checked when read back. */
static void mutate(char *text, size_t *len, unsigned *seed)
{
	static const char bytes[] = "{}[]\",:\\ 0123456789.eE+-tfnul\n\t\x01\x80\xc3\xa9";
	size_t at = (size_t)rand_r(seed) % *len;
	switch (rand_r(seed) % 3) {
	case 0:
		text[at] = bytes[(size_t)rand_r(seed) % (sizeof(bytes) - 1)];
		break;
	case 1:
		memmove(text + at, text + at + 1, *len - at - 1);
		(*len)--;
		break;
	default:
		memmove(text + at + 1, text + at, *len - at);
		(*len)++;
		break;
	}
}

static void test_deferred_agrees(void **state)
{
	(void)state;
	char dir[] = "/tmp/anvil-jsource-XXXXXX", path[600];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		agree(path, cases[i], strlen(cases[i]));
	unsigned seed = 7;
	char text[4096];
	for (int k = 0; k < 2500; k++) {
		const char *base = cases[k % (sizeof(cases) / sizeof(*cases))];
		size_t len = strlen(base);
		memcpy(text, base, len);
		for (int m = rand_r(&seed) % 3; m >= 0 && len > 1; m--)
			mutate(text, &len, &seed);
		agree(path, text, len);
	}
	unlink(path);
	rmdir(dir);
}

/* Read back into the arena (deferred), a record whose labels are the same
 * text as the last record's shares that object's members (a reference,
 * as cJSON makes one); labels that differ, or hold more than strings, or
 * records read outside the arena, get their own. Every record is still
 * what cJSON parses from its line. */
static void test_labels_shared(void **state)
{
	(void)state;
	static const char *const labels[] = {
		"{\"gpu\":\"0\",\"p\":\"fp64\"}", "{\"gpu\":\"0\",\"p\":\"fp64\"}", "{\"gpu\":\"0\",\"p\":\"fp64\"}",
		"{\"gpu\":\"1\",\"p\":\"fp64\"}", "{\"gpu\":\"1\",\"p\":\"fp64\"}", "{\"gpu\":\"1\",\"n\":2}",
		"{\"gpu\":\"1\",\"n\":2}", "{\"gpu\": \"1\",\"p\":\"fp64\"}", "{}", "{}",
	};
	static const int shared[] = { 0, 1, 1, 0, 1, 0, 0, 0, 0, 0 };
	const size_t n = sizeof(labels) / sizeof(*labels);
	char dir[] = "/tmp/anvil-jsource-XXXXXX", path[600], err[512] = "";
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "{\"v\":1,\"seq\":%zu,\"kind\":\"%s\",\"test\":\"t\",\"host\":\"n1\",\"labels\":%s,"
			"\"name\":\"x\",\"value\":%zu}\n", i, i % 3 == 2 ? "check" : "metric", labels[i], i);
	fclose(f);
	struct anvil_jsource *src = anvil_jsource_file_deferred(path, err, sizeof(err));
	assert_non_null(src);
	cJSON *want = expected(path, "t");
	for (int arena = 0; arena < 2; arena++) {
		if (arena) {
			assert_int_equal(anvil_arena_install(), 0);
			anvil_arena_on(ANVIL_ARENA_TEST);
		}
		cJSON *got = anvil_jsource_test_records(src, 0, err, sizeof(err));
		assert_non_null(got);
		const cJSON *prev = NULL;
		size_t i = 0;
		for (const cJSON *r = got->child; r; r = r->next, i++) {
			const cJSON *l = cJSON_GetObjectItemCaseSensitive(r, "labels");
			assert_true(cJSON_IsObject(l));
			int ref = (l->type & cJSON_IsReference) != 0;
			assert_int_equal(ref, arena && shared[i]);
			if (ref)
				assert_ptr_equal(l->child, prev->child);
			else
				prev = l;
		}
		assert_int_equal(i, n);
		same(got, want);
		cJSON_Delete(got);
		if (arena) {
			anvil_arena_on(0);
			anvil_arena_uninstall();
		}
	}
	cJSON_Delete(want);
	anvil_jsource_free(src);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	static int checked_now = 0, deferred = 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_read_back, &checked_now),
		cmocka_unit_test_prestate(test_read_back, &deferred),
		cmocka_unit_test_prestate(test_index, &checked_now),
		cmocka_unit_test_prestate(test_index, &deferred),
		cmocka_unit_test_prestate(test_index_buffers, &checked_now),
		cmocka_unit_test_prestate(test_index_buffers, &deferred),
		cmocka_unit_test(test_deferred_agrees),
		cmocka_unit_test(test_labels_shared),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
