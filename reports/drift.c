/*
 * Inventory drift. Layout: the tables (aliases, tolerances, identity
 * fields, labels), the nodes (flattened inventories plus a few derived
 * fields), grouping one field's values, the drift entries (merged across
 * device indices), the pinned expectations, and anvil_drift_judge().
 *
 * Who owns what: the report owns everything added to it; struct node owns
 * its flattened inventory; groups borrow host names and values from the
 * nodes and live only while one field is judged.
 */
#include "reports/drift.h"
#include "reports/keymap.h"
#include "common/fmt.h"
#include "common/hostlist.h"
#include "common/inventory_flat.h"
#include "common/par.h"
#include "common/strbuf.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/sort.h"

#define TEST_ID "inventory"
#define SHOW_MAX 80   /* characters of a value shown in a sentence */

/* ---- tables ---------------------------------------------------------------- */

static const struct { const char *name, *field; } aliases[] = {
	{ "gpus_per_node", "gpus.count" },
	{ "driver", "gpus.*.driver_version" },
	{ "pcie", "gpus.*.pcie" },
	{ "kernel", "os.kernel" },
	{ "os_version", "os.version_id" },
	{ "cpu_model", "cpu.model" },
	{ NULL, NULL },
};

/* Relative tolerances for what differs a little between identical nodes;
 * the cluster config's expect.tolerances adds to or overrides these. */
static const struct { const char *field; double tol; } tolerances[] = {
	{ "memory.total_bytes", 0.01 },         /* kernel and firmware reservations */
	{ "numa.nodes.*.memory_bytes", 0.02 },  /* the same, per NUMA node; node 0 holds more */
	{ "cpu.base_mhz", 0.01 },               /* "cpu MHz" of nodes without cpufreq is measured at boot */
	{ NULL, 0 },
};

/* Last segments naming one piece of hardware: different on identical
 * nodes by nature, so never compared. */
static const char *const identity[] = {
	"uuid", "serial", "serial_number", "guid", "node_guid", "port_guid", "sys_image_guid",
	"mac", "mac_address", "hostname", "boot_id", "machine_id", NULL,
};

static const struct { const char *field, *label; } labels[] = {
	{ "gpus.count", "GPU count" }, { "gpus.*.driver_version", "GPU driver" },
	{ "gpus.*.pcie", "GPU PCIe link" }, { "gpus.*.name", "GPU model" },
	{ "gpus.*.vbios", "GPU VBIOS" }, { "gpus.*.ecc_enabled", "GPU ECC" },
	{ "os.kernel", "kernel" }, { "os.version_id", "OS version" }, { "os.pretty_name", "OS" },
	{ "cpu.model", "CPU model" }, { "memory.total_bytes", "memory" },
	{ "dmi.bios_version", "BIOS version" }, { "rdma.count", "RDMA port count" },
	{ NULL, NULL },
};

const char *anvil_drift_alias(const char *name)
{
	for (int i = 0; aliases[i].name; i++)
		if (!strcmp(aliases[i].name, name))
			return aliases[i].field;
	return NULL;
}

const char *anvil_drift_alias_names(void)
{
	return "gpus_per_node, driver, pcie, kernel, os_version, cpu_model";
}

int anvil_drift_match(const char *pattern, const char *field)
{
	for (;;) {
		size_t pl = strcspn(pattern, "."), fl = strcspn(field, ".");
		if (!(pl == 1 && pattern[0] == '*' && fl > 0) &&
		    (pl != fl || strncmp(pattern, field, pl)))
			return 0;
		pattern += pl;
		field += fl;
		if (!*pattern || !*field)
			return !*pattern && !*field;
		pattern++;
		field++;
	}
}

/* The field with each all-digit segment (a device index) replaced by "*". */
static void index_pattern(const char *field, char *out, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	while (*field) {
		size_t n = strcspn(field, ".");
		size_t d = 0;
		while (d < n && isdigit((unsigned char)field[d]))
			d++;
		if (n && d == n)
			strbuf_addch(&sb, '*');
		else
			strbuf_add(&sb, field, n);
		field += n;
		if (*field)
			strbuf_addch(&sb, *field++);
	}
	anvil_fmt(out, len, "%s", strbuf_str(&sb));
	strbuf_release(&sb);
}

