/* cJSON trees from checked JSON text; see jtree.h. */
#include "reports/jtree.h"
#include "reports/jscan.h"
#include "reports/jplain.h"
#include "common/fmt.h"
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A name or string value, unescaped, in cJSON's memory (cJSON_Delete frees
 * it): [val, vend) is the raw text with its quotes. */
static char *unescaped(const char *val, const char *vend)
{
	size_t n = vend - val >= 2 ? (size_t)(vend - val) - 2 : 0;  /* unescaped, never longer than this */
	char *out = cJSON_malloc(n + 1);
	if (memchr(val + 1, '\\', n)) {
		anvil_jscan_string(val, vend, out, n + 1);
	} else {
		memcpy(out, val + 1, n);
		out[n] = '\0';
	}
	return out;
}

/* Short string values without escapes (figure names, hosts, units, label
 * values, verdicts: a few thousand distinct ones at a thousand nodes, each
 * in every record) are kept once for the whole process and pointed to
 * (cJSON_IsReference: cJSON_Delete leaves them; cJSON_Duplicate copies
 * them). A test's tree is then a fifth smaller, and what reads a figure's
 * name, host or unit finds it in the cache instead of a copy of its own.
 * Lock-free (records are parsed on two threads): a slot, once set, never
 * changes; past half full, or after a few probes, a string is copied as
 * before. The strings stay until the process ends (reachable, from here). */
#define INTERN_LEN 32
#define INTERN_SLOTS ((size_t)1 << 16)
#define INTERN_PROBES 8
static _Atomic(char *) interned[INTERN_SLOTS];
static _Atomic size_t ninterned;

