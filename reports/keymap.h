/* A string-keyed hash map (open addressing), for the lookups the report
 * stage makes per figure: peers of a metric, the baseline's figure, tests by
 * id. Keys are copied; values are the caller's. */
#ifndef ANVIL_KEYMAP_H
#define ANVIL_KEYMAP_H
#include <stddef.h>

struct anvil_keymap {
	struct anvil_keymap_slot *slots;
	size_t cap, n;
};
#define ANVIL_KEYMAP_INIT { NULL, 0, 0 }

/* The value stored under key (len bytes), or NULL. */
void *anvil_keymap_get(const struct anvil_keymap *m, const char *key, size_t len);
/* Stores value under key (replacing any); returns the previous value or NULL. */
void *anvil_keymap_put(struct anvil_keymap *m, const char *key, size_t len, void *value);
/* Calls fn on every value (for freeing them), in no particular order. */
void anvil_keymap_each(struct anvil_keymap *m, void (*fn)(void *value, void *arg), void *arg);
void anvil_keymap_release(struct anvil_keymap *m);

/* Composite keys: each part appended with its terminating NUL, which no
 * JSON-decoded string holds, so ("ab", "c") and ("a", "bc") differ. */
struct strbuf;
void anvil_key_add(struct strbuf *key, const char *part);

#endif