static const char *label_of(const char *field)
{
	char pat[512];
	index_pattern(field, pat, sizeof(pat));
	for (int i = 0; labels[i].field; i++)
		if (!strcmp(labels[i].field, pat))
			return labels[i].label;
	return field;
}

static int is_identity(const char *field)
{
	const char *last = strrchr(field, '.');
	last = last ? last + 1 : field;
	for (int i = 0; identity[i]; i++)
		if (!strcmp(identity[i], last))
			return 1;
	return 0;
}

/* ---- expectations as read from the cluster config ------------------------- */

struct expect {
	const cJSON *expect;      /* the cluster config's "expect"; borrowed; may be NULL */
};

static double tolerance_of(const struct expect *e, const char *field)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(e->expect, "tolerances"))
		if (cJSON_IsNumber(t) && t->string && anvil_drift_match(t->string, field))
			return t->valuedouble;
	for (int i = 0; tolerances[i].field; i++)
		if (anvil_drift_match(tolerances[i].field, field))
			return tolerances[i].tol;
	return 0;
}

static int ignored(const struct expect *e, const char *field)
{
	const cJSON *p;
	if (is_identity(field))
		return 1;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(e->expect, "ignore"))
		if (cJSON_IsString(p) && anvil_drift_match(p->valuestring, field))
			return 1;
	return 0;
}

/* The pins: (pattern, expected value), from the aliases and "fields". */
struct pin {
	const char *field;
	const cJSON *want;
};

static int collect_pins(const struct expect *e, struct pin *pins, int max)
{
	int n = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, e->expect) {
		const char *f = c->string ? anvil_drift_alias(c->string) : NULL;
		if (f && n < max && !cJSON_IsObject(c) && !cJSON_IsArray(c))
			pins[n++] = (struct pin){ f, c };
	}
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(e->expect, "fields"))
		if (c->string && n < max && !cJSON_IsObject(c) && !cJSON_IsArray(c))
			pins[n++] = (struct pin){ c->string, c };
	return n;
}

static int pinned(const struct pin *pins, int npins, const char *field)
{
	for (int i = 0; i < npins; i++)
		if (anvil_drift_match(pins[i].field, field))
			return 1;
	return 0;
}

/* ---- nodes ------------------------------------------------------------------ */

struct node {
	const char *host;   /* borrowed from the inventory object */
	cJSON *flat;        /* owned: field → scalar */
	cJSON **sorted;     /* owned array of flat's members by name, for lookups */
	int nsorted;
};

static int item_cmp(const void *a, const void *b)
{
	return strcmp((*(cJSON *const *)a)->string, (*(cJSON *const *)b)->string);
}

static void index_node(struct node *nd)
{
	int n = cJSON_GetArraySize(nd->flat), k = 0;
	cJSON *c;
	nd->sorted = calloc((size_t)(n ? n : 1), sizeof(*nd->sorted));
	cJSON_ArrayForEach(c, nd->flat)
		if (nd->sorted && c->string)
			nd->sorted[k++] = c;
	nd->nsorted = k;
	if (nd->sorted)
		anvil_sort(nd->sorted, (size_t)k, sizeof(*nd->sorted), item_cmp);
}

/* The node's value of a field, or NULL (a node of hundreds of fields, a
 * run of thousands of nodes: a binary search, not cJSON's list walk). */
static int node_find(const struct node *nd, const char *field)
{
	cJSON key = { .string = (char *)field }, *kp = &key;
	cJSON **hit = nd->sorted ? bsearch(&kp, nd->sorted, (size_t)nd->nsorted, sizeof(*nd->sorted), item_cmp) : NULL;
	return hit ? (int)(hit - nd->sorted) : -1;
}

static const cJSON *node_get(const struct node *nd, const char *field)
{
	int at = node_find(nd, field);
	return at < 0 ? NULL : nd->sorted[at];
}

/* Fields computed from the inventory: device counts and each GPU's PCIe
 * link as "Gen5 x16", so they can be pinned in the words people use. */
