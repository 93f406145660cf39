/* JSON text without a tree; see jscan.h. */
#include "reports/jscan.h"
#include "reports/jplain.h"
#include "reports/keymap.h"
#include "common/json.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* As strict as common/json.c's parser (which gives the messages: the report
 * stage asks it again about a line this refuses): its nesting limit, UTF-8,
 * no \u0000, no lone surrogate, no duplicate key, numbers that fit. */
#define MAX_DEPTH ANVIL_JSON_MAX_DEPTH
#define MAX_NUMBER ANVIL_JSON_MAX_NUMBER

struct chk {
	const char *p, *end;
	const char *what;
	int esc;          /* the last string checked had a '\\' escape */
};

/* Where skipping stops: in a string, its end or an escape; in an object or
 * array, a string or a bracket (a table lookup a byte, not five compares:
 * series rows are most of a journal's bytes). */
static const unsigned char str_stop[256] = { ['"'] = 1, ['\\'] = 1 };
static const unsigned char skip_stop[256] = { ['"'] = 1, ['{'] = 1, ['['] = 1, ['}'] = 1, [']'] = 1 };

const char *anvil_jscan_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static int fail(struct chk *c, const char *what)
{
	c->what = what;
	return -1;
}

static int hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static unsigned hex4v(const char *p)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++)
		v = v * 16 + (unsigned)(p[i] <= '9' ? p[i] - '0' : (p[i] | 32) - 'a' + 10);
	return v;
}

static int check_string(struct chk *c)
{
	c->p++;  /* the opening quote */
	c->esc = 0;
	for (;;) {
		while (c->p < c->end && !anvil_jplain_special[(unsigned char)*c->p])
			c->p++;
		if (c->p >= c->end)
			return fail(c, "a closing '\"'");
		unsigned char ch = (unsigned char)*c->p;
		if (ch == '"') {
			c->p++;
			return 0;
		}
		if (ch >= 0x80) {
			/* Never 1 here: that is the ASCII answer. */
			int n = anvil_json_utf8_len((const unsigned char *)c->p, (const unsigned char *)c->end);
			if (!n)
				return fail(c, "valid UTF-8 in a string");
			c->p += n;
			continue;
		}
		if (ch != '\\')
			return fail(c, "an escaped control character (\\n, \\u0001 ...) in a string");
		c->esc = 1;
		const char *esc = c->p++;
		if (c->p >= c->end)
			return fail(c, "an escape after '\\'");
		ch = (unsigned char)*c->p;
		if (ch == 'u') {
			for (int i = 1; i <= 4; i++)
				if (c->p + i >= c->end || !hex(c->p[i])) {
					c->p += i;
					return fail(c, "four hex digits after \\u");
				}
			unsigned cp = hex4v(c->p + 1);
			c->p += 5;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u' || !hex(c->p[2]) || !hex(c->p[3]) ||
				    !hex(c->p[4]) || !hex(c->p[5]) || hex4v(c->p + 2) < 0xDC00 || hex4v(c->p + 2) > 0xDFFF) {
					c->p = esc;
					return fail(c, "a paired UTF-16 surrogate after \\u");
				}
				c->p += 6;
			} else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {
				c->p = esc;
				return fail(c, cp ? "a paired UTF-16 surrogate after \\u" : "no \\u0000 in a string");
			}
		} else if (strchr("\"\\/bfnrt", ch) && ch) {
			c->p++;
		} else {
			return fail(c, "a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
		}
	}
}

static int digits(struct chk *c)
{
	if (c->p >= c->end || *c->p < '0' || *c->p > '9')
		return fail(c, "a digit");
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return 0;
}

static int check_number(struct chk *c)
{
	const char *start = c->p;
	int exp = 0;
	if (*c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (digits(c))
		return -1;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (digits(c))
			return -1;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		exp = 1;
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (digits(c))
			return -1;
	}
	size_t n = (size_t)(c->p - start);
	if (n >= MAX_NUMBER) {
		c->p = start;
		return fail(c, "a shorter number");
	}
	if (exp) {  /* only an exponent takes a number past the doubles (the length is bounded) */
		char buf[MAX_NUMBER];
		memcpy(buf, start, n);
		buf[n] = '\0';
		if (!isfinite(strtod(buf, NULL))) {
			c->p = start;
			return fail(c, "a number within the range of a double");
		}
	}
	return 0;
}