static uint64_t intern_hash(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

/* The kept copy of p[0..n) (no NUL, no backslash in it), or NULL. */
static char *intern(const char *p, size_t n)
{
	size_t i = (size_t)intern_hash(p, n);
	for (int k = 0; k < INTERN_PROBES; k++, i++) {
		_Atomic(char *) *slot = &interned[i & (INTERN_SLOTS - 1)];
		char *e = atomic_load_explicit(slot, memory_order_acquire);
		if (!e) {
			if (atomic_load_explicit(&ninterned, memory_order_relaxed) >= INTERN_SLOTS / 2)
				return NULL;
			char *copy = malloc(n + 1);
			if (!copy)
				return NULL;
			memcpy(copy, p, n);
			copy[n] = '\0';
			if (atomic_compare_exchange_strong_explicit(slot, &e, copy, memory_order_acq_rel,
								    memory_order_acquire)) {
				atomic_fetch_add_explicit(&ninterned, 1, memory_order_relaxed);
				return copy;
			}
			free(copy);  /* another thread set the slot first: e is its string */
		}
		if (!strncmp(e, p, n) && !e[n])
			return e;
	}
	return NULL;
}

/* A string value: kept once (intern) or copied, unescaped; plain: known
 * to hold no escape (reports/jplain.h). */
static cJSON *string_value(const char *val, const char *vend, int plain)
{
	cJSON *item = cJSON_CreateNull();
	size_t n = vend - val >= 2 ? (size_t)(vend - val) - 2 : 0;
	char *in = n <= INTERN_LEN && (plain || !memchr(val + 1, '\\', n)) ? intern(val + 1, n) : NULL;
	item->type = cJSON_String | (in ? cJSON_IsReference : 0);
	item->valuestring = in ? in : unescaped(val, vend);
	return item;
}

/* A checked JSON number. Most of a journal's (up to 15-16 significant
 * digits, a small exponent) are a whole number of at most 2^53 times or
 * over a power of ten up to 10^22, both exact in a double, so one IEEE
 * multiplication or division rounds the value correctly (Clinger's fast
 * path): that, and strtod for the rest. */
static double number_at(const char *p, const char *end, const char **stop);

/* x87's long double: a 64-bit mantissa, stored first (see number_at). */
#if (defined(__x86_64__) || defined(__i386__)) && LDBL_MANT_DIG == 64
#define LONG_DOUBLE_FAST 1
#define LD_POW10_EXACT 27   /* 5^27 < 2^64: 10^27 is exact in 64 bits of mantissa */
static const long double ld_pow10[LD_POW10_EXACT + 1] = {
	1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L, 1e7L, 1e8L, 1e9L, 1e10L, 1e11L, 1e12L, 1e13L,
	1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L,
};
#else
#define LONG_DOUBLE_FAST 0
#endif

static double number(const char *p, const char *end)
{
	const char *stop;
	return number_at(p, end, &stop);
}

/* The number at p, and in *stop where its text ends. */
static double number_at(const char *p, const char *end, const char **stop)
{
	const char *q = p;
	int neg = q < end && *q == '-', digits = 0, e10 = 0;
	uint64_t sig = 0;
	q += neg;
	for (; q < end && *q >= '0' && *q <= '9'; q++) {
		if (digits || *q != '0')
			digits++;
		if (digits <= 19)
			sig = sig * 10 + (uint64_t)(*q - '0');
		else
			e10++;
	}
	if (q < end && *q == '.')
		for (q++; q < end && *q >= '0' && *q <= '9'; q++) {
			if (digits || *q != '0')
				digits++;
			if (digits <= 19) {
				sig = sig * 10 + (uint64_t)(*q - '0');
				e10--;
			}
		}
	if (q < end && (*q == 'e' || *q == 'E')) {
		int eneg = 0, ex = 0;
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			eneg = *q++ == '-';
		for (; q < end && *q >= '0' && *q <= '9'; q++)
			ex = ex < 10000 ? ex * 10 + (*q - '0') : ex;
		e10 += eneg ? -ex : ex;
	}
	*stop = q;
	if (digits <= 19 && sig <= ((uint64_t)1 << 53) && e10 >= -ANVIL_POW10_EXACT && e10 <= ANVIL_POW10_EXACT) {
		double v = (double)sig;
		v = e10 >= 0 ? v * anvil_pow10[e10] : v / anvil_pow10[-e10];
		return neg ? -v : v;
	}
#if LONG_DOUBLE_FAST
	/* Seventeen digits (a figure printed to round-trip) are more than a
	 * double holds: in x87's long double (64 bits of mantissa) the digits
	 * and 10^k up to 10^27 are exact, so one multiplication or division
	 * rounds once, and the rounding to a double after is the correctly
	 * rounded value unless that first result is exactly halfway between
	 * two doubles (its lowest 11 bits 0x400): then strtod, as the slow
	 * path (which took a tenth of the numbers and most of their time). */
	if (digits <= 19 && e10 >= -LD_POW10_EXACT && e10 <= LD_POW10_EXACT) {
		long double x = (long double)sig;
		x = e10 >= 0 ? x * ld_pow10[e10] : x / ld_pow10[-e10];
		uint64_t mant;
		memcpy(&mant, &x, sizeof(mant));  /* the 64 bits of mantissa come first */
		if ((mant & 0x7ff) != 0x400) {
			double v = (double)x;
			return neg ? -v : v;
		}
	}
#endif
	char num[64];  /* a checked number is shorter; the text need not end in a NUL */
	size_t n = (size_t)(end - p) < sizeof(num) ? (size_t)(end - p) : sizeof(num) - 1;
	memcpy(num, p, n);
	num[n] = '\0';
	return strtod(num, NULL);
}

/* One pass over the text (walking an object's members with the iterators
 * and building each value after would scan each nested value twice). Every
 * call moves on by at least a byte, so text that is not valid still ends. */
cJSON *anvil_jtree_parse(const char *p, const char *end, const char **next)
{
	cJSON *item;
	const char *e;
	if (p >= end) {
		*next = end;
		return cJSON_CreateNull();
	}
	switch (*p) {
	case '{':
		item = cJSON_CreateObject();
		p = anvil_jscan_ws(p + 1, end);
		while (p < end && *p == '"') {
			const char *kend = anvil_jscan_skip(p, end);
			struct anvil_jscan_it it = { .key = p + 1, .klen = kend - p >= 2 ? (size_t)(kend - p) - 2 : 0 };
			p = anvil_jscan_ws(kend, end);
			p = anvil_jscan_ws(p + 1, end);  /* past the ':' */
			cJSON *m = anvil_jtree_parse(p, end, &p);
			anvil_jtree_name_to(m, &it);
			cJSON_AddItemToArray(item, m);  /* linked as it is: the name is set */
			p = anvil_jscan_ws(p, end);
			if (p < end && *p == ',')
				p = anvil_jscan_ws(p + 1, end);
		}
		*next = p < end ? p + 1 : end;  /* past the '}' */
		return item;
	case '[':
		item = cJSON_CreateArray();
		p = anvil_jscan_ws(p + 1, end);
		while (p < end && *p != ']') {
			cJSON_AddItemToArray(item, anvil_jtree_parse(p, end, &p));
			p = anvil_jscan_ws(p, end);
			if (p < end && *p == ',')
				p = anvil_jscan_ws(p + 1, end);
		}
		*next = p < end ? p + 1 : end;
		return item;
	case '"':
		e = anvil_jscan_skip(p, end);
		*next = e;
		return string_value(p, e, 0);
	case 't':
		*next = end - p > 4 ? p + 4 : end;
		return cJSON_CreateTrue();
	case 'f':
		*next = end - p > 5 ? p + 5 : end;
		return cJSON_CreateFalse();
	case 'n':
		*next = end - p > 4 ? p + 4 : end;
		return cJSON_CreateNull();
	default: {
		/* a number read in the one pass that finds its end, where it is
		 * followed by what follows a value; anything else as before */
		double v = number_at(p, end, &e);
		if (e > p && (e == end || *e == ',' || *e == '}' || *e == ']' || *e == ' ' || *e == '\t' ||
			      *e == '\n' || *e == '\r')) {
			*next = e;
			return cJSON_CreateNumber(v);
		}
		e = anvil_jscan_skip(p, end);
		if (e == p)
			e = p + 1;  /* not a value: a byte on */
		*next = e;
		return cJSON_CreateNumber(number(p, e));
	}
	}
}

/* ---- checked as it is built ------------------------------------------------ */

/* A number as anvil_jscan_check has it (within a double's range): past
 * it with its value in *v, or NULL. */
static const char *plain_number(const char *p, const char *end, double *v)
{
	const char *stop;
	int exp;
	const char *q = anvil_jplain_number(p, end, &exp);
	if (!q)
		return NULL;
	*v = number_at(p, q, &stop);
	return exp && !isfinite(*v) ? NULL : q;
}

cJSON *anvil_jtree_plain_object(const char *p, const char *end, int depth, const char **next,
				anvil_jtree_member_fn member, void *arg)
{
	struct anvil_jplain_keys ks;
	int closed;
	ANVIL_JPLAIN_KEYS_INIT(&ks);
	cJSON *item = cJSON_CreateObject();
	p = anvil_jplain_skip_ws(p + 1, end);
	if (p < end && *p == '}') {
		*next = p + 1;
		return item;
	}
	for (;;) {
		if (p >= end || *p != '"')
			break;
		struct anvil_jscan_it it = { .key = p + 1 };
		if (!(p = anvil_jplain_string(p, end)))
			break;
		it.klen = (size_t)(p - it.key - 1);
		if (anvil_jplain_key_add(&ks, it.key, it.klen))
			break;
		p = anvil_jplain_skip_ws(p, end);
		if (p >= end || *p != ':')
			break;
		const char *val = anvil_jplain_skip_ws(p + 1, end);
		cJSON *m = NULL;
		int took = member ? member(arg, &it, val, end, depth + 1, &m, &p) : 0;
		if (took < 0 || (!took && !(m = anvil_jtree_plain(val, end, depth + 1, &p))))
			break;
		if (m) {
			anvil_jtree_name_to(m, &it);
			cJSON_AddItemToArray(item, m);
		}
		if (!(p = anvil_jplain_after(p, end, '}', &closed)))
			break;
		if (closed) {
			*next = p;
			return item;
		}
	}
	cJSON_Delete(item);
	return NULL;
}

static cJSON *plain_array(const char *p, const char *end, int depth, const char **next)
{
	int closed;
	cJSON *item = cJSON_CreateArray();
	p = anvil_jplain_skip_ws(p + 1, end);
	if (p < end && *p == ']') {
		*next = p + 1;
		return item;
	}
	for (;;) {
		cJSON *e = anvil_jtree_plain(p, end, depth + 1, &p);
		if (!e)
			break;
		cJSON_AddItemToArray(item, e);
		if (!(p = anvil_jplain_after(p, end, ']', &closed)))
			break;
		if (closed) {
			*next = p;
			return item;
		}
	}
	cJSON_Delete(item);
	return NULL;
}

cJSON *anvil_jtree_plain(const char *p, const char *end, int depth, const char **next)
{
	const char *e;
	double v;
	if (depth >= ANVIL_JSON_MAX_DEPTH || p >= end)
		return NULL;
	switch (*p) {
	case '{':
		return anvil_jtree_plain_object(p, end, depth, next, NULL, NULL);
	case '[':
		return plain_array(p, end, depth, next);
	case '"':
		if (!(e = anvil_jplain_string(p, end)))
			return NULL;
		*next = e;
		return string_value(p, e, 1);
	case 't':
	case 'f':
	case 'n':
		if (!(e = anvil_jplain_literal(p, end)))
			return NULL;
		*next = e;
		return *p == 't' ? cJSON_CreateTrue() : *p == 'f' ? cJSON_CreateFalse() : cJSON_CreateNull();
	default:
		if (!(e = plain_number(p, end, &v)))
			return NULL;
		*next = e;
		return cJSON_CreateNumber(v);
	}
}

cJSON *anvil_jtree(const char *p, const char *end)
{
	const char *next;
	return anvil_jtree_parse(anvil_jscan_ws(p, end), end, &next);
}

/* Names in every record and series: pointed to, not copied (a tenth of a
 * record's tree was copies of these). */
static const struct {
	const char *s;
	size_t n;
} common[] = {
#define N(x) { x, sizeof(x) - 1 }
	N("t"), N("x"), N("ok"), N("gpu"), N("why"), N("host"), N("rank"), N("name"), N("unit"), N("kind"),
	N("rows"), N("info"), N("peer"), N("value"), N("limit"), N("labels"), N("better"), N("runner"),
	N("columns"), N("samples"), N("gpu_name"), N("precision"),
#undef N
};

/* The names above by length (at most a few of each), found on the first call. */
#define COMMON_LEN 10
static const char *by_len[COMMON_LEN][12];  /* NULL after the last: eight of length 4 */

static void by_len_make(void)
{
	for (size_t i = 0; i < sizeof(common) / sizeof(*common); i++) {
		if (common[i].n >= COMMON_LEN)
			continue;  /* too long for the table: copied, as any other name */
		const char **row = by_len[common[i].n];
		size_t k = 0;
		while (row[k])
			k++;
		if (k + 1 < sizeof(by_len[0]) / sizeof(*by_len[0]))  /* a row full: likewise */
			row[k] = common[i].s;
	}
}

static const char *common_name(const char *k, size_t n)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, by_len_make);
	if (n >= COMMON_LEN)
		return NULL;
	for (const char *const *c = by_len[n]; *c; c++)
		if ((*c)[0] == k[0] && !memcmp(*c, k, n))
			return *c;
	return NULL;
}

