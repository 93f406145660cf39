#include "common/strbuf.h"
#include "common/fmt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *sb) { sb->buf = NULL; sb->len = sb->cap = 0; }

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	strbuf_init(sb);
}

void anvil_out_of_memory(void)
{
	fputs("anvil: out of memory\n", stderr);
	abort();
}

void strbuf_reserve(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	char *p = realloc(sb->buf, cap);
	if (!p)
		anvil_out_of_memory();
	sb->buf = p;
	sb->cap = cap;
}

char *strbuf_detach(struct strbuf *sb)
{
	char *p = sb->buf ? sb->buf : strdup("");
	strbuf_init(sb);
	return p;
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	/* into the room there is; formatted a second time only when it did not fit */
	size_t room = sb->cap - sb->len;
	va_list cp;
	va_copy(cp, ap);
	int n = anvil_vfmt(room ? sb->buf + sb->len : NULL, room, fmt, cp);
	va_end(cp);
	if (n < 0) {
		if (room)
			sb->buf[sb->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		strbuf_reserve(sb, (size_t)n);
		anvil_vfmt(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	}
	sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

/* Escaping a run at a time: the bytes that need nothing are copied whole
 * (check sentences are written two or three times each, a thousand nodes'
 * hundreds of thousands of them). The special bytes are the markup ones,
 * the apostrophe written as apos, and any other dropped. */
static void add_escaped(struct strbuf *sb, const char *s, const unsigned char *special, const char *apos)
{
	const char *run = s;
	for (; s && *s; s++) {
		if (!special[(unsigned char)*s])
			continue;
		strbuf_add(sb, run, (size_t)(s - run));
		run = s + 1;
		switch (*s) {
		case '&': strbuf_add(sb, "&amp;", 5); break;
		case '<': strbuf_add(sb, "&lt;", 4); break;
		case '>': strbuf_add(sb, "&gt;", 4); break;
		case '"': strbuf_add(sb, "&quot;", 6); break;
		case '\'': strbuf_adds(sb, apos); break;
		default: break;
		}
	}
	if (s)
		strbuf_add(sb, run, (size_t)(s - run));
}

void strbuf_add_html(struct strbuf *sb, const char *s)
{
	static const unsigned char special[256] = { ['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1 };
	add_escaped(sb, s, special, "&#39;");
}

void strbuf_add_xml(struct strbuf *sb, const char *s)
{
	/* and the control characters XML 1.0 cannot hold: dropped */
	static const unsigned char special[256] = {
		[0x01 ... 0x08] = 1, [0x0b] = 1, [0x0c] = 1, [0x0e ... 0x1f] = 1,
		['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1,
	};
	add_escaped(sb, s, special, "&apos;");
}

const char *strbuf_str(const struct strbuf *sb) { return sb->buf ? sb->buf : ""; }
