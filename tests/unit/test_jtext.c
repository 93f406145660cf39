/* The report stage's JSON text tools: numbers that read back exactly
 * (dtoa), strict validation with the error's place (jscan), walking
 * members, trees checked as they are built, the writer against cJSON's
 * own parser, raw text made a tree again, and the string-keyed hash map. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "reports/dtoa.h"
#include "reports/jscan.h"
#include "reports/jwrite.h"
#include "reports/keymap.h"
#include "reports/jtree.h"
#include "reports/jplain.h"
#include "common/json.h"

static void test_dtoa(void **state)
{
	static const double fixed[] = { 0.1, 0.3, 1, -2.5, 1e21, 1e22, 1e23, 5e-324, 2.2250738585072014e-308,
					1.7976931348623157e308, 0.000123, 1e-7, 51.894779652482, 1790000000.123, 12345678901234567.0 };
	char buf[ANVIL_DTOA_MAX];
	for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++) {
		anvil_dtoa(fixed[i], buf);
		if (strtod(buf, NULL) != fixed[i])
			fail_msg("%a printed as %s", fixed[i], buf);
	}
	anvil_dtoa(0.1, buf);
	assert_string_equal(buf, "0.1");
	anvil_dtoa(-0.0, buf);
	assert_string_equal(buf, "-0");
	anvil_dtoa(NAN, buf);
	assert_string_equal(buf, "null");
	/* a million random bit patterns and a million ratios read back exactly */
	uint64_t s = 88172645463325252ULL;
	for (int i = 0; i < 2000000; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		double d;
		memcpy(&d, &s, sizeof(d));
		if (i % 2)
			d = (double)(s % 10000000) / (double)(1 + (s >> 40) % 997);
		if (!isfinite(d))
			continue;
		anvil_dtoa(d, buf);
		if (strtod(buf, NULL) != d)
			fail_msg("%a printed as %s", d, buf);
	}
}

static void bad(const char *text, size_t want_at, const char *want_what)
{
	size_t at;
	const char *what;
	if (!anvil_jscan_check(text, strlen(text), &at, &what))
		fail_msg("accepted: %s", text);
	if (at != want_at || !strstr(what, want_what))
		fail_msg("%s: at %zu (%s), expected %zu (%s)", text, at, what, want_at, want_what);
}

