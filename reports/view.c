/* The view of a test for the HTML and the table; see render.h. At a
 * thousand nodes a test has hundreds of thousands of checks and figures:
 * the page shows the fleet (distributions) and the failing items, and
 * report.json keeps everything. */
#include "reports/arena.h"
#include "reports/render.h"
#include "reports/report.h"
#include "reports/jwrite.h"
#include "reports/keymap.h"
#include "common/strbuf.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "reports/jget.h"
#include "common/sort.h"

#define KEEP_FIRST 8           /* series or info records kept besides the failing hosts' */
#define KEEP_BAD_HOSTS 64

static const char *s(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(anvil_jget(o, k));
	return v ? v : "";
}

/* ---- a test's figures, each walked once ---------------------------------------- */

/* What the view reads of a figure: its members found in one walk (the
 * first of each name, as anvil_jget finds it), so that the fleet and the
 * abridging read a small array instead of walking tens of thousands of
 * figures' members again for each one they look up. */
struct fig {
	cJSON *m;
	const char *name, *host;
	const cJSON *labels;
	double value;   /* NaN: no number */
};

/* A figure's members, or a check's (which has the same name, host and labels). */
static void fig_read(cJSON *m, struct fig *f)
{
	static const char *const names[] = { "name", "host", "labels", "value" };
	const cJSON *g[4];
	anvil_jget_many(m, names, 4, g);
	f->m = m;
	f->name = cJSON_IsString(g[0]) ? g[0]->valuestring : "";
	f->host = cJSON_IsString(g[1]) ? g[1]->valuestring : "";
	f->labels = g[2];
	f->value = cJSON_IsNumber(g[3]) ? g[3]->valuedouble : NAN;
}

/* The test's figures, in order (n of them); NULL when there are none. */
static struct fig *figs_read(cJSON *t, size_t *n)
{
	cJSON *m;
	size_t cap = 0;
	struct fig *f = NULL;
	*n = 0;
	cJSON_ArrayForEach(m, anvil_jget(t, "metrics")) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 256;
			f = realloc(f, cap * sizeof(*f));
		}
		fig_read(m, &f[(*n)++]);
	}
	return f;
}

/* name, host (unless NULL) and the labels but those in `skip`, canonical. */
static void ident(struct strbuf *key, const struct fig *f, const char *host, const char *const *skip)
{
	key->len = 0;
	anvil_key_add(key, f->name);
	anvil_key_add(key, host);
	anvil_key_add_labels(key, f->labels, skip);
}

/* ---- fleet: the distribution of each figure over nodes and GPUs ------------ */

struct fgroup {
	const cJSON *first;
	double *v;
	size_t n, cap;
};

/* The test's "fleet", not yet in it. */
static cJSON *fleet(const struct fig *figs, size_t nfigs)
{
	static const char *const identity[] = { "gpu", "peer", NULL };
	struct anvil_keymap groups = ANVIL_KEYMAP_INIT;
	struct strbuf key = STRBUF_INIT;
	struct fgroup **order = NULL;
	size_t ngroups = 0;
	for (size_t i = 0; i < nfigs; i++) {
		const struct fig *m = &figs[i];
		if (!isfinite(m->value))
			continue;
		ident(&key, m, NULL, identity);
		struct fgroup *g = anvil_keymap_get(&groups, key.buf, key.len);
		if (!g) {
			g = calloc(1, sizeof(*g));
			g->first = m->m;
			anvil_keymap_put(&groups, key.buf, key.len, g);
			order = realloc(order, (ngroups + 1) * sizeof(*order));
			order[ngroups++] = g;
		}
		if (g->n == g->cap) {
			g->cap = g->cap ? 2 * g->cap : 16;
			g->v = realloc(g->v, g->cap * sizeof(double));
		}
		g->v[g->n++] = m->value;
	}
	cJSON *out = cJSON_CreateArray();
	for (size_t i = 0; i < ngroups; i++) {
		struct fgroup *g = order[i];
		if (g->n >= 2) {
			anvil_sort_doubles(g->v, g->n);
			double sum = 0;
			for (size_t k = 0; k < g->n; k++)
				sum += g->v[k];
			cJSON *f = cJSON_CreateObject();
			cJSON_AddStringToObject(f, "name", s(g->first, "name"));
			cJSON_AddStringToObject(f, "unit", s(g->first, "unit"));
			cJSON_AddStringToObject(f, "better", s(g->first, "better"));
			const cJSON *l;
			cJSON *labels = NULL;
			cJSON_ArrayForEach(l, anvil_jget(g->first, "labels")) {
				if (!l->string || !strcmp(l->string, "gpu") || !strcmp(l->string, "peer"))
					continue;
				if (!labels)
					labels = cJSON_AddObjectToObject(f, "labels");
				cJSON_AddItemToObject(labels, l->string, cJSON_Duplicate(l, 1));
			}
			cJSON_AddNumberToObject(f, "n", (double)g->n);
			cJSON_AddNumberToObject(f, "min", g->v[0]);
			cJSON_AddNumberToObject(f, "median", g->n % 2 ? g->v[g->n / 2] : (g->v[g->n / 2 - 1] + g->v[g->n / 2]) / 2);
			cJSON_AddNumberToObject(f, "max", g->v[g->n - 1]);
			cJSON_AddNumberToObject(f, "mean", sum / (double)g->n);
			cJSON_AddItemToObject(f, "values", cJSON_CreateDoubleArray(g->v, (int)g->n));
			cJSON_AddItemToArray(out, f);
		}
		free(g->v);
		free(g);
	}
	free(order);
	anvil_keymap_release(&groups);
	strbuf_release(&key);
	return out;
}