static void add_derived(cJSON *flat, const cJSON *inv)
{
	static const char *const lists[] = { "gpus", "rdma" };
	for (int i = 0; i < 2; i++) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(inv, lists[i]);
		char key[32];
		anvil_fmt(key, sizeof(key), "%s.count", lists[i]);
		if (cJSON_IsArray(a) && !cJSON_GetObjectItemCaseSensitive(flat, key))
			cJSON_AddNumberToObject(flat, key, cJSON_GetArraySize(a));
	}
	int i = 0;
	const cJSON *g;
	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(inv, "gpus")) {
		const cJSON *gen = cJSON_GetObjectItemCaseSensitive(g, "pcie_max_gen");
		const cJSON *width = cJSON_GetObjectItemCaseSensitive(g, "pcie_max_width");
		char key[48], val[48];
		anvil_fmt(key, sizeof(key), "gpus.%d.pcie", i++);
		if (cJSON_IsNumber(gen) && cJSON_IsNumber(width) && !cJSON_GetObjectItemCaseSensitive(flat, key)) {
			anvil_fmt(val, sizeof(val), "Gen%g x%g", gen->valuedouble, width->valuedouble);
			cJSON_AddStringToObject(flat, key, val);
		}
	}
}

static int node_cmp(const void *a, const void *b)
{
	return anvil_hostlist_natcmp(((const struct node *)a)->host, ((const struct node *)b)->host);
}

/* Nodes [from, to) of the inventory flattened into their slots (flat stays
 * NULL for an entry that is not a node's inventory). */
struct load {
	const cJSON **invs;
	struct node *nodes;
};

static void load_part(void *arg, size_t from, size_t to)
{
	struct load *l = arg;
	for (size_t i = from; i < to; i++) {
		const cJSON *inv = l->invs[i];
		cJSON *flat = inv->string ? anvil_inventory_flatten(inv) : NULL;
		if (!flat)
			continue;
		add_derived(flat, inv);
		l->nodes[i] = (struct node){ inv->string, flat, NULL, 0 };
		index_node(&l->nodes[i]);
	}
}

/* A node is flattened on its own: a thousand of them, on two threads. */
#define PARALLEL_NODES 64

static struct node *load_nodes(const cJSON *inventory, int *count)
{
	int cap = cJSON_GetArraySize(inventory), n = 0;
	struct node *nodes = calloc((size_t)(cap ? cap : 1), sizeof(*nodes));
	const cJSON **invs = calloc((size_t)(cap ? cap : 1), sizeof(*invs));
	const cJSON *inv;
	if (!nodes || !invs) {
		free(nodes);
		free(invs);
		return NULL;
	}
	cJSON_ArrayForEach(inv, inventory)
		invs[n++] = inv;
	struct load l = { invs, nodes };
	anvil_par2(load_part, &l, n >= PARALLEL_NODES ? (size_t)n / 2 : (size_t)n, (size_t)n);
	int k = 0;
	for (int i = 0; i < n; i++)
		if (nodes[i].flat)
			nodes[k++] = nodes[i];
	free(invs);
	anvil_sort(nodes, (size_t)k, sizeof(*nodes), node_cmp);
	*count = k;
	return nodes;
}

static void free_nodes(struct node *nodes, int n)
{
	for (int i = 0; i < n; i++) {
		cJSON_Delete(nodes[i].flat);
		free(nodes[i].sorted);
	}
	free(nodes);
}

/* Every field of every node (minus identity and ignored ones), sorted. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **all_fields(const struct node *nodes, int nn, const struct expect *e, int *count)
{
	/* each name once (a map: the nodes of a cluster mostly list the same
	 * hundreds of names, and sorting every node's copy of them was half a
	 * million strings), the ignored left out, then sorted */
	size_t cap = 64, n = 0;
	char **f = malloc(cap * sizeof(*f));
	struct anvil_keymap seen = ANVIL_KEYMAP_INIT;
	for (int i = 0; f && i < nn; i++) {
		const cJSON *c;
		cJSON_ArrayForEach(c, nodes[i].flat) {
			if (!c->string || anvil_keymap_put(&seen, c->string, strlen(c->string), (void *)1) || ignored(e, c->string))
				continue;
			if (n == cap) {
				char **p = realloc(f, (cap *= 2) * sizeof(*f));
				if (!p)
					break;
				f = p;
			}
			f[n++] = c->string;  /* borrowed from the node */
		}
	}
	anvil_keymap_release(&seen);
	if (!f) {
		*count = 0;
		return NULL;
	}
	anvil_sort(f, n, sizeof(*f), cmp_str);
	*count = (int)n;
	return f;
}

/* ---- one field's values, grouped ----------------------------------------- */

