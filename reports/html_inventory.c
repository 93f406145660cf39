/* The inventory section of report.html, made for spotting drift: every
 * node's inventory flattened (common/inventory_flat.h, the same keys the
 * drift check compares), one row per field. Up to INV_WIDE nodes the table
 * has a column per node and cells that differ from the majority are marked;
 * above, a row gives the majority value and names the nodes that differ.
 * Fields that differ come first; fields equal on every node follow in a
 * collapsed list. Who owns what: the fields and their texts are made and freed here. */
#include "reports/html_charts.h"
#include "reports/html_util.h"
#include "common/inventory_flat.h"
#include "reports/keymap.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/sort.h"

#define INV_WIDE 16            /* nodes up to which each has its own column */
#define INV_NAMED 24           /* nodes named per minority value above that */

/* One field across the nodes: each node's value as the index + 1 of its
 * text among the field's distinct ones (0: absent), and the nodes sorted by
 * value so equal values are runs. A field mostly has one value on every
 * node: a thousand nodes' texts are a few, not a thousand copies. */
struct field {
	char *key;                 /* owned */
	uint32_t *val;             /* owned, a node each */
	char **texts;              /* owned: the distinct values */
	size_t ntexts, tcap;
	struct anvil_keymap tix;   /* text -> its index + 1 */
	size_t *by_value;
	const char *majority;      /* borrowed from texts; NULL when absent on most */
	size_t majority_n, distinct;
};

struct inv {
	size_t n;                  /* nodes */
	const char **host;
	struct field *f;           /* every field, in first-seen order */
	size_t nf, fcap;
	struct anvil_keymap ix;    /* key -> its index in f + 1 */
};

/* A scalar as the table shows it, into sb (emptied first): as the drift
 * check shows it (anvil_inventory_scalar_text), a string whole. */
static void scalar_text(struct strbuf *sb, const cJSON *it)
{
	char num[64];
	sb->len = 0;
	if (!cJSON_IsString(it))
		anvil_inventory_scalar_text(it, num, sizeof(num));
	strbuf_adds(sb, cJSON_IsString(it) ? it->valuestring : num);
}

static const char *text_of(const struct field *f, size_t i)
{
	return f->val[i] ? f->texts[f->val[i] - 1] : NULL;
}

static int cmp_text(const char *a, const char *b)
{
	if (!a || !b)
		return (a == NULL) - (b == NULL);  /* absent sorts last */
	return strcmp(a, b);
}

static const struct field *sort_field;

static int cmp_by_value(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int c = cmp_text(text_of(sort_field, a), text_of(sort_field, b));
	return c ? c : (a > b) - (a < b);
}

/* The field called key (made the first time). */
static struct field *field_for(struct inv *inv, const char *key)
{
	size_t len = strlen(key);
	uintptr_t at = (uintptr_t)anvil_keymap_get(&inv->ix, key, len);
	if (at)
		return &inv->f[at - 1];
	if (inv->nf == inv->fcap) {
		inv->fcap = inv->fcap ? 2 * inv->fcap : 64;
		if (!(inv->f = realloc(inv->f, inv->fcap * sizeof(*inv->f))))
			anvil_out_of_memory();
	}
	struct field *f = &inv->f[inv->nf++];
	memset(f, 0, sizeof(*f));
	if (!(f->key = strdup(key)) || !(f->val = calloc(inv->n + 1, sizeof(*f->val))))
		anvil_out_of_memory();
	anvil_keymap_put(&inv->ix, key, len, (void *)(uintptr_t)inv->nf);
	return f;
}

/* Node i's value text of field f, kept once among the field's texts. */
static void field_set(struct field *f, size_t i, const struct strbuf *text)
{
	uintptr_t at = (uintptr_t)anvil_keymap_get(&f->tix, text->buf, text->len);
	if (!at) {
		if (f->ntexts == f->tcap) {
			f->tcap = f->tcap ? 2 * f->tcap : 4;
			if (!(f->texts = realloc(f->texts, f->tcap * sizeof(*f->texts))))
				anvil_out_of_memory();
		}
		if (!(f->texts[f->ntexts] = strdup(text->buf)))
			anvil_out_of_memory();
		at = ++f->ntexts;
		anvil_keymap_put(&f->tix, text->buf, text->len, (void *)at);
	}
	f->val[i] = (uint32_t)at;
}

/* The nodes sorted by value; the majority value and the count of distinct ones. */
static void field_rank(struct field *f, const struct inv *inv)
{
	f->by_value = malloc((inv->n + 1) * sizeof(size_t));
	for (size_t i = 0; i < inv->n; i++)
		f->by_value[i] = i;
	sort_field = f;
	anvil_sort(f->by_value, inv->n, sizeof(size_t), cmp_by_value);
	f->majority = NULL, f->majority_n = 0, f->distinct = 0;
	for (size_t s = 0; s < inv->n;) {
		size_t e = s + 1;
		while (e < inv->n && !cmp_text(text_of(f, f->by_value[s]), text_of(f, f->by_value[e])))
			e++;
		f->distinct++;
		if (e - s > f->majority_n)  /* ties: the first value in sort order, so output is stable */
			f->majority_n = e - s, f->majority = text_of(f, f->by_value[s]);
		s = e;
	}
}

