/* String-keyed hash map; see keymap.h. */
#include "reports/keymap.h"
#include "common/strbuf.h"
#include "common/sort.h"
#include "reports/jwrite.h"
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct anvil_keymap_slot {
	char *key;        /* NULL: empty */
	size_t len;
	uint64_t hash;
	void *value;
};

static uint64_t hash_of(const char *k, size_t len)
{
	uint64_t h = 1469598103934665603ULL;  /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static struct anvil_keymap_slot *find(const struct anvil_keymap *m, const char *key, size_t len, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);
	for (;;) {
		struct anvil_keymap_slot *s = &m->slots[i];
		if (!s->key || (s->hash == h && s->len == len && !memcmp(s->key, key, len)))
			return s;
		i = (i + 1) & (m->cap - 1);
	}
}

void *anvil_keymap_get(const struct anvil_keymap *m, const char *key, size_t len)
{
	if (!m->cap)
		return NULL;
	struct anvil_keymap_slot *s = find(m, key, len, hash_of(key, len));
	return s->key ? s->value : NULL;
}

static void grow(struct anvil_keymap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct anvil_keymap_slot *old = m->slots;
	size_t oldcap = m->cap;
	m->slots = calloc(cap, sizeof(*m->slots));
	m->cap = cap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			*find(m, old[i].key, old[i].len, old[i].hash) = old[i];
	free(old);
}

void *anvil_keymap_put(struct anvil_keymap *m, const char *key, size_t len, void *value)
{
	if ((m->n + 1) * 4 > m->cap * 3)
		grow(m);
	uint64_t h = hash_of(key, len);
	struct anvil_keymap_slot *s = find(m, key, len, h);
	if (s->key) {
		void *prev = s->value;
		s->value = value;
		return prev;
	}
	s->key = malloc(len + 1);
	memcpy(s->key, key, len);
	s->key[len] = '\0';
	s->len = len;
	s->hash = h;
	s->value = value;
	m->n++;
	return NULL;
}

void anvil_keymap_each(struct anvil_keymap *m, void (*fn)(void *value, void *arg), void *arg)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			fn(m->slots[i].value, arg);
}

void anvil_keymap_release(struct anvil_keymap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

void anvil_key_add(struct strbuf *key, const char *part)
{
	strbuf_add(key, part ? part : "", strlen(part ? part : "") + 1);
}

static int cmp_label(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

int anvil_key_add_labels(struct strbuf *key, const cJSON *labels, const char *const *skip)
{
	const cJSON *ls[ANVIL_KEY_MAX_LABELS], *l;
	size_t n = 0;
	int ret = 0;
	cJSON_ArrayForEach(l, labels) {
		int skipped = !l->string;
		for (size_t i = 0; skip && skip[i] && !skipped; i++)
			skipped = !strcmp(l->string, skip[i]);
		if (skipped)
			continue;
		if (n == ANVIL_KEY_MAX_LABELS) {
			ret = -1;
			break;
		}
		ls[n++] = l;
	}
	anvil_sort(ls, n, sizeof(*ls), cmp_label);
	for (size_t i = 0; i < n; i++) {
		anvil_key_add(key, ls[i]->string);
		if (cJSON_IsString(ls[i])) {
			anvil_key_add(key, ls[i]->valuestring);
		} else {
			anvil_jw_compact(key, ls[i]);
			strbuf_addch(key, '\0');
			if (ret >= 0)
				ret++;
		}
	}
	return ret;
}