/* ---- abridging ------------------------------------------------------------------ */

static int rank_of(const char *verdict)
{
	/* FAIL, ERROR, NOT RUN, WARN, WAIVED first; SKIP then; PASS last */
	static const char *const order[] = { "FAIL", "ERROR", "NOT RUN", "WARN", "WAIVED", "SKIP", "PASS" };
	for (int i = 0; i < 7; i++)
		if (!strcmp(verdict, order[i]))
			return i;
	return 0;
}

static void note_abridged(cJSON *t, const char *what, int total, int kept)
{
	cJSON *a = anvil_jget(t, "abridged");
	if (!a)
		a = cJSON_AddObjectToObject(t, "abridged");
	cJSON *o = cJSON_AddObjectToObject(a, what);
	cJSON_AddNumberToObject(o, "total", total);
	cJSON_AddNumberToObject(o, "kept", kept);
}

/* Keeps the worst checks, most severe first within the limit, in their order. */
/* total: the test's checks, of which those in its tree may be fewer (the
 * engine's sink kept only some). */
static void abridge_checks(cJSON *t, int total, struct anvil_keymap *bad_figs, struct anvil_keymap *bad_hosts)
{
	cJSON *checks = anvil_jget(t, "checks");
	int per_rank[7] = { 0 }, cut = 7, kept = 0;
	struct strbuf key = STRBUF_INIT;
	cJSON *c, *next;
	cJSON_ArrayForEach(c, checks)
		per_rank[rank_of(s(c, "verdict"))]++;
	/* the least severe rank kept, and how many of it fit */
	int room = ANVIL_VIEW_MAX_CHECKS, partial = 0;
	for (int r = 0; r < 7; r++) {
		if (per_rank[r] > room) {
			cut = r;
			partial = room;
			break;
		}
		room -= per_rank[r];
	}
	for (c = checks->child; c; c = next) {
		next = c->next;
		int r = rank_of(s(c, "verdict"));
		int keep = r < cut || (r == cut && partial-- > 0);
		if (!keep) {
			anvil_arena_drop(cJSON_DetachItemViaPointer(checks, c));
			continue;
		}
		kept++;
		if (r < 5) {  /* a failing item: its figure and host stay too */
			struct fig f;
			fig_read(c, &f);
			ident(&key, &f, f.host, NULL);
			anvil_keymap_put(bad_figs, key.buf, key.len, (void *)1);
			if (*f.host && bad_hosts->n < KEEP_BAD_HOSTS)
				anvil_keymap_put(bad_hosts, f.host, strlen(f.host), (void *)1);
		}
	}
	if (kept < total)
		note_abridged(t, "checks", total, kept);
	strbuf_release(&key);
}

static void abridge_metrics(cJSON *t, const struct anvil_keymap *bad_figs, const struct fig *figs, size_t nfigs)
{
	cJSON *metrics = anvil_jget(t, "metrics");
	int kept = 0;
	struct strbuf key = STRBUF_INIT;
	for (size_t i = 0; i < nfigs; i++) {
		const struct fig *m = &figs[i];
		int keep = 0;
		if (kept < ANVIL_VIEW_MAX_METRICS && bad_figs->n) {
			ident(&key, m, m->host, NULL);
			keep = anvil_keymap_get(bad_figs, key.buf, key.len) != NULL;
		}
		if (keep)
			kept++;
		else
			anvil_arena_drop(cJSON_DetachItemViaPointer(metrics, m->m));
	}
	note_abridged(t, "metrics", (int)nfigs, kept);
	strbuf_release(&key);
}

