/* A growable byte string: the one buffer type every writer in anvil uses. */
#ifndef ANVIL_STRBUF_H
#define ANVIL_STRBUF_H
#include <stddef.h>
#include <stdarg.h>

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
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Escapes &, <, >, " and ' so the text is inert in HTML bodies and attributes. */
void strbuf_add_html(struct strbuf *sb, const char *s);
/* Escapes for XML 1.0 text and attributes; drops characters XML cannot hold. */
void strbuf_add_xml(struct strbuf *sb, const char *s);
const char *strbuf_str(const struct strbuf *sb); /* "" when empty */

#endif
