#include "common/json.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/sort.h"

#define AJ_MAX_DEPTH 64

struct anvil_json_pos {
	const cJSON *node;
	unsigned line, col;
};

struct parser {
	const char *s, *end, *p;
	struct anvil_json_doc *doc;
	char *err;
	size_t errlen;
	int depth;
	const char *mark;         /* where the last remembered position was, so that */
	unsigned mark_line, mark_col; /* positions cost O(text), not O(values x text) */
};

/* Counts from s, where the position is line/col, up to p. */
static void where_from(const char *s, const char *p, unsigned *line, unsigned *col)
{
	for (const char *q = s; q < p; q++) {
		if (*q == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)*q & 0xC0) != 0x80) {
			(*col)++;  /* columns count characters, not UTF-8 bytes */
		}
	}
}

static void where_of(const char *s, const char *p, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	where_from(s, p, line, col);
}

static int fail_at(struct parser *ps, const char *at, const char *fmt, ...)
{
	unsigned line, col;
	where_of(ps->s, at, &line, &col);
	int n = snprintf(ps->err, ps->errlen, "%s:%u:%u: ", ps->doc->file, line, col);
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Line and column of at; values are met in order, so it counts on from the last one. */
static void position(struct parser *ps, const char *at, unsigned *line, unsigned *col)
{
	if (!ps->mark || at < ps->mark) {
		ps->mark = ps->s;
		ps->mark_line = ps->mark_col = 1;
	}
	where_from(ps->mark, at, &ps->mark_line, &ps->mark_col);
	ps->mark = at;
	*line = ps->mark_line;
	*col = ps->mark_col;
}

static void remember(struct parser *ps, const cJSON *node, unsigned line, unsigned col)
{
	struct anvil_json_doc *d = ps->doc;
	if (d->npos == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct anvil_json_pos *np = realloc(d->pos, cap * sizeof(*np));
		if (!np)
			return;  /* positions are a courtesy; the parse goes on */
		d->pos = np;
		d->cap = cap;
	}
	d->pos[d->npos++] = (struct anvil_json_pos){ node, line, col };
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static const char *describe(struct parser *ps)
{
	static __thread char buf[32];
	if (ps->p >= ps->end)
		return "end of input";
	unsigned char c = (unsigned char)*ps->p;
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, sizeof(buf), "'%c'", c);
	else
		snprintf(buf, sizeof(buf), "byte 0x%02x", c);
	return buf;
}

int anvil_json_utf8_len(const unsigned char *p, const unsigned char *end)
{
	int n;
	unsigned cp;
	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xE0) == 0xC0) { n = 2; cp = p[0] & 0x1F; }
	else if ((p[0] & 0xF0) == 0xE0) { n = 3; cp = p[0] & 0x0F; }
	else if ((p[0] & 0xF8) == 0xF0) { n = 4; cp = p[0] & 0x07; }
	else return 0;
	if (end - p < n)
		return 0;
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

static void put_utf8(char **o, unsigned cp)
{
	unsigned char *u = (unsigned char *)*o;
	if (cp < 0x80) { *u++ = (unsigned char)cp; }
	else if (cp < 0x800) { *u++ = 0xC0 | (cp >> 6); *u++ = 0x80 | (cp & 0x3F); }
	else if (cp < 0x10000) { *u++ = 0xE0 | (cp >> 12); *u++ = 0x80 | ((cp >> 6) & 0x3F); *u++ = 0x80 | (cp & 0x3F); }
	else { *u++ = 0xF0 | (cp >> 18); *u++ = 0x80 | ((cp >> 12) & 0x3F); *u++ = 0x80 | ((cp >> 6) & 0x3F); *u++ = 0x80 | (cp & 0x3F); }
	*o = (char *)u;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
		else return -1;
	}
	*out = v;
	return 0;
}