/* Series or info records: the failing hosts' and the first few. */
static void abridge_records(cJSON *t, const char *what, const struct anvil_keymap *bad_hosts)
{
	cJSON *a = anvil_jget(t, what), *r, *next;
	int total = 0, kept = 0, seen = 0;
	for (r = a->child; r; r = next) {
		next = r->next;
		total++;
		const char *host = s(r, "host");
		if (seen++ < KEEP_FIRST || anvil_keymap_get(bad_hosts, host, strlen(host)))
			kept++;
		else
			anvil_arena_drop(cJSON_DetachItemViaPointer(a, r));
	}
	note_abridged(t, what, total, kept);
}

/* Has array a more than n elements? (at most n + 1 looked at: a test's
 * arrays are tens of thousands long, a cache miss each) */
static int more_than(const cJSON *a, int n)
{
	const cJSON *c = a ? a->child : NULL;
	for (int k = 0; c && k < n; k++)
		c = c->next;
	return c != NULL;
}

/* What of the view reads the test only (its figures and their fleet),
 * made while the test is still being written out by other threads. */
struct anvil_view_prep {
	struct fig *figs;
	size_t nfigs;
	cJSON *fleet;
};

void anvil_view_verdict_counts(const cJSON *t, int *n)
{
	const cJSON *cc = anvil_jget(t, "check_counts"), *c;
	memset(n, 0, (ANVIL_V_FAIL + 1) * sizeof(*n));
	if (cc) {
		cJSON_ArrayForEach(c, cc)
			n[anvil_verdict_parse(c->string)] += (int)c->valuedouble;
	} else {
		cJSON_ArrayForEach(c, anvil_jget(t, "checks"))
			n[anvil_verdict_parse(s(c, "verdict"))]++;
	}
}

const cJSON *anvil_view_check_counts(cJSON *t)
{
	cJSON *cc = anvil_jget(t, "check_counts");
	if (!cc) {
		int counts[ANVIL_V_FAIL + 1];
		anvil_view_verdict_counts(t, counts);
		cc = cJSON_AddObjectToObject(t, "check_counts");
		for (int v = ANVIL_V_PASS; v <= ANVIL_V_FAIL; v++)
			cJSON_AddNumberToObject(cc, anvil_verdict_name((enum anvil_verdict)v), counts[v]);
	}
	return cc;
}

struct anvil_view_prep *anvil_view_prepare(const cJSON *t)
{
	struct anvil_view_prep *p = calloc(1, sizeof(*p));
	if (!p)
		anvil_out_of_memory();
	p->figs = figs_read((cJSON *)t, &p->nfigs);
	p->fleet = fleet(p->figs, p->nfigs);
	return p;
}

void anvil_view_test_prepared(cJSON *t, struct anvil_view_prep *p)
{
	const cJSON *c;
	int total = 0;
	cJSON_ArrayForEach(c, anvil_view_check_counts(t))
		total += (int)c->valuedouble;
	cJSON_AddItemToObject(t, "fleet", p->fleet);
	struct anvil_keymap bad_figs = ANVIL_KEYMAP_INIT, bad_hosts = ANVIL_KEYMAP_INIT;
	abridge_checks(t, total, &bad_figs, &bad_hosts);
	if (p->nfigs > ANVIL_VIEW_MAX_METRICS)
		abridge_metrics(t, &bad_figs, p->figs, p->nfigs);
	if (more_than(anvil_jget(t, "series"), ANVIL_VIEW_MAX_SERIES))
		abridge_records(t, "series", &bad_hosts);
	if (more_than(anvil_jget(t, "info"), ANVIL_VIEW_MAX_INFO))
		abridge_records(t, "info", &bad_hosts);
	anvil_keymap_release(&bad_figs);
	anvil_keymap_release(&bad_hosts);
	free(p->figs);
	free(p);
	anvil_jw_unraw(t);  /* what the engine kept as text becomes a tree again */
}

void anvil_view_test(cJSON *t)
{
	anvil_view_test_prepared(t, anvil_view_prepare(t));
}