static int check_literal(struct chk *c, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n))
		return fail(c, "a value (object, array, string, number, true, false or null)");
	c->p += n;
	return 0;
}

static int check_value(struct chk *c, int depth);

/* Two names are the same key when their text is (a name written with a
 * different escape is compared decoded: rare, so only when either has an
 * escape; check_string noted which do, so that the common case is a length
 * compare for each pair of the object's names). */
static int same_key(const char *a, size_t an, int aesc, const char *b, size_t bn, int besc)
{
	if (an == bn && !memcmp(a, b, an))
		return 1;
	if (!aesc && !besc)
		return 0;
	char x[512], y[512];
	if (an + 2 > sizeof(x) || bn + 2 > sizeof(y))
		return 0;
	anvil_jscan_string(a - 1, a + an + 1, x, sizeof(x));
	anvil_jscan_string(b - 1, b + bn + 1, y, sizeof(y));
	return !strcmp(x, y);
}

#define KEYS_LISTED 64   /* the names compared one by one; more go to a hash map */

/* Adds a name to the hash map of a large object (decoded when it has
 * escapes); 1 when it was there already. */
static int seen_before(struct anvil_keymap *m, const char *k, size_t kl)
{
	char buf[512];
	if (memchr(k, '\\', kl) && kl + 2 <= sizeof(buf)) {
		anvil_jscan_string(k - 1, k + kl + 1, buf, sizeof(buf));
		k = buf;
		kl = strlen(buf);
	}
	return anvil_keymap_put(m, k, kl, (void *)1) != NULL;
}

static int check_object(struct chk *c, int depth)
{
	const char *key[KEYS_LISTED];
	size_t klen[KEYS_LISTED];
	unsigned char kesc[KEYS_LISTED];
	int nkeys = 0, rc = -1;
	struct anvil_keymap many = ANVIL_KEYMAP_INIT;
	c->p = anvil_jscan_ws(c->p + 1, c->end);
	if (c->p < c->end && *c->p == '}') {
		c->p++;
		return 0;
	}
	if (c->p >= c->end || *c->p != '"')
		return fail(c, "a member name in double quotes");
	for (;;) {
		const char *kstart = c->p;
		if (check_string(c))
			goto out;
		size_t kl = (size_t)(c->p - kstart - 2);
		int dup = 0;
		int esc = c->esc;
		for (int i = 0; i < nkeys && !dup; i++)
			dup = same_key(key[i], klen[i], kesc[i], kstart + 1, kl, esc);
		if (nkeys == KEYS_LISTED) {
			if (!many.n)
				for (int i = 0; i < nkeys; i++)
					seen_before(&many, key[i], klen[i]);
			dup |= seen_before(&many, kstart + 1, kl);
		} else {
			key[nkeys] = kstart + 1;
			kesc[nkeys] = (unsigned char)esc;
			klen[nkeys++] = kl;
		}
		if (dup) {
			c->p = kstart;
			fail(c, "a key not already in the object");
			goto out;
		}
		c->p = anvil_jscan_ws(c->p, c->end);
		if (c->p >= c->end || *c->p != ':') {
			fail(c, "':' after the member name");
			goto out;
		}
		c->p = anvil_jscan_ws(c->p + 1, c->end);
		if (check_value(c, depth + 1))
			goto out;
		c->p = anvil_jscan_ws(c->p, c->end);
		if (c->p < c->end && *c->p == '}') {
			c->p++;
			rc = 0;
			goto out;
		}
		if (c->p >= c->end || *c->p != ',') {
			fail(c, "',' or '}'");
			goto out;
		}
		c->p = anvil_jscan_ws(c->p + 1, c->end);
		if (c->p >= c->end || *c->p != '"') {
			fail(c, "a member name in double quotes");
			goto out;
		}
	}
out:
	anvil_keymap_release(&many);
	return rc;
}

static int check_array(struct chk *c, int depth)
{
	c->p = anvil_jscan_ws(c->p + 1, c->end);
	if (c->p < c->end && *c->p == ']') {
		c->p++;
		return 0;
	}
	for (;;) {
		if (check_value(c, depth + 1))
			return -1;
		c->p = anvil_jscan_ws(c->p, c->end);
		if (c->p < c->end && *c->p == ']') {
			c->p++;
			return 0;
		}
		if (c->p >= c->end || *c->p != ',')
			return fail(c, "',' or ']'");
		c->p = anvil_jscan_ws(c->p + 1, c->end);
	}
}