/* Parses a string at ps->p (on the opening quote); returns a malloc'd copy. */
static char *parse_string(struct parser *ps)
{
	const char *start = ps->p++;
	/* the decoded string is never longer than its text up to the closing
	 * quote (escapes only shrink); not the whole rest of the input */
	const char *q = ps->p;
	while (q < ps->end && *q != '"')
		q += *q == '\\' && q + 1 < ps->end ? 2 : 1;
	char *out = malloc((size_t)(q - ps->p) + 1);
	char *o = out;
	if (!out) {
		fail_at(ps, start, "out of memory");
		return NULL;
	}
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;
		if (c < 0x20) {
			fail_at(ps, ps->p, "control character in string (escape it as \\u%04x)", c);
			goto err;
		}
		if (c == '\\') {
			const char *esc = ps->p++;
			if (ps->p >= ps->end)
				break;
			switch (*ps->p) {
			case '"': *o++ = '"'; break;
			case '\\': *o++ = '\\'; break;
			case '/': *o++ = '/'; break;
			case 'b': *o++ = '\b'; break;
			case 'f': *o++ = '\f'; break;
			case 'n': *o++ = '\n'; break;
			case 'r': *o++ = '\r'; break;
			case 't': *o++ = '\t'; break;
			case 'u': {
				unsigned cp, lo;
				if (ps->end - ps->p < 5 || hex4(ps->p + 1, &cp)) {
					fail_at(ps, esc, "expected four hex digits after \\u");
					goto err;
				}
				ps->p += 4;
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					if (ps->end - ps->p < 7 || ps->p[1] != '\\' || ps->p[2] != 'u' ||
					    hex4(ps->p + 3, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
						fail_at(ps, esc, "unpaired UTF-16 surrogate in \\u escape");
						goto err;
					}
					ps->p += 6;
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
					fail_at(ps, esc, "unpaired UTF-16 surrogate in \\u escape");
					goto err;
				}
				if (cp == 0) {
					fail_at(ps, esc, "\\u0000 is not allowed in strings here");
					goto err;
				}
				put_utf8(&o, cp);
				break;
			}
			default:
				fail_at(ps, esc, "invalid escape '\\%c' in string", *ps->p);
				goto err;
			}
			ps->p++;
			continue;
		}
		int n = anvil_json_utf8_len((const unsigned char *)ps->p, (const unsigned char *)ps->end);
		if (!n) {
			fail_at(ps, ps->p, "invalid UTF-8 in string");
			goto err;
		}
		memcpy(o, ps->p, (size_t)n);
		o += n;
		ps->p += n;
	}
	if (ps->p >= ps->end) {
		fail_at(ps, start, "unterminated string (expected closing '\"')");
		goto err;
	}
	ps->p++;
	*o = '\0';
	return out;
err:
	free(out);
	return NULL;
}

static cJSON *parse_value(struct parser *ps);

static cJSON *parse_number(struct parser *ps)
{
	const char *start = ps->p, *q = ps->p;
	if (q < ps->end && *q == '-')
		q++;
	if (q >= ps->end || *q < '0' || *q > '9') {
		fail_at(ps, start, "expected a value (number, string, object, array, true, false or null), found %s", describe(ps));
		return NULL;
	}
	if (*q == '0' && q + 1 < ps->end && q[1] >= '0' && q[1] <= '9') {
		fail_at(ps, start, "numbers may not have leading zeros");
		return NULL;
	}
	while (q < ps->end && *q >= '0' && *q <= '9') q++;
	if (q < ps->end && *q == '.') {
		q++;
		if (q >= ps->end || *q < '0' || *q > '9') {
			fail_at(ps, q, "expected a digit after the decimal point");
			return NULL;
		}
		while (q < ps->end && *q >= '0' && *q <= '9') q++;
	}
	if (q < ps->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < ps->end && (*q == '+' || *q == '-')) q++;
		if (q >= ps->end || *q < '0' || *q > '9') {
			fail_at(ps, q, "expected a digit in the exponent");
			return NULL;
		}
		while (q < ps->end && *q >= '0' && *q <= '9') q++;
	}
	char buf[64];
	size_t n = (size_t)(q - start);
	if (n >= sizeof(buf)) {
		fail_at(ps, start, "number too long (%zu characters)", n);
		return NULL;
	}
	memcpy(buf, start, n);
	buf[n] = '\0';
	errno = 0;
	double v = strtod(buf, NULL);
	if (!isfinite(v)) {
		fail_at(ps, start, "number %s is out of range", buf);
		return NULL;
	}
	ps->p = q;
	return cJSON_CreateNumber(v);
}

/* The members of an object being parsed, for the duplicate-key check: a
 * list walk while it is small, a hash table once it is not (a file of a
 * million keys must not take a million squared comparisons). */
struct keyset {
	const cJSON **slot;
	size_t cap, n;
};
#define KEYSET_LIST_MAX 16

static size_t key_hash(const char *k)
{
	size_t h = 1469598103934665603u;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211u;
	return h;
}