static void field_release(struct field *f)
{
	for (size_t i = 0; i < f->ntexts; i++)
		free(f->texts[i]);
	free(f->texts);
	anvil_keymap_release(&f->tix);
	free(f->key);
	free(f->val);
	free(f->by_value);
}

static int differs(const struct field *f, size_t i)
{
	return cmp_text(text_of(f, i), f->majority) != 0;
}

/* A value as the reader wants it: sizes in bytes also in GiB. */
static void value_html(struct strbuf *out, const char *key, const char *text)
{
	size_t kl = strlen(key);
	if (!text) {
		strbuf_adds(out, "<i class=muted>absent</i>");
		return;
	}
	anvil_html_text(out, text);
	if (kl > 6 && !strcmp(key + kl - 6, "_bytes")) {
		char *end;
		double b = strtod(text, &end);
		if (!*end && b >= 1024 * 1024) {
			strbuf_adds(out, " <span class=muted>(");
			anvil_html_number(out, b, "B");
			strbuf_adds(out, ")</span>");
		}
	}
}

/* ---- gathering ------------------------------------------------------------------ */

/* Every node's inventory flattened and its values taken, one node at a
 * time (its flattened copy freed before the next is made). */
static void inv_init(struct inv *inv, const cJSON *inventory)
{
	const cJSON *node, *k;
	struct strbuf text = STRBUF_INIT;
	memset(inv, 0, sizeof(*inv));
	inv->n = (size_t)cJSON_GetArraySize(inventory);
	inv->host = calloc(inv->n + 1, sizeof(char *));
	inv->ix = (struct anvil_keymap)ANVIL_KEYMAP_INIT;
	size_t i = 0;
	cJSON_ArrayForEach(node, inventory) {
		inv->host[i] = node->string ? node->string : "?";
		cJSON *flat = anvil_inventory_flatten(node);
		cJSON_ArrayForEach(k, flat) {
			struct field *f = k->string ? field_for(inv, k->string) : NULL;
			if (!f || f->val[i])  /* no name, or the first of duplicate keys, as a lookup would */
				continue;
			scalar_text(&text, k);
			field_set(f, i, &text);
		}
		cJSON_Delete(flat);
		i++;
	}
	strbuf_release(&text);
}

static void inv_release(struct inv *inv)
{
	for (size_t i = 0; i < inv->nf; i++)
		field_release(&inv->f[i]);
	free(inv->f);
	free(inv->host);
	anvil_keymap_release(&inv->ix);
}

/* ---- rows ------------------------------------------------------------------------ */

static void key_cell(struct strbuf *out, const char *key)
{
	strbuf_adds(out, "<th class=key>");
	anvil_html_text(out, key);
	strbuf_adds(out, "</th>");
}

static void wide_row(struct strbuf *out, const struct inv *inv, const struct field *f)
{
	strbuf_adds(out, "<tr class=drift>");
	key_cell(out, f->key);
	for (size_t i = 0; i < inv->n; i++) {
		strbuf_addf(out, "<td class=\"val%s\">", differs(f, i) ? " odd" : "");
		value_html(out, f->key, text_of(f, i));
		strbuf_adds(out, "</td>");
	}
	strbuf_adds(out, "</tr>\n");
}

/* Above INV_WIDE nodes: the majority, then each other value with its nodes. */
static void fleet_row(struct strbuf *out, const struct inv *inv, const struct field *f)
{
	strbuf_adds(out, "<tr class=drift>");
	key_cell(out, f->key);
	strbuf_adds(out, "<td class=val>");
	value_html(out, f->key, f->majority);
	strbuf_addf(out, " <span class=muted>(%zu of %zu)</span></td><td class=\"val odd\">", f->majority_n, inv->n);
	for (size_t s = 0; s < inv->n;) {
		size_t e = s + 1;
		const char *t = text_of(f, f->by_value[s]);
		while (e < inv->n && !cmp_text(t, text_of(f, f->by_value[e])))
			e++;
		if (!cmp_text(t, f->majority)) {
			s = e;
			continue;
		}
		strbuf_adds(out, "<div>");
		value_html(out, f->key, t);
		strbuf_addf(out, " <span class=muted>on %zu:</span> ", e - s);
		for (size_t k = s; k < e && k - s < INV_NAMED; k++) {
			strbuf_adds(out, k > s ? ", " : "");
			anvil_html_text(out, inv->host[f->by_value[k]]);
		}
		if (e - s > INV_NAMED)
			strbuf_addf(out, " and %zu more", e - s - INV_NAMED);
		strbuf_adds(out, "</div>");
		s = e;
	}
	strbuf_adds(out, "</td></tr>\n");
}