void anvil_jtree_name_to(cJSON *item, const struct anvil_jscan_it *it)
{
	const char *c = common_name(it->key, it->klen);  /* the raw name: an escape never matches */
	if (c) {
		item->string = (char *)c;
		item->type |= cJSON_StringIsConst;  /* cJSON never frees it */
	} else {
		item->string = unescaped(it->key - 1, it->key + it->klen + 1);
	}
}

/* cJSON keeps an array's last element in child->prev. */
void anvil_jtree_append_all(cJSON *a, cJSON *b)
{
	cJSON *first = b->child;
	if (!first)
		return;
	cJSON *last = first->prev;
	if (!a->child) {
		a->child = first;
	} else {
		cJSON *alast = a->child->prev;
		alast->next = first;
		first->prev = alast;
		a->child->prev = last;
	}
	b->child = NULL;
}

cJSON *anvil_jtree_split(cJSON *a, int at)
{
	cJSON *b = cJSON_CreateArray(), *c = a->child;
	for (int i = 0; c && i < at; i++)
		c = c->next;
	if (!c)
		return b;
	cJSON *last = a->child->prev;
	if (c == a->child) {
		a->child = NULL;
	} else {
		c->prev->next = NULL;
		a->child->prev = c->prev;
	}
	c->prev = last;
	b->child = c;
	return b;
}