static void keyset_put(struct keyset *ks, const cJSON *item)
{
	size_t i = key_hash(item->string) & (ks->cap - 1);
	while (ks->slot[i])
		i = (i + 1) & (ks->cap - 1);
	ks->slot[i] = item;
	ks->n++;
}

/* Adds obj's newest member v; builds or grows the table when due. A failed
 * allocation leaves the list walk in charge: slower, still right. */
static void keyset_add(struct keyset *ks, const cJSON *obj, const cJSON *v)
{
	if (!ks->slot) {
		size_t n = 0;
		for (const cJSON *c = obj->child; c; c = c->next)
			n++;
		if (n <= KEYSET_LIST_MAX)
			return;
		ks->cap = 64;
		ks->slot = calloc(ks->cap, sizeof(*ks->slot));
		ks->n = 0;
		for (const cJSON *c = obj->child; ks->slot && c; c = c->next)
			keyset_put(ks, c);
		return;
	}
	if (2 * (ks->n + 1) > ks->cap) {
		struct keyset big = { calloc(ks->cap * 2, sizeof(*ks->slot)), ks->cap * 2, 0 };
		if (!big.slot) {
			free(ks->slot);
			ks->slot = NULL;
			return;
		}
		for (size_t i = 0; i < ks->cap; i++)
			if (ks->slot[i])
				keyset_put(&big, ks->slot[i]);
		free(ks->slot);
		*ks = big;
	}
	keyset_put(ks, v);
}

static const cJSON *keyset_find(const struct keyset *ks, const cJSON *obj, const char *key)
{
	if (!ks->slot) {
		for (const cJSON *c = obj->child; c; c = c->next)
			if (strcmp(c->string, key) == 0)
				return c;
		return NULL;
	}
	for (size_t i = key_hash(key) & (ks->cap - 1); ks->slot[i]; i = (i + 1) & (ks->cap - 1))
		if (strcmp(ks->slot[i]->string, key) == 0)
			return ks->slot[i];
	return NULL;
}

static cJSON *parse_object(struct parser *ps)
{
	const char *open = ps->p++;
	cJSON *obj = cJSON_CreateObject();
	struct keyset ks = { NULL, 0, 0 };
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return obj;
	}
	for (;;) {
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != '"') {
			fail_at(ps, ps->p, "expected a member name in double quotes, found %s", describe(ps));
			goto err;
		}
		const char *key_at = ps->p;
		char *key = parse_string(ps);
		if (!key)
			goto err;
		const cJSON *first = keyset_find(&ks, obj, key);
		if (first) {
			unsigned line = 0, col = 0;
			for (size_t i = 0; i < ps->doc->npos; i++)  /* not sorted yet: an error's one search */
				if (ps->doc->pos[i].node == first)
					line = ps->doc->pos[i].line, col = ps->doc->pos[i].col;
			if (ps->doc->file[0])
				fail_at(ps, key_at, "duplicate key \"%s\" (first at %s:%u:%u)", key, ps->doc->file, line, col);
			else  /* a text with no name: one journal line, which says where it is */
				fail_at(ps, key_at, "duplicate key \"%s\" (first at column %u)", key, col);
			free(key);
			goto err;
		}
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ':') {
			fail_at(ps, ps->p, "expected ':' after member name \"%s\", found %s", key, describe(ps));
			free(key);
			goto err;
		}
		ps->p++;
		cJSON *v = parse_value(ps);
		if (!v) {
			free(key);
			goto err;
		}
		cJSON_AddItemToObject(obj, key, v);
		free(key);
		keyset_add(&ks, obj, v);
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			free(ks.slot);
			return obj;
		}
		if (ps->p >= ps->end)
			fail_at(ps, open, "object is not closed (expected '}' before end of input)");
		else
			fail_at(ps, ps->p, "expected ',' or '}' after object member, found %s", describe(ps));
		goto err;
	}
err:
	free(ks.slot);
	cJSON_Delete(obj);
	return NULL;
}

static cJSON *parse_array(struct parser *ps)
{
	const char *open = ps->p++;
	cJSON *arr = cJSON_CreateArray();
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return arr;
	}
	for (;;) {
		cJSON *v = parse_value(ps);
		if (!v)
			goto err;
		cJSON_AddItemToArray(arr, v);
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			return arr;
		}
		if (ps->p >= ps->end)
			fail_at(ps, open, "array is not closed (expected ']' before end of input)");
		else
			fail_at(ps, ps->p, "expected ',' or ']' after array element, found %s", describe(ps));
		goto err;
	}