static void value_text(const cJSON *v, char *buf, size_t len)
{
	if (v)
		anvil_inventory_scalar_text(v, buf, len);
	else
		anvil_fmt(buf, len, "(absent)");
}

struct group {
	char text[1024];       /* exact value as text: the group's key */
	const cJSON *value;    /* borrowed representative; NULL when absent or a centre */
	int centre;            /* the values within tolerance of the median */
	double median;
	const char **hosts;
	int n;
};

struct grouping {
	struct group *g;
	int n, majority, tie;
	double tol;
};

static void grouping_release(struct grouping *gr)
{
	for (int i = 0; i < gr->n; i++)
		free(gr->g[i].hosts);
	free(gr->g);
	memset(gr, 0, sizeof(*gr));
}

static struct group *group_for(struct grouping *gr, const char *text, const cJSON *v, int nn)
{
	for (int i = 0; i < gr->n; i++)
		if (!gr->g[i].centre && !strcmp(gr->g[i].text, text))
			return &gr->g[i];
	struct group *g = &gr->g[gr->n++];
	memset(g, 0, sizeof(*g));
	anvil_fmt(g->text, sizeof(g->text), "%s", text);
	g->value = v;
	g->hosts = calloc((size_t)nn, sizeof(char *));
	return g;
}

/* The median of the field's numbers when every present value is a number. */
static int numeric_median(const struct node *nodes, int nn, const char *field, double *med)
{
	double *v = malloc(sizeof(double) * (size_t)nn);
	int k = 0, ok = v != NULL;
	for (int i = 0; ok && i < nn; i++) {
		const cJSON *x = node_get(&nodes[i], field);
		if (x && !cJSON_IsNumber(x))
			ok = 0;
		else if (x)
			v[k++] = x->valuedouble;
	}
	if (ok && k) {
		anvil_sort_doubles(v, (size_t)k);
		*med = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
	}
	free(v);
	return ok && k;
}

static void group_field(const struct node *nodes, int nn, const char *field, double tol,
			struct grouping *gr)
{
	memset(gr, 0, sizeof(*gr));
	gr->g = calloc((size_t)nn + 1, sizeof(*gr->g));
	gr->tol = tol;
	double med = 0;
	struct group *centre = NULL;
	if (!gr->g)
		return;
	if (tol > 0 && numeric_median(nodes, nn, field, &med)) {
		centre = &gr->g[gr->n++];
		centre->centre = 1;
		centre->median = med;
		centre->hosts = calloc((size_t)nn, sizeof(char *));
		cJSON *m = cJSON_CreateNumber(med);
		value_text(m, centre->text, sizeof(centre->text));
		cJSON_Delete(m);
	}
	for (int i = 0; i < nn; i++) {
		const cJSON *v = node_get(&nodes[i], field);
		struct group *g;
		if (centre && v && fabs(v->valuedouble - med) <= tol * fabs(med)) {
			g = centre;
		} else {
			char text[1024];
			value_text(v, text, sizeof(text));
			g = group_for(gr, text, v, nn);
		}
		if (g->hosts)
			g->hosts[g->n++] = nodes[i].host;
	}
	/* no node within the tolerance of the median (two far apart): no centre */
	if (centre && !centre->n) {
		free(centre->hosts);
		memmove(gr->g, gr->g + 1, sizeof(*gr->g) * (size_t)--gr->n);
	}
	/* the largest group; on a tie the first (the centre, else the value of
	 * the first node in name order), flagged */
	for (int i = 1; i < gr->n; i++) {
		if (gr->g[i].n > gr->g[gr->majority].n)
			gr->majority = i;
	}
	for (int i = 0; i < gr->n; i++)
		if (i != gr->majority && gr->g[i].n == gr->g[gr->majority].n)
			gr->tie = 1;
}

static char *hosts_text(const struct group *g)
{
	return anvil_hostlist_compress(g->hosts, (size_t)g->n);
}

static cJSON *group_value(const struct group *g)
{
	if (g->centre)
		return cJSON_CreateNumber(g->median);
	return g->value ? cJSON_Duplicate(g->value, 0) : cJSON_CreateNull();
}

/* ---- drift entries and their sentences ------------------------------------ */

/* 1 when the space-separated list holds word. */
static int has_word(const char *list, const char *word, size_t wlen)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, " ");
		if (n == wlen && !strncmp(p, word, n))
			return 1;
		p += n;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/* The words of a that b lacks, after lead, into sb; returns how many. */