static void test_jscan_check(void **state)
{
	size_t at;
	const char *what;
	static const char *const good[] = {
		"{}", " [1, -0.5e+3, \"a\\u00e9\\n\", true, false, null, {\"k\": []}] ", "\"x\"", "0", "-0.0E-0",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		if (anvil_jscan_check(good[i], strlen(good[i]), &at, &what))
			fail_msg("refused %s at %zu: %s", good[i], at, what);
	bad("{\"a\" 1}", 5, "':'");
	bad("{\"a\": 1,}", 8, "member name");
	bad("[1 2]", 3, "',' or ']'");
	bad("01", 1, "end of the text");
	bad("1.", 2, "digit");
	bad("\"a\tb\"", 2, "control character");
	bad("\"\\x\"", 2, "valid escape");
	bad("\"\\u12g4\"", 5, "hex digits");
	bad("{\"a\": tru}", 6, "a value");
	bad("{\"a\": 1", 7, "',' or '}'");
	bad("", 0, "a value");
	char deep[2000];
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	bad(deep, 64, "nesting");  /* the 65th level, where the parser stops too */
	deep[130] = '\0';
	memset(deep + 65, ']', 65);
	bad(deep, 64, "nesting");  /* also when the 65th is empty */
	deep[128] = '\0';
	memset(deep + 64, ']', 64);
	if (anvil_jscan_check(deep, strlen(deep), &at, &what))
		fail_msg("64 levels refused at %zu: %s", at, what);
	deep[129] = '\0';
	memmove(deep + 65, deep + 64, 64);
	deep[64] = '1';
	bad(deep, 64, "nesting");  /* a number in 64 arrays is the 65th level, as the parser counts */
	/* as strict as common/json.c: duplicate keys (also past the first 64), UTF-8, \u0000, surrogates, range */
	bad("{\"a\": 1, \"b\": 2, \"a\": 3}", 17, "key not already");
	bad("{\"a\": 1, \"\\u0061\": 2}", 9, "key not already");
	bad("{\"\\u0061\": 1, \"b\": 2, \"a\": 3}", 22, "key not already");  /* the escaped name first */
	bad("\"\xc3\x28\"", 1, "UTF-8");
	bad("\"\xe0\x80\xaf\"", 1, "UTF-8");                 /* overlong */
	bad("\"a\\u0000\"", 2, "u0000");
	bad("\"\\ud800x\"", 1, "surrogate");
	bad("\"\\udc00\"", 1, "surrogate");
	bad("[1e999]", 1, "range");
	bad("12345678901234567890123456789012345678901234567890123456789012345", 0, "shorter number");
	struct strbuf big = STRBUF_INIT;
	strbuf_addch(&big, '{');
	for (int i = 0; i < 100; i++)
		strbuf_addf(&big, "\"k%d\": %d, ", i, i);
	strbuf_adds(&big, "\"k70\": 0}");
	if (!anvil_jscan_check(big.buf, big.len, &at, &what))
		fail_msg("a duplicate key past the first 64 was accepted");
	strbuf_release(&big);
	assert_int_equal(anvil_jscan_check("\xEF\xBB\xBF{}", 5, &at, &what), 0);   /* a byte-order mark, as json.c */
}

/* A random JSON value much like a journal line (objects of a few plain
 * names, arrays of numbers), with now and then what only the full check
 * knows: escapes, UTF-8, exponents, long numbers, deep nesting, a repeated
 * name. */
static uint64_t rnd_state = 0x9E3779B97F4A7C15ULL;

static unsigned rnd(unsigned n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned)(rnd_state % n);
}

static void gen_value(struct strbuf *sb, int depth)
{
	static const char *const scalars[] = {
		"0", "-0", "12", "-3.25", "1790000946.0", "1e5", "-2.5E-3", "1e999", "01", "1.", "-", "true", "false",
		"null", "nul", "\"a\"", "\"node0001\"", "\"\"", "\"\\n\"", "\"\\u00e9\"", "\"\\u0000\"", "\"\\ud800\"",
		"\"\xc3\xa9\"", "\"\xc3\x28\"", "\"a\tb\"", "12345678901234567890123456789012345678901234567890123456789012345",
	};
	static const char *const names[] = { "host", "rank", "name", "unit", "t", "labels", "\\u0068ost", "" };
	unsigned r = rnd(depth > 6 ? 2 : 10);
	if (r < 2) {
		strbuf_adds(sb, scalars[rnd(sizeof(scalars) / sizeof(*scalars))]);
	} else if (r < 6) {
		strbuf_addch(sb, '{');
		for (unsigned i = 0, n = rnd(14); i < n; i++) {
			strbuf_addf(sb, "%s\"%s%s\":%s", i ? "," : "", names[rnd(sizeof(names) / sizeof(*names))],
				    rnd(3) ? "" : "x", rnd(8) ? "" : " ");
			if (rnd(3))
				strbuf_addf(sb, rnd(2) ? "%u" : "\"v%u\"", rnd(100));
			else
				gen_value(sb, depth + 1);
		}
		strbuf_addch(sb, '}');
	} else if (r < 9) {
		strbuf_addch(sb, '[');
		for (unsigned i = 0, n = rnd(6); i < n; i++) {
			if (i)
				strbuf_adds(sb, rnd(8) ? "," : " , ");
			if (rnd(3))
				strbuf_addf(sb, "%d.%u", (int)rnd(2000) - 1000, rnd(100));
			else
				gen_value(sb, depth + 1);
		}
		strbuf_addch(sb, ']');
	} else {
		for (int i = 0; i < 63 + (int)rnd(4); i++)
			strbuf_addch(sb, '[');
		strbuf_adds(sb, rnd(2) ? "1" : "");
		for (int i = 0; i < 63 + (int)rnd(4); i++)
			strbuf_addch(sb, ']');
	}
}