err:
	cJSON_Delete(arr);
	return NULL;
}

static int match_word(struct parser *ps, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, w, n) == 0) {
		ps->p += n;
		return 1;
	}
	return 0;
}

static cJSON *parse_value(struct parser *ps)
{
	skip_ws(ps);
	const char *at = ps->p;
	cJSON *v = NULL;
	unsigned line, col;
	position(ps, at, &line, &col);  /* before the children move the mark on */
	if (ps->p >= ps->end) {
		fail_at(ps, ps->p, "expected a value, found end of input");
		return NULL;
	}
	if (++ps->depth > AJ_MAX_DEPTH) {
		fail_at(ps, ps->p, "nesting deeper than %d levels", AJ_MAX_DEPTH);
		return NULL;
	}
	switch (*ps->p) {
	case '{': v = parse_object(ps); break;
	case '[': v = parse_array(ps); break;
	case '"': {
		char *s = parse_string(ps);
		if (s) {
			v = cJSON_CreateString(s);
			free(s);
		}
		break;
	}
	default:
		if (match_word(ps, "true")) v = cJSON_CreateTrue();
		else if (match_word(ps, "false")) v = cJSON_CreateFalse();
		else if (match_word(ps, "null")) v = cJSON_CreateNull();
		else v = parse_number(ps);
	}
	ps->depth--;
	if (v)
		remember(ps, v, line, col);
	return v;
}

/* Positions ordered by node address once a parse is done. */
static int pos_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct anvil_json_pos *)a)->node;
	uintptr_t y = (uintptr_t)((const struct anvil_json_pos *)b)->node;
	return (x > y) - (x < y);
}

int anvil_json_parse(const char *text, size_t len, const char *file,
		     struct anvil_json_doc *doc, char *err, size_t errlen)
{
	memset(doc, 0, sizeof(*doc));
	doc->file = strdup(file ? file : "<input>");
	struct parser ps = { text, text + len, text, doc, err, errlen, 0, NULL, 0, 0 };
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		ps.p += 3;  /* a UTF-8 byte-order mark is harmless: editors write it */
	skip_ws(&ps);
	if (ps.p >= ps.end) {
		fail_at(&ps, ps.p, "empty document (expected a JSON value)");
		goto err;
	}
	doc->root = parse_value(&ps);
	if (!doc->root)
		goto err;
	skip_ws(&ps);
	if (ps.p < ps.end) {
		fail_at(&ps, ps.p, "unexpected %s after the end of the JSON value", describe(&ps));
		goto err;
	}
	/* by node, for anvil_json_where's binary search */
	if (doc->npos)
		anvil_sort(doc->pos, doc->npos, sizeof(*doc->pos), pos_cmp);
	return 0;
err:
	anvil_json_doc_release(doc);
	doc->file = NULL;
	return -1;
}

char *anvil_read_fd(int fd, const char *path, size_t max_bytes, size_t *len, char *err, size_t errlen)
{
	if (!max_bytes)
		max_bytes = 64u << 20;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory reading it", path);
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= max_bytes) {
				snprintf(err, errlen, "%s: larger than the %zu-byte limit", path, max_bytes);
				goto err;
			}
			cap = cap * 2 > max_bytes ? max_bytes : cap * 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				snprintf(err, errlen, "%s: out of memory reading it", path);
				goto err;
			}
			buf = nb;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
			goto err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
err:
	free(buf);
	return NULL;
}

char *anvil_read_file(const char *path, size_t max_bytes, size_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, expected a file", path);
		close(fd);
		return NULL;
	}
	char *buf = anvil_read_fd(fd, path, max_bytes, len, err, errlen);
	close(fd);
	return buf;
}

int anvil_json_load(const char *path, size_t max_bytes, struct anvil_json_doc *doc,
		    char *err, size_t errlen)
{
	size_t len;
	memset(doc, 0, sizeof(*doc));
	char *text = anvil_read_file(path, max_bytes, &len, err, errlen);
	if (!text)
		return -1;
	int rc = anvil_json_parse(text, len, path, doc, err, errlen);
	free(text);
	return rc;
}

void anvil_json_doc_release(struct anvil_json_doc *doc)
{
	cJSON_Delete(doc->root);
	free(doc->file);
	free(doc->pos);
	memset(doc, 0, sizeof(*doc));
}