static int words_missing(const char *a, const char *b, const char *lead, struct strbuf *sb)
{
	int k = 0;
	for (const char *p = a; *p;) {
		size_t n = strcspn(p, " ");
		if (n && !has_word(b, p, n)) {
			strbuf_adds(sb, k++ ? " " : lead);
			strbuf_add(sb, p, n);
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	return k;
}

static int word_count(const char *s)
{
	int n = *s ? 1 : 0;
	for (; *s; s++)
		n += *s == ' ';
	return n;
}

/* A value as a sentence shows it: shortened; a long word list (CPU flags)
 * as its difference from the majority's ("without avx512f"). */
static void show_value(const struct group *g, const struct group *maj, char *buf, size_t len)
{
	const char *t = g->value || g->centre ? g->text : "absent";
	if (maj && cJSON_IsString(g->value) && cJSON_IsString(maj->value) && word_count(maj->text) >= 4) {
		struct strbuf sb = STRBUF_INIT;
		int lack = words_missing(maj->text, g->text, "without ", &sb);
		int extra = words_missing(g->text, maj->text, lack ? ", with extra " : "with extra ", &sb);
		if (lack || extra) {
			anvil_fmt(buf, len, "%.*s%s", SHOW_MAX, strbuf_str(&sb), sb.len > SHOW_MAX ? "..." : "");
			strbuf_release(&sb);
			return;
		}
		strbuf_release(&sb);  /* the same words in another order: show the value */
	}
	anvil_fmt(buf, len, "%.*s%s", SHOW_MAX, t, strlen(t) > SHOW_MAX ? "..." : "");
}

/* "node07: GPU driver 550.54, 15 others 550.90" */
static void drift_sentence(const struct grouping *gr, const char *label, struct strbuf *sb)
{
	const struct group *maj = &gr->g[gr->majority];
	char v[SHOW_MAX + 8];
	int first = 1;
	for (int i = 0; i < gr->n; i++) {
		if (i == gr->majority)
			continue;
		char *h = hosts_text(&gr->g[i]);
		show_value(&gr->g[i], maj, v, sizeof(v));
		strbuf_addf(sb, "%s%s: %s %s", first ? "" : "; ", h ? h : "?", label, v);
		free(h);
		first = 0;
	}
	show_value(maj, NULL, v, sizeof(v));
	if (cJSON_IsString(maj->value) && word_count(maj->text) >= 4)
		anvil_fmt(v, sizeof(v), "the full list (%d words)", word_count(maj->text));
	if (gr->tie) {
		char *h = hosts_text(maj);
		strbuf_addf(sb, "; %s: %s (no majority)", h ? h : "?", v);
		free(h);
	} else {
		strbuf_addf(sb, ", %d other%s %s%s", maj->n, maj->n == 1 ? "" : "s", v,
			    maj->centre ? " (within the tolerance)" : "");
	}
}

/* The report's entry for one drifted field; sig gets what makes two
 * entries the same drift (for merging device indices). */
static cJSON *drift_entry(const char *field, const struct grouping *gr, struct strbuf *sig)
{
	cJSON *e = cJSON_CreateObject();
	const struct group *maj = &gr->g[gr->majority];
	char *h = hosts_text(maj);
	cJSON_AddStringToObject(e, "field", field);
	cJSON_AddStringToObject(e, "label", label_of(field));
	cJSON_AddItemToObject(e, "majority", group_value(maj));
	cJSON_AddStringToObject(e, "majority_hosts", h ? h : "");
	strbuf_addf(sig, "%s\x1f%s\x1f", maj->text, h ? h : "");
	free(h);
	cJSON *min = cJSON_AddArrayToObject(e, "minority");
	for (int i = 0; i < gr->n; i++) {
		if (i == gr->majority)
			continue;
		cJSON *m = cJSON_CreateObject();
		h = hosts_text(&gr->g[i]);
		cJSON_AddItemToObject(m, "value", group_value(&gr->g[i]));
		cJSON_AddStringToObject(m, "hosts", h ? h : "");
		strbuf_addf(sig, "%s\x1f%s\x1f", gr->g[i].text, h ? h : "");
		free(h);
		cJSON_AddItemToArray(min, m);
	}
	if (gr->tol > 0)
		cJSON_AddNumberToObject(e, "tolerance", gr->tol);
	if (gr->tie)
		cJSON_AddTrueToObject(e, "tie");
	return e;
}

/* All the hosts outside the majority, compressed. */
static char *minority_hosts(const struct grouping *gr)
{
	int total = 0;
	for (int i = 0; i < gr->n; i++)
		total += i == gr->majority ? 0 : gr->g[i].n;
	const char **all = calloc((size_t)total + 1, sizeof(char *));
	int k = 0;
	for (int i = 0; all && i < gr->n; i++)
		for (int j = 0; i != gr->majority && j < gr->g[i].n; j++)
			all[k++] = gr->g[i].hosts[j];
	char *h = all ? anvil_hostlist_compress(all, (size_t)k) : NULL;
	free(all);
	return h;
}

static cJSON *new_check(cJSON *checks, const char *name, const char *rule, const char *hosts,
			const char *verdict, const char *why)
{
	char id[1024];
	anvil_fmt(id, sizeof(id), "%s/%s/%s@%s", TEST_ID, name, rule, hosts);
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "id", id);
	cJSON_AddStringToObject(c, "test", TEST_ID);
	cJSON_AddStringToObject(c, "name", name);
	cJSON_AddStringToObject(c, "rule", rule);
	cJSON_AddStringToObject(c, "host", hosts);
	cJSON_AddStringToObject(c, "verdict", verdict);
	cJSON_AddStringToObject(c, "why", why);
	cJSON_AddItemToArray(checks, c);
	return c;
}

/* One drift entry per drifted field; entries that differ only in a device
 * index and drift the same way become one ("gpus.*.driver_version"). */
struct entry {
	cJSON *json;        /* owned until added to the report */
	char *sig;          /* owned */
	char pattern[512];
	char *sentence;     /* owned; the WARN's why */
	char *minority;     /* owned; hostlist */
	int pinned, merged;
};

static void merge_entries(struct entry *en, int n)
{
	for (int i = 0; i < n; i++) {
		if (en[i].merged)
			continue;
		for (int j = i + 1; j < n; j++) {
			if (en[j].merged || strcmp(en[i].pattern, en[j].pattern) || strcmp(en[i].sig, en[j].sig))
				continue;
			cJSON *keys = cJSON_GetObjectItemCaseSensitive(en[i].json, "keys");
			if (!keys) {
				keys = cJSON_AddArrayToObject(en[i].json, "keys");
				cJSON_AddItemToArray(keys, cJSON_CreateString(
					cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(en[i].json, "field"))));
				cJSON_ReplaceItemInObjectCaseSensitive(en[i].json, "field", cJSON_CreateString(en[i].pattern));
			}
			cJSON_AddItemToArray(keys, cJSON_CreateString(
				cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(en[j].json, "field"))));
			en[i].pinned |= en[j].pinned;
			en[j].merged = 1;
		}
	}
}

