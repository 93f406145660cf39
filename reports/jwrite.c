/* cJSON trees as text; see jwrite.h. */
#include "reports/jwrite.h"
#include "reports/jtree.h"
#include "reports/dtoa.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

void anvil_jw_indent(struct strbuf *sb, int depth)
{
	static const char tabs[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
	while (depth > 0) {
		int n = depth > 16 ? 16 : depth;
		strbuf_add(sb, tabs, (size_t)n);
		depth -= n;
	}
}

/* Does the 8-byte word hold a byte below 0x20, a '"' or a '\\'? (Each
 * test finds a byte that is zero after the xor, or below the bound; a
 * borrow only ever flags a byte above one that is flagged anyway.) */
static int word_special(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
	return (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs ? 1 : 0;
}

void anvil_jw_string(struct strbuf *sb, const char *s)
{
	static const char hexd[] = "0123456789abcdef";
	strbuf_addch(sb, '"');
	if (s) {
		/* the plain start of the string, eight bytes at a time */
		size_t n = strlen(s), k = 0;
		for (uint64_t w; k + 8 <= n; k += 8) {
			memcpy(&w, s + k, 8);
			if (word_special(w))
				break;
		}
		strbuf_add(sb, s, k);
		s += k;
		const char *run = s;
		for (; *s; s++) {
			unsigned char c = (unsigned char)*s;
			if (c >= 0x20 && c != '"' && c != '\\')
				continue;
			strbuf_add(sb, run, (size_t)(s - run));
			run = s + 1;
			char esc[7] = { '\\', 0 };
			size_t n = 2;
			switch (c) {
			case '"': esc[1] = '"'; break;
			case '\\': esc[1] = '\\'; break;
			case '\b': esc[1] = 'b'; break;
			case '\f': esc[1] = 'f'; break;
			case '\n': esc[1] = 'n'; break;
			case '\r': esc[1] = 'r'; break;
			case '\t': esc[1] = 't'; break;
			default:
				memcpy(esc + 1, "u00", 3);
				esc[4] = hexd[c >> 4];
				esc[5] = hexd[c & 15];
				n = 6;
			}
			strbuf_add(sb, esc, n);
		}
		strbuf_add(sb, run, (size_t)(s - run));
	}
	strbuf_addch(sb, '"');
}

/* A string that needs no escapes, known so: a member name cJSON holds as a
 * constant (a literal of anvil's, or one of the names jtree points to), a
 * value jtree kept once (cJSON_IsReference: its text had no backslash, so
 * no quote or control character either). Most of a test's strings. */
static void plain_string(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);
	strbuf_reserve(sb, n + 2);
	char *p = sb->buf + sb->len;
	p[0] = '"';
	memcpy(p + 1, s, n);
	p[n + 1] = '"';
	p[n + 2] = '\0';
	sb->len += n + 2;
}

void anvil_jw_number(struct strbuf *sb, double d)
{
	char buf[ANVIL_DTOA_MAX];
	if (!isfinite(d)) {
		strbuf_add(sb, "null", 4);
		return;
	}
	if (d == (double)(int64_t)d && fabs(d) < 1e15 && !(d == 0 && signbit(d))) {
		/* integers as cJSON writes them: no exponent, no point */
		int64_t v = (int64_t)d;
		char tmp[24];
		int n = 0, neg = v < 0;
		uint64_t u = neg ? (uint64_t)-v : (uint64_t)v;
		do {
			tmp[n++] = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		int o = 0;
		if (neg)
			buf[o++] = '-';
		while (n)
			buf[o++] = tmp[--n];
		strbuf_add(sb, buf, (size_t)o);
		return;
	}
	strbuf_add(sb, buf, (size_t)anvil_dtoa(d, buf));
}

static void value(struct anvil_outfile *o, const cJSON *item, int depth, int fmt);

static void object(struct anvil_outfile *o, const cJSON *item, int depth, int fmt)
{
	struct strbuf *sb = &o->buf;
	strbuf_addch(sb, '{');
	if (fmt)
		strbuf_addch(sb, '\n');
	for (const cJSON *c = item->child; c; c = c->next) {
		if (fmt)
			anvil_jw_indent(sb, depth + 1);
		if (c->string && (c->type & cJSON_StringIsConst))
			plain_string(sb, c->string);
		else
			anvil_jw_string(sb, c->string ? c->string : "");
		strbuf_add(sb, fmt ? ":\t" : ":", fmt ? 2 : 1);
		value(o, c, depth + 1, fmt);
		if (c->next)
			strbuf_addch(sb, ',');
		if (fmt)
			strbuf_addch(sb, '\n');
		if (depth < 3)
			anvil_outfile_flush(o, 0);
	}
	if (fmt)
		anvil_jw_indent(sb, depth);
	strbuf_addch(sb, '}');
}

static void array(struct anvil_outfile *o, const cJSON *item, int depth, int fmt)
{
	struct strbuf *sb = &o->buf;
	strbuf_addch(sb, '[');
	for (const cJSON *c = item->child; c; c = c->next) {
		value(o, c, depth + 1, fmt);
		if (c->next)
			strbuf_add(sb, fmt ? ", " : ",", fmt ? 2 : 1);
		if (depth < 3)
			anvil_outfile_flush(o, 0);
	}
	strbuf_addch(sb, ']');
}

static void value(struct anvil_outfile *o, const cJSON *item, int depth, int fmt)
{
	struct strbuf *sb = &o->buf;
	switch (item->type & 0xff) {
	case cJSON_NULL: strbuf_add(sb, "null", 4); break;
	case cJSON_False: strbuf_add(sb, "false", 5); break;
	case cJSON_True: strbuf_add(sb, "true", 4); break;
	case cJSON_Number: anvil_jw_number(sb, item->valuedouble); break;
	case cJSON_String:
		if (item->valuestring && (item->type & cJSON_IsReference))
			plain_string(sb, item->valuestring);
		else
			anvil_jw_string(sb, item->valuestring);
		break;
	case cJSON_Raw: strbuf_adds(sb, item->valuestring ? item->valuestring : "null"); break;
	case cJSON_Array: array(o, item, depth, fmt); break;
	case cJSON_Object: object(o, item, depth, fmt); break;
	default: strbuf_add(sb, "null", 4); break;
	}
}

void anvil_jw_value(struct anvil_outfile *o, const cJSON *item, int depth)
{
	value(o, item, depth, 1);
}

void anvil_jw_flat(struct anvil_outfile *o, const cJSON *item, int depth)
{
	value(o, item, depth, 0);
}

void anvil_jw_compact(struct strbuf *sb, const cJSON *item)
{
	struct anvil_outfile o;
	anvil_outfile_buffer(&o);
	o.buf = *sb;
	value(&o, item, 0, 0);
	*sb = o.buf;
}

void anvil_jw_unraw(cJSON *item)
{
	for (cJSON *c = item ? item->child : NULL; c; c = c->next) {
		if (cJSON_IsRaw(c)) {
			/* anvil's own text (a journal's bulk, checked when it was read;
			 * a view written here): built without a second parse */
			const char *text = c->valuestring ? c->valuestring : "";
			cJSON *tree = anvil_jtree(text, text + strlen(text));
			/* the replacement takes over the member name (ReplaceItemViaPointer keeps none) */
			tree->string = c->string;
			tree->type |= c->type & cJSON_StringIsConst;
			c->string = NULL;
			cJSON_ReplaceItemViaPointer(item, c, tree);
			c = tree;
		}
		anvil_jw_unraw(c);
	}
}
