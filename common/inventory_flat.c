/* Inventory flattening: one node's inventory (bench/inventory.h) as dotted
 * keys -> scalars. It lives in common/ because two sides need it: the drift
 * check and report.html's inventory table (reports/ must not depend on
 * bench/). Pure: no I/O, no globals. */
#include "common/inventory_flat.h"
#include "common/fmt.h"
#include "common/strbuf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_scalar(const cJSON *it)
{
	return !cJSON_IsObject(it) && !cJSON_IsArray(it);
}

void anvil_inventory_scalar_text(const cJSON *it, char *buf, size_t len)
{
	if (cJSON_IsString(it))
		anvil_fmt(buf, len, "%s", it->valuestring);
	else if (cJSON_IsNumber(it) && it->valuedouble > -1e15 && it->valuedouble < 1e15 &&
		 it->valuedouble == (double)(long long)it->valuedouble)
		anvil_fmt(buf, len, "%lld", (long long)it->valuedouble);
	else if (cJSON_IsNumber(it))
		anvil_fmt(buf, len, "%.17g", it->valuedouble);
	else if (cJSON_IsBool(it))
		anvil_fmt(buf, len, "%s", cJSON_IsTrue(it) ? "true" : "false");
	else
		anvil_fmt(buf, len, "null");
}

/* A list of scalars as one space-joined string; NULL if it holds containers. */
static char *join_scalars(const cJSON *arr)
{
	size_t cap = 64, len = 0;
	char *s = malloc(cap), item[512];
	const cJSON *it;
	if (!s)
		return NULL;
	s[0] = '\0';
	cJSON_ArrayForEach(it, arr) {
		if (!is_scalar(it)) {
			free(s);
			return NULL;
		}
		anvil_inventory_scalar_text(it, item, sizeof(item));
		size_t n = strlen(item);
		if (len + n + 2 > cap) {
			while (len + n + 2 > cap)
				cap *= 2;
			char *p = realloc(s, cap);
			if (!p) {
				free(s);
				return NULL;
			}
			s = p;
		}
		if (len)
			s[len++] = ' ';
		memcpy(s + len, item, n + 1);
		len += n;
	}
	return s;
}

static void flatten_into(cJSON *out, const char *key, const cJSON *it)
{
	if (is_scalar(it)) {
		cJSON_AddItemToObject(out, key, cJSON_Duplicate(it, 0));
		return;
	}
	if (!it->child)
		return;  /* an empty list or object says nothing to compare */
	if (cJSON_IsArray(it)) {
		char *joined = join_scalars(it);
		if (joined) {
			cJSON_AddStringToObject(out, key, joined);
			free(joined);
			return;
		}
	}
	/* the keys put together by hand, not printed: a thousand nodes'
	 * inventories are hundreds of thousands of keys, each flattened
	 * twice (the drift check, the page's table) */
	struct strbuf sub = STRBUF_INIT;
	strbuf_adds(&sub, key);
	strbuf_addch(&sub, '.');
	size_t stem = sub.len;
	int i = 0, array = cJSON_IsArray(it);
	for (const cJSON *c = it->child; c; c = c->next, i++) {
		sub.len = stem;
		if (array) {
			char num[24];
			strbuf_add(&sub, num, (size_t)anvil_fmt_uint(num, (unsigned)i));
		} else {
			strbuf_adds(&sub, c->string ? c->string : "");
		}
		flatten_into(out, strbuf_str(&sub), c);
	}
	strbuf_release(&sub);
}

cJSON *anvil_inventory_flatten(const cJSON *inv)
{
	static const char *const skipped[] = { "hostname", "volatile", "unreadable" };
	if (!cJSON_IsObject(inv))
		return NULL;
	cJSON *out = cJSON_CreateObject();
	const cJSON *c;
	cJSON_ArrayForEach(c, inv) {
		int skip = !c->string;
		for (size_t i = 0; !skip && i < sizeof(skipped) / sizeof(skipped[0]); i++)
			skip = !strcmp(c->string, skipped[i]);
		if (!skip && out)
			flatten_into(out, c->string, c);
	}
	return out;
}
