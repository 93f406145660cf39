/*
 * JSON text without a tree: strict validation (RFC 8259) with the offset of
 * the first error, skipping a value, and walking an object's members. The
 * report stage reads large journals with it, so that only the records it
 * needs become cJSON trees and bulky values (series rows) stay text.
 * Nothing here allocates.
 */
#ifndef ANVIL_JSCAN_H
#define ANVIL_JSCAN_H
#include <stddef.h>
#include <string.h>

/* 0 when p[0..n) is exactly one JSON value with optional white space around
 * it; else -1 with *where = the byte offset of the error and *what = what
 * was expected there. Nesting deeper than 64 is refused, as by common/json.c. */
int anvil_jscan_check(const char *p, size_t n, size_t *where, const char **what);

/* White space skipped; the first byte that is not white space, or end. */
const char *anvil_jscan_ws(const char *p, const char *end);

/* The byte after the value that starts at p (which must be valid JSON, as
 * anvil_jscan_check said); end when it runs off. */
const char *anvil_jscan_skip(const char *p, const char *end);

/* Members of the object at p, one at a time:
 *   struct anvil_jscan_it it; anvil_jscan_object(&it, p, end);
 *   while (anvil_jscan_next(&it)) ... it.key (raw, without quotes, klen), it.val .. it.vend
 * The text must be valid. Keys are left escaped: compare with anvil_jscan_key_is. */
struct anvil_jscan_it {
	const char *p, *end;
	const char *key;
	size_t klen;
	const char *val, *vend;
};
void anvil_jscan_object(struct anvil_jscan_it *it, const char *p, const char *end);
int anvil_jscan_next(struct anvil_jscan_it *it);
/* The same for the elements of an array (key NULL). */
void anvil_jscan_array(struct anvil_jscan_it *it, const char *p, const char *end);
int anvil_jscan_next_elem(struct anvil_jscan_it *it);

/* Does the raw (escaped) member name equal name? (Inline: with a literal
 * name the length is a constant.) */
static inline int anvil_jscan_key_is(const struct anvil_jscan_it *it, const char *name)
{
	size_t n = strlen(name);
	return it->klen == n && !memcmp(it->key, name, n);
}
/* The string value at [val, vend) unescaped into out (NUL-terminated, cut
 * at outlen - 1 bytes); -1 when the value is not a string. \u escapes become UTF-8. */
int anvil_jscan_string(const char *val, const char *vend, char *out, size_t outlen);

#endif