/* A value of gen_value's, now and then with a byte changed, dropped or
 * added (one of bytes). */
static void gen_mutated(struct strbuf *sb, const char *bytes)
{
	size_t nb = strlen(bytes);
	sb->len = 0;
	gen_value(sb, 0);
	for (unsigned m = rnd(4) == 0 ? 1 + rnd(2) : 0; m && sb->len; m--) {
		size_t at = rnd((unsigned)sb->len);
		switch (rnd(3)) {
		case 0: sb->buf[at] = bytes[rnd((unsigned)nb)]; break;
		case 1: memmove(sb->buf + at, sb->buf + at + 1, sb->len - at); sb->len--; break;
		default: strbuf_addch(sb, 0); memmove(sb->buf + at + 1, sb->buf + at, sb->len - at - 1); sb->buf[at] = bytes[rnd((unsigned)nb)];
		}
	}
}

/* The check (its quick look, and the full check where that says no)
 * accepts exactly what common/json.c's parser accepts. */
static void test_jscan_against_parser(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	char perr[512];
	int agreed[2] = { 0, 0 };
	for (int i = 0; i < 300000; i++) {
		gen_mutated(&sb, "{}[],:\"\\ 0-.e");
		size_t at;
		const char *what;
		struct anvil_json_doc doc;
		int ours = anvil_jscan_check(sb.buf, sb.len, &at, &what) == 0;
		int theirs = anvil_json_parse(sb.buf, sb.len, "", &doc, perr, sizeof(perr)) == 0;
		if (theirs)
			anvil_json_doc_release(&doc);
		if (ours != theirs)
			fail_msg("the check %s, the parser %s: %.*s", ours ? "accepted" : "refused", theirs ? "accepted" : "refused",
				 (int)sb.len, sb.buf);
		agreed[ours]++;
	}
	/* both kinds of text were seen often */
	assert_true(agreed[0] > 30000 && agreed[1] > 30000);
	strbuf_release(&sb);
}

/* The tree checked as it is built (anvil_jtree_plain): given for nothing
 * the full check refuses, and then the tree the builder of checked text
 * makes; given for plain text, exponents included; refused (NULL) for
 * what only the full check knows. */
static void test_jtree_plain(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	int plain = 0, valid = 0;
	for (int i = 0; i < 300000; i++) {
		gen_mutated(&sb, "{}[],:\"\\ 0-.eE+");
		const char *end = sb.buf + sb.len, *next = NULL;
		size_t at;
		const char *what;
		int ok = anvil_jscan_check(sb.buf, sb.len, &at, &what) == 0;
		cJSON *t = anvil_jtree_plain(sb.buf, end, 0, &next);
		valid += ok;
		if (t && next < end)  /* a value, then something: the caller's to refuse */
			next = anvil_jscan_ws(next, end);
		if (t && next == end) {
			plain++;
			if (!ok)
				fail_msg("given, and the check refuses: %.*s", (int)sb.len, sb.buf);
			cJSON *want = anvil_jtree(sb.buf, end);
			if (!cJSON_Compare(t, want, 1))
				fail_msg("not the tree of checked text: %.*s", (int)sb.len, sb.buf);
			cJSON_Delete(want);
		}
		cJSON_Delete(t);
	}
	/* most valid text of this generator is plain */
	assert_true(plain > valid / 2 && valid > 30000);
	strbuf_release(&sb);
	static const char *const given[] = { "{}", "[]", "1E+2", "-0.5e-3", "1e-400", "[[1,2.5],[2,-0]]", " 0",
					     "{\"a\":{\"b\":[true,false,null]},\"c\":\"x y\"}" };
	static const char *const refused[] = { "\"a\\n\"", "\"\xc3\xa9\"", "{\"a\":1,\"a\":2}", "1e999", "01", "1.",
					       "[1,]", "{\"a\" 1}", "tru", "\"a", "-", "[1 2]", "{\"a\":1,}" };
	for (size_t i = 0; i < sizeof(given) / sizeof(*given); i++) {
		const char *p = anvil_jscan_ws(given[i], given[i] + strlen(given[i])), *next;
		cJSON *t = anvil_jtree_plain(p, given[i] + strlen(given[i]), 0, &next);
		if (!t || next != given[i] + strlen(given[i]))
			fail_msg("refused: %s", given[i]);
		cJSON_Delete(t);
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		const char *next;
		cJSON *t = anvil_jtree_plain(refused[i], refused[i] + strlen(refused[i]), 0, &next);
		if (t && next == refused[i] + strlen(refused[i]))
			fail_msg("given: %s", refused[i]);
		cJSON_Delete(t);
	}
	/* 65 names in an object: the full check's */
	sb.len = 0;
	strbuf_addch(&sb, '{');
	for (int k = 0; k < 65; k++)
		strbuf_addf(&sb, "%s\"k%d\":%d", k ? "," : "", k, k);
	strbuf_addch(&sb, '}');
	const char *next;
	assert_null(anvil_jtree_plain(sb.buf, sb.buf + sb.len, 0, &next));
	/* nesting: 64 levels of arrays are valid, 65 are not (as the check has it) */
	for (int levels = 63; levels <= 66; levels++) {
		sb.len = 0;
		for (int k = 0; k < levels; k++)
			strbuf_addch(&sb, '[');
		for (int k = 0; k < levels; k++)
			strbuf_addch(&sb, ']');
		size_t at;
		const char *what;
		cJSON *t = anvil_jtree_plain(sb.buf, sb.buf + sb.len, 0, &next);
		assert_int_equal(t != NULL, anvil_jscan_check(sb.buf, sb.len, &at, &what) == 0);
		assert_int_equal(t != NULL, levels <= 64);
		cJSON_Delete(t);
	}
	strbuf_release(&sb);
}