static int check_value(struct chk *c, int depth)
{
	/* depth: the objects and arrays around the value; the parser counts
	 * the value itself as a level too */
	if (depth >= MAX_DEPTH)
		return fail(c, "less nesting (at most 64 levels)");
	if (c->p >= c->end)
		return fail(c, "a value (object, array, string, number, true, false or null)");
	switch (*c->p) {
	case '{': return check_object(c, depth);
	case '[': return check_array(c, depth);
	case '"': return check_string(c);
	case 't': return check_literal(c, "true");
	case 'f': return check_literal(c, "false");
	case 'n': return check_literal(c, "null");
	default:
		if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))
			return check_number(c);
		return fail(c, "a value (object, array, string, number, true, false or null)");
	}
}

/* ---- the quick look: most lines in one pass, the rest to the full check ---- */

/* reports/jplain.h's tables. */
const unsigned char anvil_jplain_special[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1,
};
const unsigned char anvil_jplain_ws[256] = { [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1 };

/* The journal's lines are plain (reports/jplain.h). The quick look accepts
 * only such text, with the place it stands in a register instead of in
 * struct chk: the strict check was most of reading a journal. */

static inline int is_digit(char ch)
{
	return (unsigned char)(ch - '0') < 10;
}

/* A number with an exponent must be within a double's range, as check_number has it. */
static inline const char *quick_number(const char *p, const char *end)
{
	int exp;
	const char *q = anvil_jplain_number(p, end, &exp);
	if (q && exp) {
		char buf[MAX_NUMBER];
		memcpy(buf, p, (size_t)(q - p));
		buf[q - p] = '\0';
		if (!isfinite(strtod(buf, NULL)))
			return NULL;
	}
	return q;
}

static const char *quick_object(const char *p, const char *end, int depth)
{
	struct anvil_jplain_keys ks;
	int closed;
	ANVIL_JPLAIN_KEYS_INIT(&ks);
	p = anvil_jplain_skip_ws(p + 1, end);
	if (p < end && *p == '}')
		return p + 1;
	for (;;) {
		if (p >= end || *p != '"')
			return NULL;
		const char *k = p + 1;
		if (!(p = anvil_jplain_string(p, end)) || anvil_jplain_key_add(&ks, k, (size_t)(p - k - 1)))
			return NULL;
		p = anvil_jplain_skip_ws(p, end);
		if (p >= end || *p != ':')
			return NULL;
		p = anvil_jplain_skip_ws(p + 1, end);
		if (!(p = anvil_jplain_value(p, end, depth + 1)) || !(p = anvil_jplain_after(p, end, '}', &closed)) || closed)
			return p;
	}
}

static const char *quick_array(const char *p, const char *end, int depth)
{
	int closed;
	p = anvil_jplain_skip_ws(p + 1, end);
	if (p < end && *p == ']')
		return p + 1;
	if (depth + 1 >= MAX_DEPTH)  /* the elements: a level too deep */
		return NULL;
	for (;;) {
		if (p >= end)
			return NULL;
		/* series rows: arrays of numbers are most of a journal's bytes */
		p = *p == '-' || is_digit(*p) ? quick_number(p, end) : anvil_jplain_value(p, end, depth + 1);
		if (!p || !(p = anvil_jplain_after(p, end, ']', &closed)) || closed)
			return p;
	}
}

const char *anvil_jplain_value(const char *p, const char *end, int depth)
{
	if (depth >= MAX_DEPTH || p >= end)
		return NULL;
	switch (*p) {
	case '{': return quick_object(p, end, depth);
	case '[': return quick_array(p, end, depth);
	case '"': return anvil_jplain_string(p, end);
	case 't': case 'f': case 'n': return anvil_jplain_literal(p, end);
	default: return quick_number(p, end);
	}
}

int anvil_jscan_check(const char *p, size_t n, size_t *where, const char **what)
{
	const char *q = p, *end = p + n;
	q = anvil_jplain_skip_ws(q, end);
	if ((q = anvil_jplain_value(q, end, 0))) {
		q = anvil_jplain_skip_ws(q, end);
		if (q == end)
			return 0;
	}
	struct chk c = { p, p + n, NULL, 0 };
	if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		c.p += 3;  /* a byte-order mark, as common/json.c allows */
	c.p = anvil_jscan_ws(c.p, c.end);
	int rc = check_value(&c, 0);
	if (!rc) {
		c.p = anvil_jscan_ws(c.p, c.end);
		if (c.p < c.end)
			rc = fail(&c, "the end of the text after the value");
	}
	if (rc) {
		*where = (size_t)(c.p - p);
		*what = c.what;
	}
	return rc;
}

static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		while (p < end && !str_stop[(unsigned char)*p])
			p++;
		if (p >= end)
			break;
		if (*p == '"')
			return p + 1;
		p++;  /* the escaped character */
	}
	return end;
}