const char *anvil_json_where(const struct anvil_json_doc *doc, const cJSON *node,
			     char *buf, size_t len)
{
	const char *file = doc && doc->file ? doc->file : "<input>";
	struct anvil_json_pos key = { node, 0, 0 };
	const struct anvil_json_pos *at = doc && doc->npos ?
		bsearch(&key, doc->pos, doc->npos, sizeof(*doc->pos), pos_cmp) : NULL;
	if (at) {
		snprintf(buf, len, "%s:%u:%u", file, at->line, at->col);
		return buf;
	}
	snprintf(buf, len, "%s", file);
	return buf;
}

const char *anvil_json_type_name(const cJSON *v)
{
	if (!v) return "nothing";
	if (cJSON_IsNumber(v)) return "a number";
	if (cJSON_IsString(v)) return "a string";
	if (cJSON_IsBool(v)) return "a boolean";
	if (cJSON_IsObject(v)) return "an object";
	if (cJSON_IsArray(v)) return "an array";
	if (cJSON_IsNull(v)) return "null";
	return "an unknown value";
}

static unsigned type_of(const cJSON *v)
{
	if (cJSON_IsNumber(v)) return AJ_NUMBER;
	if (cJSON_IsString(v)) return AJ_STRING;
	if (cJSON_IsBool(v)) return AJ_BOOL;
	if (cJSON_IsObject(v)) return AJ_OBJECT;
	if (cJSON_IsArray(v)) return AJ_ARRAY;
	return AJ_NULL;
}

static void types_text(unsigned types, char *buf, size_t len)
{
	static const char *names[] = { "a number", "a string", "a boolean", "an object", "an array", "null" };
	buf[0] = '\0';
	int first = 1;
	for (int i = 0; i < 6; i++) {
		if (!(types & (1u << i)))
			continue;
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%s%s", first ? "" : " or ", names[i]);
		first = 0;
	}
}

int anvil_json_check(const struct anvil_json_doc *doc, const cJSON *obj, const char *what,
		     const struct anvil_json_field *fields, char *err, size_t errlen)
{
	char w[256], t[96];
	if (!cJSON_IsObject(obj)) {
		snprintf(err, errlen, "%s: expected %s to be an object, found %s",
			 anvil_json_where(doc, obj, w, sizeof(w)), what, anvil_json_type_name(obj));
		return -1;
	}
	for (const cJSON *c = obj->child; c; c = c->next) {
		const struct anvil_json_field *f = fields;
		while (f->key && strcmp(f->key, c->string) != 0)
			f++;
		if (!f->key) {
			char known[512] = "";
			for (f = fields; f->key; f++) {
				size_t n = strlen(known);
				snprintf(known + n, sizeof(known) - n, "%s%s", n ? ", " : "", f->key);
			}
			snprintf(err, errlen, "%s: unknown key \"%s\" in %s (expected one of: %s)",
				 anvil_json_where(doc, c, w, sizeof(w)), c->string, what, known);
			return -1;
		}
		if (!(type_of(c) & f->types)) {
			types_text(f->types, t, sizeof(t));
			snprintf(err, errlen, "%s: \"%s\" in %s must be %s, found %s",
				 anvil_json_where(doc, c, w, sizeof(w)), c->string, what, t,
				 anvil_json_type_name(c));
			return -1;
		}
	}
	for (const struct anvil_json_field *f = fields; f->key; f++) {
		if (f->required && !cJSON_GetObjectItemCaseSensitive(obj, f->key)) {
			snprintf(err, errlen, "%s: %s lacks the required key \"%s\"",
				 anvil_json_where(doc, obj, w, sizeof(w)), what, f->key);
			return -1;
		}
	}
	return 0;
}

int anvil_json_check_number(const struct anvil_json_doc *doc, const cJSON *v, const char *what,
			    double min, double max, int integer, char *err, size_t errlen)
{
	char w[256];
	if (!cJSON_IsNumber(v)) {
		snprintf(err, errlen, "%s: %s must be a number, found %s",
			 anvil_json_where(doc, v, w, sizeof(w)), what, anvil_json_type_name(v));
		return -1;
	}
	double x = v->valuedouble;
	if (integer && x != floor(x)) {
		snprintf(err, errlen, "%s: %s must be a whole number, found %g",
			 anvil_json_where(doc, v, w, sizeof(w)), what, x);
		return -1;
	}
	if (x < min || x > max) {
		snprintf(err, errlen, "%s: %s must be between %g and %g, found %g",
			 anvil_json_where(doc, v, w, sizeof(w)), what, min, max, x);
		return -1;
	}
	return 0;
}