static void test_jscan_walk(void **state)
{
	const char *text = "{\"kind\": \"se\\\"ries\", \"rows\": [[1, 2], [3, {\"a\": \"]\"}]], \"n\": -1.5e3, \"x\\u00e9\": null}";
	struct anvil_jscan_it it;
	char out[64];
	int n = 0;
	anvil_jscan_object(&it, text, text + strlen(text));
	while (anvil_jscan_next(&it)) {
		n++;
		if (anvil_jscan_key_is(&it, "kind")) {
			assert_int_equal(anvil_jscan_string(it.val, it.vend, out, sizeof(out)), 0);
			assert_string_equal(out, "se\"ries");
		} else if (anvil_jscan_key_is(&it, "rows")) {
			assert_int_equal(it.vend - it.val, (int)strlen("[[1, 2], [3, {\"a\": \"]\"}]]"));
		} else if (anvil_jscan_key_is(&it, "n")) {
			assert_int_equal(it.vend - it.val, 6);
		}
	}
	assert_int_equal(n, 4);
	assert_int_equal(anvil_jscan_string("\"\\ud83d\\ude00\"", "\"\\ud83d\\ude00\"" + 14, out, sizeof(out)), 0);
	assert_string_equal(out, "\xf0\x9f\x98\x80");
}