/* Fields [from, to) grouped across the nodes: en[f] for a field that drifted (json set). */
struct fields_job {
	const struct node *nodes;
	int nn;
	char **fields;
	const struct expect *e;
	const struct pin *pins;
	int npins;
	struct entry *en;
};

/* The same scalar, to the bit (so that it reads the same as text too). */
static int same_scalar(const cJSON *a, const cJSON *b)
{
	int t = a->type & 0xFF;
	if (t != (b->type & 0xFF))
		return 0;
	switch (t) {
	case cJSON_String: return !strcmp(a->valuestring, b->valuestring);
	case cJSON_Number: return !memcmp(&a->valuedouble, &b->valuedouble, sizeof(double));
	case cJSON_True: case cJSON_False: case cJSON_NULL: return 1;
	default: return 0;
	}
}

/* Has every node the same value of the field (most fields of a
 * homogeneous cluster)? Then it did not drift, and its values need no
 * grouping: hundreds of fields over a thousand nodes, each value put into
 * words and looked up among the groups, were a fifth of a second at the
 * start of every report. Nodes list their fields alike, so the field is
 * looked for where the first node has it before it is searched for. */
static int one_value(const struct node *nodes, int nn, const char *field)
{
	int at = node_find(&nodes[0], field);
	if (at < 0)
		return 0;
	const cJSON *v0 = nodes[0].sorted[at];
	for (int i = 1; i < nn; i++) {
		const struct node *nd = &nodes[i];
		const cJSON *v = at < nd->nsorted && !strcmp(nd->sorted[at]->string, field) ? nd->sorted[at] : node_get(nd, field);
		if (!v || !same_scalar(v0, v))
			return 0;
	}
	return 1;
}

