/* A growable byte string: the one buffer type every writer in anvil uses. */
#ifndef ANVIL_STRBUF_H
#define ANVIL_STRBUF_H
#include <stddef.h>
#include <stdarg.h>
#include <string.h>

struct strbuf {
	char *buf;     /* always NUL-terminated once anything was added; owned */
	size_t len;
	size_t cap;
};
#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
/* Hands the buffer to the caller (who frees it) and resets sb. Never NULL. */
char *strbuf_detach(struct strbuf *sb);
/* "anvil: out of memory" on stderr, then abort(): where an allocation that
 * has no way back fails (a report half written is worse than none). */
_Noreturn void anvil_out_of_memory(void);
/* Room for extra more bytes and the NUL (aborts when out of memory). */
void strbuf_reserve(struct strbuf *sb, size_t extra);
/* Inline: the report writers add hundreds of millions of bytes a few at a time. */
static inline void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (sb->len + len + 1 > sb->cap)
		strbuf_reserve(sb, len);
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}
static inline void strbuf_adds(struct strbuf *sb, const char *s) { strbuf_add(sb, s, strlen(s)); }
static inline void strbuf_addch(struct strbuf *sb, char c)
{
	if (sb->len + 2 > sb->cap)
		strbuf_reserve(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Escapes &, <, >, " and ' so the text is inert in HTML bodies and attributes. */
void strbuf_add_html(struct strbuf *sb, const char *s);
/* Escapes for XML 1.0 text and attributes; drops characters XML cannot hold. */
void strbuf_add_xml(struct strbuf *sb, const char *s);
const char *strbuf_str(const struct strbuf *sb); /* "" when empty */

#endif