static void test_writer(void **state)
{
	const char *text = "{\"s\": \"q\\\"b\\\\n\\n\\u0001\xc3\xa9\", \"n\": [0, -3, 2.5, 1e300, 123456789012, 0.1], \"e\": {}, \"a\": [],"
			   " \"o\": {\"t\": true, \"f\": false, \"z\": null}}";
	cJSON *tree = cJSON_Parse(text);
	assert_non_null(tree);
	cJSON_AddRawToObject(tree, "raw", "[[1, 2], [3, 4]]");
	struct anvil_outfile o;
	anvil_outfile_buffer(&o);
	anvil_jw_value(&o, tree, 0);
	cJSON *back = cJSON_Parse(strbuf_str(&o.buf));
	assert_non_null(back);
	cJSON *raw = cJSON_DetachItemFromObjectCaseSensitive(back, "raw");
	assert_true(cJSON_IsArray(raw) && cJSON_GetArraySize(raw) == 2);
	cJSON_Delete(raw);
	cJSON_DeleteItemFromObjectCaseSensitive(tree, "raw");
	assert_true(cJSON_Compare(tree, back, 1));
	/* the layout is cJSON_Print's */
	char *printed = cJSON_Print(back);
	cJSON *simple = cJSON_Parse("{\"a\": {\"b\": [1, 2]}, \"c\": \"d\"}");
	struct anvil_outfile o2;
	anvil_outfile_buffer(&o2);
	anvil_jw_value(&o2, simple, 0);
	char *want = cJSON_Print(simple);
	assert_string_equal(strbuf_str(&o2.buf), want);
	free(want);
	free(printed);
	/* raw text becomes a tree again, keeping its member name */
	cJSON *r = cJSON_CreateObject();
	cJSON *rows = cJSON_AddObjectToObject(r, "series");
	cJSON_AddRawToObject(rows, "rows", "[[1, 2]]");
	anvil_jw_unraw(r);
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(rows, "rows")));
	cJSON_Delete(r);
	cJSON_Delete(simple);
	cJSON_Delete(back);
	cJSON_Delete(tree);
	strbuf_release(&o.buf);
	strbuf_release(&o2.buf);
}

static void count(void *value, void *arg) { *(long *)arg += (long)(intptr_t)value; }

static void test_keymap(void **state)
{
	struct anvil_keymap m = ANVIL_KEYMAP_INIT;
	char key[32];
	for (long i = 1; i <= 100000; i++) {
		int n = snprintf(key, sizeof(key), "k%ld", i);
		assert_null(anvil_keymap_put(&m, key, (size_t)n, (void *)(intptr_t)i));
	}
	assert_int_equal(m.n, 100000);
	assert_int_equal((intptr_t)anvil_keymap_get(&m, "k777", 4), 777);
	assert_null(anvil_keymap_get(&m, "k0", 2));
	assert_int_equal((intptr_t)anvil_keymap_put(&m, "k5", 2, (void *)(intptr_t)6), 5);
	long sum = 0;
	anvil_keymap_each(&m, count, &sum);
	assert_int_equal(sum, 100000L * 100001 / 2 + 1);
	/* composite keys: ("ab", "c") is not ("a", "bc") */
	struct strbuf k1 = STRBUF_INIT, k2 = STRBUF_INIT;
	anvil_key_add(&k1, "ab");
	anvil_key_add(&k1, "c");
	anvil_key_add(&k2, "a");
	anvil_key_add(&k2, "bc");
	assert_true(k1.len == k2.len && memcmp(k1.buf, k2.buf, k1.len));
	strbuf_release(&k1);
	strbuf_release(&k2);
	anvil_keymap_release(&m);
}

/* An array split at every place and put back together is the same array,
 * its last element where cJSON keeps it (child->prev). */
static void test_split_append(void **state)
{
	(void)state;
	for (int n = 0; n <= 5; n++) {
		for (int at = 0; at <= n + 1; at++) {
			cJSON *a = cJSON_CreateArray();
			for (int i = 0; i < n; i++)
				cJSON_AddItemToArray(a, cJSON_CreateNumber(i));
			cJSON *b = anvil_jtree_split(a, at);
			int keep = at < n ? at : n;
			assert_int_equal(cJSON_GetArraySize(a), keep);
			assert_int_equal(cJSON_GetArraySize(b), n - keep);
			if (keep)
				assert_ptr_equal(a->child->prev, cJSON_GetArrayItem(a, keep - 1));
			if (n - keep)
				assert_int_equal((int)b->child->valuedouble, keep);
			cJSON_AddItemToArray(b, cJSON_CreateNumber(n));  /* b is a whole array of its own */
			anvil_jtree_append_all(a, b);
			assert_null(b->child);
			assert_int_equal(cJSON_GetArraySize(a), n + 1);
			for (int i = 0; i <= n; i++)
				assert_int_equal((int)cJSON_GetArrayItem(a, i)->valuedouble, i);
			assert_int_equal((int)a->child->prev->valuedouble, n);
			cJSON_Delete(a);
			cJSON_Delete(b);
		}
	}
}