static void same_row(struct strbuf *out, const struct field *f)
{
	strbuf_adds(out, "<tr>");
	key_cell(out, f->key);
	strbuf_adds(out, "<td class=val>");
	value_html(out, f->key, f->majority);
	strbuf_adds(out, "</td></tr>\n");
}

static void drift_head(struct strbuf *out, const struct inv *inv)
{
	strbuf_adds(out, "<div class=scroll><table class=\"dt inv\"><thead><tr><th>field</th>");
	if (inv->n <= INV_WIDE) {
		for (size_t i = 0; i < inv->n; i++) {
			strbuf_adds(out, "<th>");
			anvil_html_text(out, inv->host[i]);
			strbuf_adds(out, "</th>");
		}
	} else {
		strbuf_adds(out, "<th>most nodes</th><th>the others</th>");
	}
	strbuf_adds(out, "</tr></thead><tbody>\n");
}

/* "dmi.bios_version: permission denied" per node, grouped by text. */
static void unreadable(struct strbuf *out, const cJSON *inventory)
{
	cJSON *seen = cJSON_CreateObject();  /* text -> array of hosts */
	const cJSON *node, *u;
	cJSON_ArrayForEach(node, inventory)
		cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(node, "unreadable")) {
			if (!cJSON_IsString(u))
				continue;
			cJSON *hosts = cJSON_GetObjectItemCaseSensitive(seen, u->valuestring);
			if (!hosts)
				hosts = cJSON_AddArrayToObject(seen, u->valuestring);
			if (cJSON_GetArraySize(hosts) < INV_NAMED)
				cJSON_AddItemToArray(hosts, cJSON_CreateString(node->string ? node->string : "?"));
		}
	if (cJSON_GetArraySize(seen)) {
		strbuf_addf(out, "<details class=data><summary>Fields that could not be read "
				 "<span class=muted>(%d)</span></summary><ul class=unread>\n", cJSON_GetArraySize(seen));
		cJSON_ArrayForEach(u, seen) {
			const cJSON *h;
			strbuf_adds(out, "<li>");
			anvil_html_text(out, u->string);
			strbuf_adds(out, " <span class=muted>on ");
			cJSON_ArrayForEach(h, u) {
				anvil_html_text(out, h->valuestring);
				strbuf_adds(out, h->next ? ", " : "");
			}
			strbuf_adds(out, "</span></li>\n");
		}
		strbuf_adds(out, "</ul></details>\n");
	}
	cJSON_Delete(seen);
}

void anvil_html_inventory(struct strbuf *out, const cJSON *inventory)
{
	struct inv inv;
	if (!cJSON_GetArraySize(inventory))
		return;
	inv_init(&inv, inventory);
	size_t nf = inv.nf, nd = 0, i;
	struct field *f = inv.f;
	for (i = 0; i < nf; i++) {
		field_rank(&f[i], &inv);
		nd += f[i].distinct > 1;
	}
	strbuf_addf(out, "<section class=inventory id=inventory><h2>Inventory</h2>\n<p class=lead>%zu node%s, "
			 "%zu fields compared: ", inv.n, inv.n == 1 ? "" : "s", nf);
	if (inv.n < 2)
		strbuf_adds(out, "one node, nothing to compare it with.</p>\n");
	else if (nd)
		strbuf_addf(out, "<b class=bad>%zu differ between nodes</b>; marked cells differ from the majority "
				 "(<a href=\"#drift\">Inventory drift</a> judges them, with tolerances and pinned values).</p>\n", nd);
	else
		strbuf_adds(out, "identical on every node.</p>\n");
	if (nd) {
		drift_head(out, &inv);
		for (i = 0; i < nf; i++)
			if (f[i].distinct > 1)
				(inv.n <= INV_WIDE ? wide_row : fleet_row)(out, &inv, &f[i]);
		strbuf_adds(out, "</tbody></table></div>\n");
	}
	strbuf_addf(out, "<details class=data%s><summary>%s <span class=muted>(%zu)</span></summary>"
			 "<div class=scroll><table class=\"dt inv\"><tbody>\n", inv.n < 2 ? " open" : "",
		    inv.n < 2 ? "Fields" : "Fields identical on every node", nf - nd);
	for (i = 0; i < nf; i++)
		if (f[i].distinct <= 1)
			same_row(out, &f[i]);
	strbuf_adds(out, "</tbody></table></div></details>\n");
	unreadable(out, inventory);
	strbuf_adds(out, "</section>\n");
	inv_release(&inv);
}