static void fields_part(void *arg, size_t from, size_t to)
{
	struct fields_job *j = arg;
	for (size_t f = from; f < to; f++) {
		struct grouping gr;
		struct entry *en = &j->en[f];
		if (one_value(j->nodes, j->nn, j->fields[f]))
			continue;
		group_field(j->nodes, j->nn, j->fields[f], tolerance_of(j->e, j->fields[f]), &gr);
		if (gr.n > 1) {
			struct strbuf sig = STRBUF_INIT, why = STRBUF_INIT;
			en->json = drift_entry(j->fields[f], &gr, &sig);
			en->sig = strbuf_detach(&sig);
			index_pattern(j->fields[f], en->pattern, sizeof(en->pattern));
			drift_sentence(&gr, label_of(j->fields[f]), &why);
			en->sentence = strbuf_detach(&why);
			en->minority = minority_hosts(&gr);
			en->pinned = pinned(j->pins, j->npins, j->fields[f]);
		}
		grouping_release(&gr);
	}
}

static void judge_drift(const struct node *nodes, int nn, char **fields, int nf,
			const struct expect *e, const struct pin *pins, int npins,
			cJSON *drift, cJSON *checks)
{
	struct entry *en = calloc((size_t)nf + 1, sizeof(*en));
	int n = 0;
	if (en && nn >= 2) {
		/* each field on its own: hundreds of them over a thousand nodes, on two threads */
		struct fields_job j = { nodes, nn, fields, e, pins, npins, en };
		anvil_par2(fields_part, &j, nn >= PARALLEL_NODES ? (size_t)nf / 2 : (size_t)nf, (size_t)nf);
		for (int f = 0; f < nf; f++)
			if (en[f].json)
				en[n++] = en[f];
	}
	merge_entries(en, n);
	for (int i = 0; i < n; i++) {
		if (!en[i].merged) {
			const char *field = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(en[i].json, "field"));
			if (en[i].pinned)
				cJSON_AddTrueToObject(en[i].json, "pinned");
			else
				new_check(checks, field, "drift", en[i].minority ? en[i].minority : "?", "WARN",
					  en[i].sentence);
			cJSON_AddItemToArray(drift, en[i].json);
		} else {
			cJSON_Delete(en[i].json);
		}
		free(en[i].sig);
		free(en[i].sentence);
		free(en[i].minority);
	}
	free(en);
}

/* ---- pinned expectations ---------------------------------------------------- */

static int same_value(const cJSON *want, const cJSON *have, double tol)
{
	char w[1024], h[1024];
	if (cJSON_IsNumber(want) && cJSON_IsNumber(have))
		return fabs(have->valuedouble - want->valuedouble) <= tol * fabs(want->valuedouble);
	value_text(want, w, sizeof(w));
	value_text(have, h, sizeof(h));
	if (!strcmp(w, h))
		return 1;
	/* "12" pinned, 12 found (or the other way round) */
	char *end;
	double x = strtod(w, &end);
	if (*w && !*end && cJSON_IsNumber(have))
		return fabs(have->valuedouble - x) <= tol * fabs(x);
	return 0;
}

/* Whether the node breaks the pin; out gets its value ("absent" when no
 * field matches), naming the fields when only some of them break it. */
static int pin_broken(const struct node *nd, const struct pin *p, const struct expect *e,
		      char *out, size_t len)
{
	const cJSON *c;
	int seen = 0, bad = 0;
	struct strbuf which = STRBUF_INIT;
	out[0] = '\0';
	cJSON_ArrayForEach(c, nd->flat) {
		if (!c->string || !anvil_drift_match(p->field, c->string))
			continue;
		seen++;
		if (same_value(p->want, c, tolerance_of(e, c->string)))
			continue;
		if (!bad++)
			value_text(c, out, len);
		if (bad <= 3)
			strbuf_addf(&which, "%s%s", bad > 1 ? ", " : "", c->string);
		else if (bad == 4)
			strbuf_adds(&which, ", ...");
	}
	if (!seen)
		anvil_fmt(out, len, "absent");
	else if (bad && bad < seen && strlen(out) + which.len + 4 < len)
		anvil_fmt(out + strlen(out), len - strlen(out), " (%s)", strbuf_str(&which));
	strbuf_release(&which);
	return !seen || bad;
}