/* Numbers made into trees: bit for bit what strtod makes of them, in every
 * shape a journal has (fast path or not). */
static void test_numbers(void **state)
{
	(void)state;
	static const char *const fixed[] = { "0", "-0", "0.0", "-0.0", "1", "-1", "1e22", "1e23", "9007199254740992",
					     "9007199254740993", "123456789012345678901234567890", "0.1", "0.30000000000000004",
					     "5e-324", "2.2250738585072014e-308", "1.7976931348623157e308", "1e400", "-1e-400",
					     "1E+2", "1e-22", "1e-23", "49.89419506487635", "1790000946.0", "0.000000000000000000001",
					     "12345678901234567890", "1234567890123456789.5", "4.35e-05" };
	char buf[64];
	unsigned long x = 88172645463325252UL;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed) + 200000; i++) {
		const char *text = buf;
		if (i < sizeof(fixed) / sizeof(*fixed)) {
			text = fixed[i];
		} else {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			double d;
			uint64_t bits = x;
			memcpy(&d, &bits, sizeof(d));
			if (!isfinite(d))
				d = (double)(x >> 11) / 1e3;
			static const char *const fmt[] = { "%.17g", "%.15g", "%.6f", "%.3e", "%.16g", "%.0f", "%.10g" };
			snprintf(buf, sizeof(buf), fmt[x % 7], (x >> 3) % 3 ? d : d * 1e-300 * (double)((x >> 5) % 1000));
			if (strchr(buf, 'n') || strchr(buf, 'i') || strlen(buf) > 40)
				continue;
		}
		cJSON *t = anvil_jtree(text, text + strlen(text));
		double want = strtod(text, NULL), got = t->valuedouble;
		if (memcmp(&want, &got, sizeof(want)))
			fail_msg("%s: %.17g, strtod %.17g", text, got, want);
		cJSON_Delete(t);
	}
}

/* Numbers of 16 to 19 significant digits with a small exponent (figures
 * printed to round-trip: reports/jtree.c reads them in a long double),
 * halfway cases between two doubles among them, read as strtod reads them. */
static void test_numbers_long(void **state)
{
	(void)state;
	char buf[64];
	unsigned long x = 2463534242UL;
	for (int i = 0; i < 400000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int e = (int)(x % 50) - 25;
		uint64_t m = ((x >> 8) & (((uint64_t)1 << 53) - 1)) | ((uint64_t)1 << 52);
		switch (i % 4) {
		case 0:  /* a double near 10^e, to 17, 18 or 19 digits */
			snprintf(buf, sizeof(buf), "%.*g", 17 + (int)(x % 3), ldexp((double)m, -52) * pow(10, e));
			break;
		case 1:  /* halfway between two doubles (2^53 + odd), then scaled by a power of ten */
			snprintf(buf, sizeof(buf), "%llu%s%d", (unsigned long long)(((uint64_t)1 << 53) + 2 * (x % 4096) + 1),
				 e < 0 ? "e" : "e+", e);
			break;
		case 2:  /* the same with the point inside the digits */
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(m * 2 + 1));
			memmove(buf + 3, buf + 2, strlen(buf + 2) + 1);
			buf[2] = '.';
			break;
		default:  /* nineteen digits */
			snprintf(buf, sizeof(buf), "%llu.%03d", (unsigned long long)(x % 10000000000000000ULL), (int)(x % 1000));
		}
		cJSON *t = anvil_jtree(buf, buf + strlen(buf));
		double want = strtod(buf, NULL), got = t->valuedouble;
		if (memcmp(&want, &got, sizeof(want)))
			fail_msg("%s: %.17g, strtod %.17g", buf, got, want);
		cJSON_Delete(t);
	}
}

/* Text that is not valid JSON still gives a tree and ends (each step of the
 * one-pass builder moves on): random runs of JSON's own characters. */
