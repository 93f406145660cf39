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

/* Appends the labels of a figure (a JSON object; may be NULL) but those named
 * in skip (NULL-terminated; may be NULL) in key order, each as key then value
 * (a non-string value as compact JSON, so 1 meets "1"): the same labels in
 * any order give the same key. Returns how many values were not strings, or
 * -1 when there are more than ANVIL_KEY_MAX_LABELS (the key then holds only
 * the first ones). */
#define ANVIL_KEY_MAX_LABELS 64
struct cJSON;
int anvil_key_add_labels(struct strbuf *key, const struct cJSON *labels, const char *const *skip);

#endif