const char *anvil_jscan_skip(const char *p, const char *end)
{
	if (p >= end)
		return end;
	if (*p == '"')
		return skip_string(p, end);
	if (*p == '{' || *p == '[') {
		int depth = 0;
		for (;;) {
			while (p < end && !skip_stop[(unsigned char)*p])
				p++;
			if (p >= end)
				return end;
			char ch = *p;
			if (ch == '"') {
				p = skip_string(p, end);
				continue;
			}
			if (ch == '{' || ch == '[')
				depth++;
			else if (--depth == 0)
				return p + 1;
			p++;
		}
	}
	while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
		p++;
	return p;
}

void anvil_jscan_object(struct anvil_jscan_it *it, const char *p, const char *end)
{
	memset(it, 0, sizeof(*it));
	it->p = anvil_jscan_ws(p, end);
	it->end = end;
	if (it->p < end && *it->p == '{')
		it->p++;
	else
		it->p = end;
}

int anvil_jscan_next(struct anvil_jscan_it *it)
{
	const char *p = anvil_jscan_ws(it->p, it->end);
	if (p < it->end && *p == ',')
		p = anvil_jscan_ws(p + 1, it->end);
	if (p >= it->end || *p != '"') {
		it->p = it->end;
		return 0;
	}
	const char *kend = skip_string(p, it->end);
	it->key = p + 1;
	it->klen = (size_t)(kend - p - 2);
	p = anvil_jscan_ws(kend, it->end);
	if (p < it->end && *p == ':')
		p = anvil_jscan_ws(p + 1, it->end);
	it->val = p;
	it->vend = anvil_jscan_skip(p, it->end);
	it->p = it->vend;
	return it->val < it->end;
}

void anvil_jscan_array(struct anvil_jscan_it *it, const char *p, const char *end)
{
	memset(it, 0, sizeof(*it));
	it->p = anvil_jscan_ws(p, end);
	it->end = end;
	if (it->p < end && *it->p == '[')
		it->p++;
	else
		it->p = end;
}

int anvil_jscan_next_elem(struct anvil_jscan_it *it)
{
	const char *p = anvil_jscan_ws(it->p, it->end);
	if (p < it->end && *p == ',')
		p = anvil_jscan_ws(p + 1, it->end);
	if (p >= it->end || *p == ']') {
		it->p = it->end;
		return 0;
	}
	it->key = NULL;
	it->klen = 0;
	it->val = p;
	it->vend = anvil_jscan_skip(p, it->end);
	it->p = it->vend;
	return 1;
}

static unsigned hex4(const char *p)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char ch = p[i];
		v = v * 16 + (unsigned)(ch <= '9' ? ch - '0' : (ch | 32) - 'a' + 10);
	}
	return v;
}

static size_t put_utf8(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int anvil_jscan_string(const char *val, const char *vend, char *out, size_t outlen)
{
	if (val >= vend || *val != '"' || !outlen)
		return -1;
	size_t o = 0;
	const char *p = val + 1, *end = vend - 1;
	while (p < end) {
		char u[4];
		size_t n = 1;
		if (*p != '\\') {
			u[0] = *p++;
		} else {
			char e = p[1];
			p += 2;
			switch (e) {
			case 'b': u[0] = '\b'; break;
			case 'f': u[0] = '\f'; break;
			case 'n': u[0] = '\n'; break;
			case 'r': u[0] = '\r'; break;
			case 't': u[0] = '\t'; break;
			case 'u': {
				unsigned cp = hex4(p);
				p += 4;
				if (cp >= 0xd800 && cp < 0xdc00 && p + 6 <= end && p[0] == '\\' && p[1] == 'u') {
					unsigned lo = hex4(p + 2);
					if (lo >= 0xdc00 && lo < 0xe000) {
						cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
						p += 6;
					}
				}
				n = put_utf8(u, cp);
				break;
			}
			default: u[0] = e; break;
			}
		}
		if (o + n >= outlen)
			break;
		memcpy(out + o, u, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}