static void test_jtree_any_text(void **state)
{
	(void)state;
	static const char alphabet[] = "{}[]\":,-+.eE0123456789truefalsn \\u\t";
	char text[48];
	unsigned long x = 2463534242UL;
	for (int i = 0; i < 50000; i++) {
		size_t n = (size_t)(i % 47);
		for (size_t k = 0; k < n; k++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			text[k] = alphabet[x % (sizeof(alphabet) - 1)];
		}
		cJSON *t = anvil_jtree(text, text + n);
		assert_non_null(t);
		cJSON_Delete(t);
	}
	/* and valid text as cJSON reads it */
	const char *ok = "{\"a\": [1, -2.5e3, \"x\\\"y\", true, false, null, {}], \"b\": {\"c\": []}}";
	cJSON *t = anvil_jtree(ok, ok + strlen(ok)), *want = cJSON_Parse(ok);
	assert_true(cJSON_Compare(t, want, 1));
	cJSON_Delete(t);
	cJSON_Delete(want);
}

/* Short plain strings are kept once (the same pointer in every tree, on
 * any thread) and survive cJSON_Delete; long or escaped ones are copies;
 * a duplicate is a copy of its own. */
static void *parse_hosts(void *arg)
{
	cJSON **out = arg;
	char text[64];
	for (int i = 0; i < 2000; i++) {
		snprintf(text, sizeof(text), "{\"host\": \"n%04d-%d\"}", i, i % 7);
		out[i] = anvil_jtree(text, text + strlen(text));
	}
	return NULL;
}

static void test_strings_kept_once(void **state)
{
	(void)state;
	const char *t1 = "[\"bandwidth_gbs\", \"a\\\"b\", \"" "0123456789012345678901234567890123456789" "\", \"\"]";
	cJSON *a = anvil_jtree(t1, t1 + strlen(t1)), *b = anvil_jtree(t1, t1 + strlen(t1));
	assert_ptr_equal(cJSON_GetArrayItem(a, 0)->valuestring, cJSON_GetArrayItem(b, 0)->valuestring);
	assert_true(cJSON_GetArrayItem(a, 0)->type & cJSON_IsReference);
	assert_string_equal(cJSON_GetArrayItem(a, 1)->valuestring, "a\"b");   /* escaped: a copy */
	assert_ptr_not_equal(cJSON_GetArrayItem(a, 1)->valuestring, cJSON_GetArrayItem(b, 1)->valuestring);
	assert_ptr_not_equal(cJSON_GetArrayItem(a, 2)->valuestring, cJSON_GetArrayItem(b, 2)->valuestring);
	assert_int_equal(strlen(cJSON_GetArrayItem(a, 2)->valuestring), 40);
	assert_string_equal(cJSON_GetArrayItem(a, 3)->valuestring, "");
	const char *kept = cJSON_GetArrayItem(a, 0)->valuestring;
	cJSON *d = cJSON_Duplicate(a, 1);
	assert_ptr_not_equal(cJSON_GetArrayItem(d, 0)->valuestring, kept);
	assert_false(cJSON_GetArrayItem(d, 0)->type & cJSON_IsReference);
	cJSON_Delete(a);
	cJSON_Delete(d);
	assert_string_equal(cJSON_GetArrayItem(b, 0)->valuestring, "bandwidth_gbs");  /* still there */
	cJSON_Delete(b);
	/* the same strings from two threads at once: one copy each, right text */
	static cJSON *x[2000], *y[2000];
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, parse_hosts, x), 0);
	parse_hosts(y);
	pthread_join(th, NULL);
	for (int i = 0; i < 2000; i++) {
		char want[32];
		snprintf(want, sizeof(want), "n%04d-%d", i, i % 7);
		const char *hx = cJSON_GetObjectItemCaseSensitive(x[i], "host")->valuestring;
		assert_string_equal(hx, want);
		assert_ptr_equal(hx, cJSON_GetObjectItemCaseSensitive(y[i], "host")->valuestring);
		cJSON_Delete(x[i]);
		cJSON_Delete(y[i]);
	}
}

/* A string's escapes wherever they stand (the plain start of a string is
 * copied eight bytes at a time): as cJSON writes them. */