static void judge_pin(const struct node *nodes, int nn, const struct pin *p, const struct expect *e,
		      cJSON *checks)
{
	struct grouping gr = { calloc((size_t)nn + 1, sizeof(struct group)), 0, 0, 0, 0 };
	const char **good = calloc((size_t)nn + 1, sizeof(char *));
	int ngood = 0;
	char want[1024], why[1400];
	value_text(p->want, want, sizeof(want));
	for (int i = 0; gr.g && good && i < nn; i++) {
		char have[1100];
		if (!pin_broken(&nodes[i], p, e, have, sizeof(have))) {
			good[ngood++] = nodes[i].host;
			continue;
		}
		struct group *g = group_for(&gr, have, NULL, nn);
		if (g->hosts)
			g->hosts[g->n++] = nodes[i].host;
	}
	const char *label = label_of(p->field);
	for (int i = 0; i < gr.n; i++) {
		char *h = hosts_text(&gr.g[i]);
		anvil_fmt(why, sizeof(why), "%s: %s %.200s, expected %.200s (pinned in the cluster config)",
			 h ? h : "?", label, gr.g[i].text, want);
		new_check(checks, p->field, "pinned", h ? h : "?", "FAIL", why);
		free(h);
	}
	if (ngood) {
		char *h = anvil_hostlist_compress(good, (size_t)ngood);
		anvil_fmt(why, sizeof(why), "%s: %s %.200s, as pinned in the cluster config", h ? h : "?",
			 label, want);
		new_check(checks, p->field, "pinned", h ? h : "?", "PASS", why);
		free(h);
	}
	free(good);
	grouping_release(&gr);
}

/* ---- the report ------------------------------------------------------------- */

static void add_test(cJSON *report, cJSON *checks)
{
	cJSON *tests = cJSON_GetObjectItemCaseSensitive(report, "tests");
	if (!tests)
		tests = cJSON_AddArrayToObject(report, "tests");
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "id", TEST_ID);
	cJSON_AddStringToObject(t, "runner", TEST_ID);
	cJSON_AddStringToObject(t, "status", "ok");
	cJSON_AddArrayToObject(t, "metrics");
	cJSON_AddArrayToObject(t, "series");
	cJSON_AddArrayToObject(t, "info");
	cJSON_AddItemToObject(t, "checks", checks);
	cJSON_AddItemToArray(tests, t);
}

void anvil_drift_judge(cJSON *report, const cJSON *inventory, const cJSON *cluster)
{
	struct expect e = { cJSON_GetObjectItemCaseSensitive(cluster, "expect") };
	if (!cJSON_IsObject(e.expect))
		e.expect = NULL;
	int nn = 0, nf = 0;
	struct node *nodes = load_nodes(inventory, &nn);
	char **fields = nodes ? all_fields(nodes, nn, &e, &nf) : NULL;
	struct pin pins[256];
	int npins = collect_pins(&e, pins, 256);
	cJSON *drift = cJSON_CreateArray(), *checks = cJSON_CreateArray();
	for (int i = 0; i < npins && nn > 0; i++)
		judge_pin(nodes, nn, &pins[i], &e, checks);
	judge_drift(nodes, nn, fields, nf, &e, pins, npins, drift, checks);
	cJSON *sum = cJSON_CreateObject();
	cJSON_AddNumberToObject(sum, "nodes", nn);
	cJSON_AddNumberToObject(sum, "fields", nf);
	cJSON_AddNumberToObject(sum, "drifted", cJSON_GetArraySize(drift));
	cJSON_AddNumberToObject(sum, "pinned", npins);
	cJSON_DeleteItemFromObjectCaseSensitive(report, "drift");
	cJSON_DeleteItemFromObjectCaseSensitive(report, "drift_summary");
	cJSON_AddItemToObject(report, "drift", drift);
	cJSON_AddItemToObject(report, "drift_summary", sum);
	if (cJSON_GetArraySize(checks))
		add_test(report, checks);
	else
		cJSON_Delete(checks);
	free(fields);
	free_nodes(nodes, nn);
}