static void test_string_escapes(void **state)
{
	(void)state;
	static const char specials[] = { '"', '\\', '\n', '\t', 0x01, 0x1f, 0x7f };
	for (size_t at = 0; at < 26; at++)
		for (size_t k = 0; k < sizeof(specials); k++)
			for (int len = (int)at + 1; len < (int)at + 12; len += 5) {
				char text[64];
				for (int i = 0; i < len; i++)
					text[i] = (char)(i % 3 ? 'a' + i % 26 : 0xc3);  /* UTF-8 bytes too */
				for (int i = 2; i < len; i += 3)
					text[i] = (char)0xa9;
				text[at] = specials[k];
				text[len] = '\0';
				cJSON *item = cJSON_CreateString(text);
				char *want = cJSON_PrintUnformatted(item);
				struct strbuf got = STRBUF_INIT;
				anvil_jw_string(&got, text);
				assert_string_equal(strbuf_str(&got), want);
				strbuf_release(&got);
				cJSON_free(want);
				cJSON_Delete(item);
			}
}

/* A plain string's end, found sixteen bytes at a time where there are
 * sixteen (reports/jplain.h): the same as byte by byte, whatever special
 * byte (a quote, a backslash, a control, a byte of UTF-8) stands wherever
 * in the string, and wherever the text is cut. */
static const char *plain_string_bytewise(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c >= 0x80 || c == '\\' || c == '"')
			return c == '"' ? p + 1 : NULL;
	}
	return NULL;
}

static void test_plain_string_ends(void **state)
{
	(void)state;
	static const unsigned char stops[] = { '"', '\\', 0x00, 0x01, 0x1f, 0x80, 0xc3, 0xff, ' ', 0x7f, '~', '!' };
	char text[80];
	for (size_t len = 0; len < 50; len++)
		for (size_t at = 0; at <= len; at++)
			for (size_t k = 0; k < sizeof(stops); k++) {
				text[0] = '"';
				for (size_t i = 1; i <= len + 20; i++)
					text[i] = (char)('a' + i % 26);
				text[1 + at] = (char)stops[k];
				text[1 + len] = '"';
				for (size_t cut = 1; cut <= len + 21; cut++)
					assert_ptr_equal(anvil_jplain_string(text, text + cut),
							 plain_string_bytewise(text, text + cut));
			}
}

/* An object's names (anvil_jplain_key_add): a name given twice is refused
 * whether or not another name shares its bit of the filter, and distinct
 * names that share one are not, against comparing every pair. */
static void test_plain_names_twice(void **state)
{
	(void)state;
	static const char alphabet[] = "aknstuvx_";
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	int refused = 0, kept = 0;
	for (int round = 0; round < 200000; round++) {
		struct anvil_jplain_keys ks;
		char names[24][6];
		size_t lens[24];
		ANVIL_JPLAIN_KEYS_INIT(&ks);
		int n = 1 + (int)(round % 24);
		for (int i = 0; i < n; i++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			lens[i] = (size_t)(s >> 61) % 5;  /* the empty name too */
			for (size_t c = 0; c < lens[i]; c++)
				names[i][c] = alphabet[(s >> (8 + 5 * c)) % (sizeof(alphabet) - 1)];
			int twice = 0;
			for (int j = 0; j < i; j++)
				twice |= lens[j] == lens[i] && !memcmp(names[j], names[i], lens[i]);
			int got = anvil_jplain_key_add(&ks, names[i], lens[i]);
			assert_int_equal(got, twice ? -1 : 0);
			if (twice)
				break;
			kept++;
		}
		refused += ks.n < n;
	}
	assert_true(refused > 10000 && kept > 100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dtoa),
		cmocka_unit_test(test_jscan_check),
		cmocka_unit_test(test_jscan_against_parser),
		cmocka_unit_test(test_jtree_plain),
		cmocka_unit_test(test_jscan_walk),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_keymap),
		cmocka_unit_test(test_split_append),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_numbers_long),
		cmocka_unit_test(test_jtree_any_text),
		cmocka_unit_test(test_strings_kept_once),
		cmocka_unit_test(test_string_escapes),
		cmocka_unit_test(test_plain_string_ends),
		cmocka_unit_test(test_plain_names_twice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
