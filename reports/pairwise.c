/*
 * The node-pair matrix and its culprit. A PAIRS runner (mpi-pairwise)
 * records one figure per node pair, from the lower node, labelled with the
 * other ("peer"). Here they become an N x N matrix per metric, each pair is
 * judged against the median of all pairs (the profile's "peers" rule; the
 * peak and absolute rules are judged by build.c as for any metric), and the
 * pattern of slow pairs names what is broken:
 *
 *   one node whose pairs are all slow  -> that node's port or cable
 *   one pair slow, both ends fine      -> that link (cable, or a port)
 *
 * Who owns what: the test object and its arrays belong to build.c's report
 * tree; this file adds "matrix", "culprits" and checks to it and removes the
 * per-host "peers" checks of pair metrics that build.c made (a pair's peers
 * are the other pairs, not the same peer label on other hosts). Drawing the
 * matrix is html_charts.c's job; this file only provides the data.
 */
#include "reports/pairwise.h"
#include "reports/jtree.h"
#include "common/fmt.h"
#include "common/strbuf.h"
#include "reports/report.h"
#include "reports/rules.h"
#include "reports/jwrite.h"
#include "reports/keymap.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/sort.h"
#include "reports/jget.h"

#define MAX_NAMES 16    /* distinct pair metrics per test */
/* Above this many nodes the matrix holds blocks of pairs, each cell the
 * worst pair of its block: a thousand nodes would make a million cells per
 * metric (most of them pairs never measured); every pair's figure stays in
 * the test's metrics. */
#define MAX_MATRIX 128
/* The judging works on the pairs measured, but the widespread note ranks
 * the nodes by scanning them once per count of slow pairs (n x n steps at
 * worst). Beyond this many nodes (or a journal naming that many hosts as
 * peers) the pairs are left to build.c's per-metric rules, with a SKIP
 * that says so. */
#define MAX_PAIR_NODES 4096

/* Leaning to the better side for an even count: a fault only makes pairs
 * worse, and with 4 nodes one bad node touches half of the 6 pairs, where the
 * mean of the two middle values would sit halfway between good and bad. */
double anvil_pairwise_median(double *v, int n, int higher_better)
{
	if (n <= 0)
		return NAN;
	anvil_sort_doubles(v, (size_t)n);
	if (n % 2)
		return v[n / 2];
	return higher_better ? v[n / 2] : v[n / 2 - 1];
}

/* The median of the pairs' figures (those that have one), and how many there are. */
struct pair_median {
	double med;
	int all;
};

static struct pair_median pairs_median(const struct anvil_pair *pairs, int np, int higher_better)
{
	int all = 0;
	double *vals = malloc(sizeof(double) * (size_t)(np + 1));
	for (int i = 0; vals && i < np; i++)
		if (isfinite(pairs[i].v))
			vals[all++] = pairs[i].v;
	struct pair_median m = { vals ? anvil_pairwise_median(vals, all, higher_better) : NAN, all };
	free(vals);
	return m;
}

/* Each node's measured pairs (*m) and slow ones (*s) among pairs[0..np),
 * two arrays of n in one allocation (free(*m) frees both); returns the
 * slow pairs. */
static int node_counts(int n, const struct anvil_pair *pairs, int np, int **m, int **s)
{
	int total = 0;
	if (!(*m = calloc(2 * (size_t)n + 1, sizeof(int))))
		anvil_out_of_memory();
	*s = *m + n;
	for (int i = 0; i < np; i++) {
		(*m)[pairs[i].a]++;
		(*m)[pairs[i].b]++;
		(*s)[pairs[i].a] += pairs[i].slow;
		(*s)[pairs[i].b] += pairs[i].slow;
		total += pairs[i].slow;
	}
	return total;
}

double anvil_pairwise_slow(int n, const double *v, int higher_better, double limit,
			   struct anvil_pair *out, int *np)
{
	*np = 0;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (isfinite(v[i * n + j]))
				out[(*np)++] = (struct anvil_pair){ i, j, v[i * n + j], 0 };
	double med = pairs_median(out, *np, higher_better).med;
	for (int i = 0; i < *np; i++)
		out[i].slow = higher_better ? out[i].v < limit * med : out[i].v > limit * med;
	return med;
}

/*
 * The culprit algorithm. Input: which pairs are slow (FAILed by a rule).
 *
 *  1. For each node x: m = its measured pairs, s = its slow pairs. x is a
 *     suspect when s >= 2 and s >= m - 1: every pair with x, or all but one,
 *     is slow (one slow pair alone points at a link, not at a node).
 *  2. When more than half of the nodes are suspects, the slowness is
 *     everywhere (a switch, the fabric, or a threshold too tight): nothing
 *     is named ("widespread").
 *  3. When the suspects' pairs are the bulk (more than half) of the slow
 *     pairs, every suspect is named: "node x: its port or cable". Two bad
 *     nodes among 8 are both named (13 slow pairs, all touching them).
 *  4. Every slow pair that touches no named node is a link, "A-B": neither
 *     end is slow with its other peers, so the cable (or one of the two
 *     ports, which one the matrix cannot tell). With two nodes the only pair
 *     is such a link: two nodes cannot tell a cable from either end. When
 *     these links are more than max(1, n/2), they are widespread instead.
 */
int anvil_pairwise_culprits(int n, const struct anvil_pair *pairs, int np, struct anvil_culprit *out, int max,
			    int *widespread)
{
	int *m, *s, total = node_counts(n, pairs, np, &m, &s), nsuspects = 0, touched = 0, count = 0, links = 0;
	char *suspect = calloc((size_t)n + 1, 1);
	if (!suspect)
		anvil_out_of_memory();
	*widespread = 0;
	for (int i = 0; i < n; i++)
		if (s[i] >= 2 && s[i] >= m[i] - 1)
			suspect[i] = 1, nsuspects++;
	for (int i = 0; i < np; i++)
		touched += pairs[i].slow && (suspect[pairs[i].a] || suspect[pairs[i].b]);
	if (2 * nsuspects > n) {
		*widespread = total > 0;
		goto out;
	}
	if (2 * touched <= total)
		memset(suspect, 0, (size_t)n);
	for (int i = 0; i < n; i++)
		if (suspect[i] && count < max)
			out[count++] = (struct anvil_culprit){ ANVIL_CULPRIT_NODE, i, -1, s[i], m[i] };
	for (int i = 0; i < np; i++)
		links += pairs[i].slow && !suspect[pairs[i].a] && !suspect[pairs[i].b];
	if (links > (n / 2 > 1 ? n / 2 : 1)) {
		*widespread = 1;
		goto out;
	}
	for (int i = 0; i < np; i++)
		if (pairs[i].slow && !suspect[pairs[i].a] && !suspect[pairs[i].b] && count < max)
			out[count++] = (struct anvil_culprit){ ANVIL_CULPRIT_LINK, pairs[i].a, pairs[i].b, 1, 1 };
out:
	free(m);
	free(suspect);
	return count;
}

/* ---- the report tree -------------------------------------------------- */

static void add_num(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static const char *peer_of(const cJSON *o)
{
	return anvil_jstr(anvil_jget(o, "labels"), "peer");
}

/* A host and another host as its peer. */
static int hosts_pair(const char *h, const char *peer)
{
	return h && peer && strcmp(h, peer);
}

/* A metric (or check) of a node pair. */
static int is_pair(const cJSON *o)
{
	return hosts_pair(anvil_jstr(o, "host"), peer_of(o));
}

/* The pair metrics of one test: hosts in natural order (node2 before node10). */
/* A pair metric once looked up: its nodes, its name's index and value (the
 * matrices are made once per name, from these, not from the tree each time). */
struct pair_fig {
	int a, b, k;
	double v;
};

struct pairs {
	const char **hosts;  /* borrowed from the metrics */
	int n;
	struct pair_fig *figs;
	int nfigs;
	struct anvil_keymap index;  /* host -> its index + 1 (a thousand nodes: no linear search) */
	const char *names[MAX_NAMES];
	const char *units[MAX_NAMES];
	int higher[MAX_NAMES];
	int nnames;
	struct anvil_pair *cells;   /* one metric's pairs at a time (cells_of) */
	int cells_cap;
};

static int host_index(const struct pairs *p, const char *h)
{
	uintptr_t at = h ? (uintptr_t)anvil_keymap_get(&p->index, h, strlen(h)) : 0;
	return at ? (int)at - 1 : -1;
}

static void index_hosts(struct pairs *p)
{
	anvil_keymap_release(&p->index);
	for (int i = 0; i < p->n; i++)
		anvil_keymap_put(&p->index, p->hosts[i], strlen(p->hosts[i]), (void *)(uintptr_t)(i + 1));
}

struct host_at {
	const char *h;
	int at;   /* its index before the sort */
};

static int cmp_host(const void *a, const void *b)
{
	return strverscmp(((const struct host_at *)a)->h, ((const struct host_at *)b)->h);
}

static int name_index(const struct pairs *p, const char *name)
{
	for (int k = 0; k < p->nnames; k++)
		if (p->names[k] == name || !strcmp(p->names[k], name))  /* (names are mostly kept once: reports/jtree.c) */
			return k;
	return -1;
}

/* A host's index, a new one when it is not there yet. */
static int host_add(struct pairs *p, const char *h, int *hcap)
{
	int at = host_index(p, h);
	if (at >= 0)
		return at;
	if (p->n == *hcap) {
		*hcap *= 2;
		if (!(p->hosts = realloc(p->hosts, (size_t)*hcap * sizeof(char *))))
			anvil_out_of_memory();
	}
	p->hosts[p->n] = h;
	anvil_keymap_put(&p->index, h, strlen(h), (void *)(uintptr_t)(p->n + 1));
	return p->n++;
}

/* The pair metrics' hosts, names and figures, each metric's members read
 * in one walk (half a million metrics at a thousand nodes); the hosts
 * then in natural order and the figures' nodes renumbered to match. */
static void collect(struct pairs *p, const cJSON *metrics)
{
	static const char *const members[] = { "host", "labels", "name", "value", "unit", "better" };
	int hcap = 64;
	const cJSON *m, *v[6];
	p->hosts = calloc((size_t)hcap, sizeof(char *));
	p->figs = malloc(sizeof(*p->figs) * (size_t)(cJSON_GetArraySize(metrics) + 1));
	if (!p->hosts || !p->figs)
		anvil_out_of_memory();
	cJSON_ArrayForEach(m, metrics) {
		anvil_jget_many(m, members, 6, v);
		const char *h = cJSON_IsString(v[0]) ? v[0]->valuestring : NULL, *peer = anvil_jstr(v[1], "peer");
		const char *name = cJSON_IsString(v[2]) ? v[2]->valuestring : NULL;
		if (!hosts_pair(h, peer) || !name)
			continue;
		int a = host_add(p, h, &hcap), b = host_add(p, peer, &hcap), k = name_index(p, name);
		if (k < 0 && p->nnames < MAX_NAMES) {
			const char *better = cJSON_IsString(v[5]) ? v[5]->valuestring : NULL;
			p->units[p->nnames] = cJSON_IsString(v[4]) ? v[4]->valuestring : "";
			p->higher[p->nnames] = !better || strcmp(better, "lower");
			p->names[k = p->nnames++] = name;
		}
		if (k >= 0 && cJSON_IsNumber(v[3]) && isfinite(v[3]->valuedouble))
			p->figs[p->nfigs++] = (struct pair_fig){ a, b, k, v[3]->valuedouble };
	}
	struct host_at *order = malloc(sizeof(*order) * (size_t)(p->n + 1));
	int *now = malloc(sizeof(int) * (size_t)(p->n + 1));
	if (!order || !now)
		anvil_out_of_memory();
	for (int i = 0; i < p->n; i++)
		order[i] = (struct host_at){ p->hosts[i], i };
	anvil_sort(order, (size_t)p->n, sizeof(*order), cmp_host);
	for (int i = 0; i < p->n; i++) {
		p->hosts[i] = order[i].h;
		now[order[i].at] = i;
	}
	for (int i = 0; i < p->nfigs; i++) {
		p->figs[i].a = now[p->figs[i].a];
		p->figs[i].b = now[p->figs[i].b];
	}
	free(order);
	free(now);
	index_hosts(p);
}

/* ---- judging pairs against the median of all pairs ---------------------- */

/* build.c's peers checks of pair metrics: a pair compared with the pairs of
 * other hosts that share its peer label, which means nothing. */
static void drop_host_peers_checks(cJSON *checks)
{
	cJSON *c = checks ? checks->child : NULL;
	while (c) {
		cJSON *next = c->next;
		if (anvil_jstr(c, "rule") && !strcmp(anvil_jstr(c, "rule"), "peers") && is_pair(c))
			cJSON_Delete(cJSON_DetachItemViaPointer(checks, c));
		c = next;
	}
}

static enum anvil_verdict judge_fraction(double frac, const cJSON *rule, int higher, double *limit)
{
	double mn = anvil_jnum(rule, "min"), mx = anvil_jnum(rule, "max"), wn = anvil_jnum(rule, "warn");
	double bound = higher ? mn : mx;
	*limit = bound;
	if (isfinite(bound) && (higher ? frac < bound : frac > bound))
		return ANVIL_V_FAIL;
	if (isfinite(wn) && (higher ? frac < wn : frac > wn))
		return ANVIL_V_WARN;
	return ANVIL_V_PASS;
}

/* One "peers" rule over every pair of its metric. */
static void judge_peers_rule(cJSON *t, const struct pairs *p, const cJSON *rule)
{
	const cJSON *metrics = anvil_jget(t, "metrics"), *m;
	cJSON *checks = anvil_jget(t, "checks");
	const char *name = anvil_jstr(rule, "metric"), *test = anvil_jstr(t, "id");
	int k = name ? name_index(p, name) : -1;
	if (k < 0)
		return;  /* no pair metric of that name: build.c already said so */
	int cap = cJSON_GetArraySize(metrics), n = 0;
	double *vals = malloc(sizeof(double) * (size_t)(cap + 1));
	cJSON_ArrayForEach(m, metrics)
		if (is_pair(m) && !strcmp(anvil_jstr(m, "name") ? anvil_jstr(m, "name") : "", name) &&
		    anvil_labels_match(anvil_jget(rule, "labels"), anvil_jget(m, "labels")) &&
		    isfinite(anvil_jnum(m, "value")))
			vals[n++] = anvil_jnum(m, "value");
	double med = anvil_pairwise_median(vals, n, p->higher[k]);
	free(vals);
	const char *unit = p->units[k];
	cJSON_ArrayForEach(m, metrics) {
		if (!is_pair(m) || strcmp(anvil_jstr(m, "name") ? anvil_jstr(m, "name") : "", name) ||
		    !anvil_labels_match(anvil_jget(rule, "labels"), anvil_jget(m, "labels")))
			continue;
		double value = anvil_jnum(m, "value"), limit = NAN, frac = value / med;
		char why[600];
		enum anvil_verdict v;
		if (!isfinite(value)) {
			v = ANVIL_V_ERROR;
			anvil_fmt(why, sizeof(why), "%s was not measured (no value)", name);
		} else if (n < 2) {
			v = ANVIL_V_SKIP;
			anvil_fmt(why, sizeof(why), "only one pair measured %s: no other pair to compare it with", name);
		} else {
			v = judge_fraction(frac, rule, p->higher[k], &limit);
			anvil_fmt(why, sizeof(why), "%.4g %s is %.1f%% of the median of all %d pairs (%.4g %s); %s %.0f%%",
				 value, unit, 100 * frac, n, med, unit, p->higher[k] ? "floor" : "ceiling", 100 * limit);
		}
		const char *rwhy = anvil_jstr(rule, "why");
		cJSON *c = anvil_check_new(checks, test, name, "peers", m, v, rwhy && v == ANVIL_V_FAIL ? rwhy : why);
		if (rwhy && v == ANVIL_V_FAIL)
			cJSON_AddStringToObject(c, "detail", why);
		add_num(c, "value", value);
		cJSON_AddStringToObject(c, "unit", unit);
		add_num(c, "limit", limit * med);
		if (v == ANVIL_V_PASS || v == ANVIL_V_WARN || v == ANVIL_V_FAIL) {
			cJSON *extra = cJSON_AddObjectToObject(c, "peers");
			add_num(extra, "median", med);
			cJSON_AddNumberToObject(extra, "pairs", n);
			add_num(extra, "fraction", frac);
		}
	}
}

/* ---- slow pairs and culprits -------------------------------------------- */

/* Slow = some rule FAILed the pair on metric k; why[] gets the first such check's text. */
/* A FAIL check of a pair, once looked up. */
struct pair_fail {
	int a, b, k;
	const char *why;
};

/* The FAIL checks of pair metrics, in the order of the checks. */
static struct pair_fail *fails_of(const struct pairs *p, const cJSON *checks, int *nf)
{
	struct pair_fail *f = malloc(sizeof(*f) * (size_t)(cJSON_GetArraySize(checks) + 1));
	const cJSON *c;
	*nf = 0;
	cJSON_ArrayForEach(c, checks) {
		if (strcmp(anvil_jstr(c, "verdict") ? anvil_jstr(c, "verdict") : "", "FAIL") || !anvil_jstr(c, "name"))
			continue;
		int a = host_index(p, anvil_jstr(c, "host")), b = host_index(p, peer_of(c)), k = name_index(p, anvil_jstr(c, "name"));
		if (a < 0 || b < 0 || a == b || k < 0)
			continue;
		f[(*nf)++] = (struct pair_fail){ a, b, k, anvil_jstr(c, "detail") ? anvil_jstr(c, "detail") : anvil_jstr(c, "why") };
	}
	return f;
}

/* A pair's figures and FAIL checks on one metric, nodes a < b: figures
 * first, then the checks (v NAN), as cells_of sorts them. */
static int cmp_cell(const void *x, const void *y)
{
	const struct anvil_pair *c = x, *d = y;
	if (c->a != d->a)
		return c->a < d->a ? -1 : 1;
	if (c->b != d->b)
		return c->b < d->b ? -1 : 1;
	return c->slow - d->slow;
}

/* Metric k's measured pairs, in order of a and then b (as
 * anvil_pairwise_culprits wants them), in the pairs' one buffer: a pair
 * measured twice keeps its worse figure; it is slow when some rule FAILed
 * it on metric k (fails[0..nfails)), and a pair so FAILed with no figure
 * is there too, with NAN. Their number, valid until the next call; -1
 * when out of memory. At a thousand nodes the figures are a few thousand
 * pairs: an n x n matrix was a million cells, walked half a dozen times a
 * metric. */
static int cells_of(struct pairs *p, int k, const struct pair_fail *fails, int nfails)
{
	int nc = 0;
	if (p->nfigs + nfails + 1 > p->cells_cap) {
		struct anvil_pair *more = realloc(p->cells, sizeof(*p->cells) * (size_t)(p->nfigs + nfails + 1));
		if (!more)
			return -1;
		p->cells = more;
		p->cells_cap = p->nfigs + nfails + 1;
	}
	struct anvil_pair *c = p->cells;
	for (int i = 0; i < p->nfigs; i++) {
		const struct pair_fig *f = &p->figs[i];
		if (f->k == k)
			c[nc++] = (struct anvil_pair){ f->a < f->b ? f->a : f->b, f->a < f->b ? f->b : f->a, f->v, 0 };
	}
	for (int i = 0; i < nfails; i++) {
		const struct pair_fail *f = &fails[i];
		if (f->k == k)
			c[nc++] = (struct anvil_pair){ f->a < f->b ? f->a : f->b, f->a < f->b ? f->b : f->a, NAN, 1 };
	}
	anvil_sort(c, (size_t)nc, sizeof(*c), cmp_cell);
	int out = 0;
	for (int i = 0; i < nc;) {  /* a pair's run: its figures, then its fails */
		struct anvil_pair q = c[i];
		for (i++; i < nc && c[i].a == q.a && c[i].b == q.b; i++) {
			double x = c[i].v;
			if (c[i].slow)
				q.slow = 1;
			else if (p->higher[k] ? x < q.v : x > q.v)
				q.v = x;
		}
		c[out++] = q;
	}
	return out;
}

/* A link's two nodes as one number, either way round. */
static long link_key(int a, int b, int n)
{
	return a < b ? (long)a * n + b : (long)b * n + a;
}

struct link_at {
	long key;
	int f;   /* its place among the culprits found */
};

static int cmp_link(const void *x, const void *y)
{
	long a = ((const struct link_at *)x)->key, b = ((const struct link_at *)y)->key;
	return a < b ? -1 : a > b;
}

/* why[f]: for each link among the nf culprits found on metric k, the text
 * of the first FAIL check of its pair (NULL for a node, or none): one pass
 * over the fails, not an n*n table (8 MB at a thousand nodes, written for
 * a handful of links). */
static void links_why(const struct pair_fail *fails, int nfails, int k, int n, const struct anvil_culprit *found,
		      int nf, const char **why)
{
	struct link_at *links = malloc(sizeof(*links) * (size_t)(nf + 1));
	int nl = 0;
	for (int f = 0; f < nf; f++) {
		why[f] = NULL;
		if (links && found[f].kind != ANVIL_CULPRIT_NODE)
			links[nl++] = (struct link_at){ link_key(found[f].a, found[f].b, n), f };
	}
	if (!nl) {
		free(links);
		return;
	}
	qsort(links, (size_t)nl, sizeof(*links), cmp_link);
	for (int i = 0; i < nfails; i++) {
		if (fails[i].k != k)
			continue;
		struct link_at want = { link_key(fails[i].a, fails[i].b, n), 0 };
		const struct link_at *l = bsearch(&want, links, (size_t)nl, sizeof(*links), cmp_link);
		if (l && !why[l->f])
			why[l->f] = fails[i].why;
	}
	free(links);
}

/* A culprit as the tree and the checks show it, merged over metrics. */
struct verdict_line {
	struct anvil_culprit c;
	struct strbuf why;
	cJSON *metrics;  /* names; owned until put in the tree */
};

static void describe_node(struct strbuf *sb, const struct pairs *p, int k, const struct anvil_pair *cells, int nc,
			  const struct anvil_culprit *c, int total, const struct pair_median *m)
{
	int all = m->all;
	double lo = INFINITY, hi = -INFINITY, med = m->med;
	for (int i = 0; i < nc; i++)
		if (cells[i].slow && (cells[i].a == c->a || cells[i].b == c->a)) {
			lo = fmin(lo, cells[i].v);
			hi = fmax(hi, cells[i].v);
		}
	strbuf_addf(sb, "%s%d of its %d pairs are slow on %s (%.4g to %.4g %s, against a median of "
		    "%.4g %s over all %d pairs); they are %d of the %d slow pair(s)",
		    sb->len ? "; " : "", c->slow, c->pairs, p->names[k], lo, hi, p->units[k], med,
		    p->units[k], all, c->slow, total);
}

static void describe_link(struct strbuf *sb, const struct pairs *p, int k, const char *check_why)
{
	if (p->n == 2)
		strbuf_addf(sb, "%sthe only pair is slow on %s (%s); with two nodes a bad cable cannot be "
			    "told from a bad port at either end", sb->len ? "; " : "", p->names[k],
			    check_why ? check_why : "FAIL");
	else
		strbuf_addf(sb, "%sthis pair is slow on %s (%s) while neither end is slow with its other "
			    "peers: the cable, or the port at one end", sb->len ? "; " : "", p->names[k],
			    check_why ? check_why : "FAIL");
}

/* Too many slow pairs to name a node or a link: say so, with the nodes
 * that have the most slow pairs as the place to start looking. */
static cJSON *widespread_note(const struct pairs *p, int k, const struct anvil_pair *cells, int nc, int total)
{
	int n = p->n, shown = 0, *m, *s;
	struct strbuf sb = STRBUF_INIT;
	node_counts(n, cells, nc, &m, &s);
	strbuf_addf(&sb, "%d pairs are slow on %s, too many and too spread out to blame one node "
		    "or link (a switch, the fabric, or the threshold?); slow pairs per node:", total, p->names[k]);
	for (int want = n; want > 0 && shown < 6; want--)
		for (int i = 0; i < n && shown < 6; i++)
			if (s[i] == want) {
				strbuf_addf(&sb, "%s %s %d/%d", shown ? "," : "", p->hosts[i], s[i], m[i]);
				shown++;
			}
	cJSON *note = cJSON_CreateString(strbuf_str(&sb));
	strbuf_release(&sb);
	free(m);
	return note;
}

static struct verdict_line *find_line(struct verdict_line *lines, int nlines, const struct anvil_culprit *c)
{
	for (int i = 0; i < nlines; i++)
		if (lines[i].c.kind == c->kind && lines[i].c.a == c->a && lines[i].c.b == c->b)
			return &lines[i];
	return NULL;
}

/* A metric's rows as JSON text (a raw item: a million cells as tree nodes
 * would take most of a gigabyte), in blocks above MAX_MATRIX nodes: each
 * cell the worst figure of its block (null when none was measured; kind
 * 1: higher is better, -1: lower is better) or, for the slow flags (kind
 * 0), true when any pair of it is slow, false when none is, null when none
 * was measured. The matrix is symmetric: a pair is in two cells. */
static void add_rows(cJSON *obj, const char *name, int n, const struct anvil_pair *cells, int nc, int kind)
{
	int b = n > MAX_MATRIX ? (n + MAX_MATRIX - 1) / MAX_MATRIX : 1, nb = (n + b - 1) / b;
	double *worst = malloc(sizeof(double) * (size_t)(nb * nb));
	signed char *slow = malloc((size_t)(nb * nb));
	if (!worst || !slow)
		anvil_out_of_memory();
	for (int i = 0; i < nb * nb; i++) {
		worst[i] = NAN;
		slow[i] = -1;
	}
	for (int i = 0; i < nc; i++) {
		int at[2] = { cells[i].a / b * nb + cells[i].b / b, cells[i].b / b * nb + cells[i].a / b };
		double x = cells[i].v;
		for (int e = 0; e < 2; e++) {
			if (slow[at[e]] < cells[i].slow)
				slow[at[e]] = (signed char)cells[i].slow;
			if (!isnan(x) && (isnan(worst[at[e]]) || (kind > 0 ? x < worst[at[e]] : x > worst[at[e]])))
				worst[at[e]] = x;
		}
	}
	struct strbuf text = STRBUF_INIT;
	strbuf_addch(&text, '[');
	for (int i = 0; i < nb; i++) {
		strbuf_adds(&text, i ? ", [" : "[");
		for (int j = 0; j < nb; j++) {
			if (j)
				strbuf_add(&text, ", ", 2);
			if (kind)
				anvil_jw_number(&text, worst[i * nb + j]);
			else
				strbuf_adds(&text, slow[i * nb + j] < 0 ? "null" : slow[i * nb + j] ? "true" : "false");
		}
		strbuf_addch(&text, ']');
	}
	strbuf_addch(&text, ']');
	cJSON_AddRawToObject(obj, name, strbuf_str(&text));
	strbuf_release(&text);
	free(worst);
	free(slow);
}

/* The slow matrix of metric k as true/false/null rows; returns the slow pairs. */
static int slow_rows(cJSON *slow_tree, const struct pairs *p, int k, const struct anvil_pair *cells, int nc)
{
	int total = 0;
	for (int i = 0; i < nc; i++)
		total += cells[i].slow;
	add_rows(slow_tree, p->names[k], p->n, cells, nc, 0);
	return total;
}

/* One culprit into "culprits", and as a FAIL check into first (which
 * add_culprits puts before the test's other checks, so that the verdict
 * table shows the diagnosis); frees l's text. */
static void put_culprit(cJSON *t, cJSON *culprits, cJSON *first, const struct pairs *p, struct verdict_line *l)
{
	int node = l->c.kind == ANVIL_CULPRIT_NODE;
	const char *a = p->hosts[l->c.a], *b = node ? NULL : p->hosts[l->c.b];
	struct strbuf text = STRBUF_INIT;
	if (node)
		strbuf_addf(&text, "%s: its port or cable: %s", a, strbuf_str(&l->why));
	else
		strbuf_addf(&text, "link %s\u2013%s: %s", a, b, strbuf_str(&l->why));
	cJSON *cu = cJSON_CreateObject();
	cJSON_AddStringToObject(cu, "kind", node ? "node" : "link");
	cJSON *hosts = cJSON_AddArrayToObject(cu, "hosts");
	cJSON_AddItemToArray(hosts, cJSON_CreateString(a));
	if (b)
		cJSON_AddItemToArray(hosts, cJSON_CreateString(b));
	cJSON_AddStringToObject(cu, "why", strbuf_str(&text));
	cJSON_AddItemToObject(cu, "metrics", l->metrics);
	cJSON_AddItemToArray(culprits, cu);
	cJSON *checks = anvil_jget(t, "checks");
	cJSON *labels = b ? cJSON_CreateObject() : NULL;
	if (labels)
		cJSON_AddStringToObject(labels, "peer", b);
	/* the table prints "host: why", so a node's check leaves its name out */
	cJSON *c = anvil_check_new_at(checks, anvil_jstr(t, "id"), "culprit", "pairs", a, labels, ANVIL_V_FAIL,
			     node ? strbuf_str(&text) + strlen(a) + 2 : strbuf_str(&text));
	cJSON_Delete(labels);
	cJSON_AddNumberToObject(c, "value", l->c.slow);
	cJSON_AddStringToObject(c, "unit", "slow pairs");
	cJSON_AddItemToArray(first, cJSON_DetachItemViaPointer(checks, c));
	strbuf_release(&text);
	strbuf_release(&l->why);
}

/* The matrix's tree: its hosts (or blocks of them), units and which way is
 * better; each metric's rows are added as its matrix is made (matrix_rows). */
static cJSON *matrix_tree(struct pairs *p)
{
	int n = p->n, b = n > MAX_MATRIX ? (n + MAX_MATRIX - 1) / MAX_MATRIX : 1;
	cJSON *mx = cJSON_CreateObject(), *hosts = cJSON_AddArrayToObject(mx, "hosts");
	for (int i = 0; i < n; i += b) {
		char range[600];
		int last = i + b - 1 < n - 1 ? i + b - 1 : n - 1;
		if (b > 1)
			anvil_fmt(range, sizeof(range), "%s\u2013%s", p->hosts[i], p->hosts[last]);
		cJSON_AddItemToArray(hosts, cJSON_CreateString(b > 1 ? range : p->hosts[i]));
	}
	if (b > 1) {
		cJSON *bl = cJSON_AddObjectToObject(mx, "blocks");
		cJSON_AddNumberToObject(bl, "size", b);
		cJSON_AddNumberToObject(bl, "nodes", n);
		cJSON_AddStringToObject(bl, "cell", "the worst pair of a block of nodes (slow when any pair is)");
	}
	cJSON_AddObjectToObject(mx, "metrics");
	cJSON *units = cJSON_AddObjectToObject(mx, "units"), *better = cJSON_AddObjectToObject(mx, "better");
	for (int k = 0; k < p->nnames; k++) {
		cJSON_AddStringToObject(units, p->names[k], p->units[k]);
		cJSON_AddStringToObject(better, p->names[k], p->higher[k] ? "higher" : "lower");
	}
	return mx;
}

/* Metric k's rows in the matrix tree, from its pairs. */
static void matrix_rows(const struct pairs *p, cJSON *matrix, int k, const struct anvil_pair *cells, int nc)
{
	add_rows(anvil_jget(matrix, "metrics"), p->names[k], p->n, cells, nc, p->higher[k] ? 1 : -1);
}

/* Every metric's rows, when there are no culprits to find. */
static void rows_only(struct pairs *p, cJSON *matrix)
{
	for (int k = 0; k < p->nnames; k++) {
		int nc = cells_of(p, k, NULL, 0);
		if (nc >= 0)
			matrix_rows(p, matrix, k, p->cells, nc);
	}
}

/* Culprits of every pair metric, merged: a node slow on bandwidth and on
 * latency is one culprit with two reasons. */
static void add_culprits(cJSON *t, struct pairs *p, cJSON *matrix)
{
	const cJSON *checks = anvil_jget(t, "checks");
	int n = p->n, nlines = 0;
	/* a metric's culprits: at most n/2 nodes (more are widespread) and
	 * max(1, n/2) links (the same); a line is a distinct culprit over all
	 * metrics. Sized by that, not by the n*n cells: at a thousand nodes
	 * those were 80 MB, zeroed, for a handful of culprits. */
	int per_metric = n + 2, nmax = per_metric * (p->nnames > 0 ? p->nnames : 1);
	struct verdict_line *lines = calloc((size_t)nmax, sizeof(*lines));
	struct anvil_culprit *found = calloc((size_t)per_metric, sizeof(*found));
	const char **why = malloc(sizeof(char *) * (size_t)per_metric);
	if (!lines || !found || !why) {
		anvil_check_new_at(anvil_jget(t, "checks"), anvil_jstr(t, "id"), "culprit",
				   "pairs", NULL, NULL, ANVIL_V_ERROR, "out of memory for the culprits of the pair matrix");
		free(lines);
		free(found);
		free(why);
		rows_only(p, matrix);
		return;
	}
	cJSON *slow_tree = cJSON_AddObjectToObject(matrix, "slow"), *notes = cJSON_AddArrayToObject(matrix, "notes");
	int nfails;
	struct pair_fail *fails = fails_of(p, checks, &nfails);
	for (int k = 0; k < p->nnames; k++) {
		int nc = cells_of(p, k, fails, nfails), wide;
		const struct anvil_pair *cells = p->cells;
		if (nc < 0) {
			anvil_check_new_at(anvil_jget(t, "checks"), anvil_jstr(t, "id"), "culprit",
					   "pairs", NULL, NULL, ANVIL_V_ERROR, "out of memory for the pair matrix");
			continue;
		}
		matrix_rows(p, matrix, k, cells, nc);  /* the rows from the same pairs: made once a metric */
		int total = slow_rows(slow_tree, p, k, cells, nc);
		int nf = anvil_pairwise_culprits(n, cells, nc, found, per_metric, &wide), have_med = 0;
		links_why(fails, nfails, k, n, found, nf, why);
		struct pair_median med = { NAN, 0 };
		if (wide)
			cJSON_AddItemToArray(notes, widespread_note(p, k, cells, nc, total));
		for (int f = 0; f < nf; f++) {
			struct verdict_line *l = find_line(lines, nlines, &found[f]);
			if (!l) {
				l = &lines[nlines++];
				l->c = found[f];
				strbuf_init(&l->why);
				l->metrics = cJSON_CreateArray();
			}
			cJSON_AddItemToArray(l->metrics, cJSON_CreateString(p->names[k]));
			if (found[f].kind == ANVIL_CULPRIT_NODE) {
				if (!have_med) {  /* one sort of every pair's figure, for however many nodes */
					med = pairs_median(cells, nc, p->higher[k]);
					have_med = 1;
				}
				describe_node(&l->why, p, k, cells, nc, &found[f], total, &med);
			} else {
				describe_link(&l->why, p, k, why[f]);
			}
		}
	}
	cJSON *culprits = cJSON_AddArrayToObject(t, "culprits"), *first = cJSON_CreateArray();
	for (int i = 0; i < nlines; i++)
		put_culprit(t, culprits, first, p, &lines[i]);
	/* the culprits' checks first, in their order, then the rest: cJSON 1.7.15's
	 * cJSON_InsertItemInArray refused every place but the first after an item
	 * was detached, and the checks of a second culprit and on were lost */
	anvil_jtree_append_all(first, anvil_jget(t, "checks"));
	anvil_jtree_append_all(anvil_jget(t, "checks"), first);
	cJSON_Delete(first);
	free(lines);
	free(found);
	free(why);
	free(fails);
}

static void pairs_release(struct pairs *p)
{
	free(p->hosts);
	free(p->figs);
	free(p->cells);
	anvil_keymap_release(&p->index);
}

int anvil_pairwise_metric(const cJSON *m)
{
	return is_pair(m) && anvil_jstr(m, "name");
}

int anvil_pairwise_runner(const cJSON *t)
{
	const char *runner = anvil_jstr(t, "runner");
	return runner && !strcmp(runner, "mpi-pairwise");
}

int anvil_pairwise_judge(cJSON *t, const cJSON *profile)
{
	const cJSON *metrics = anvil_jget(t, "metrics");
	struct pairs p = { 0 };
	collect(&p, metrics);
	const char *runner = anvil_jstr(t, "runner");
	int mine = p.nnames > 0 || (runner && !strcmp(runner, "mpi-pairwise"));
	if (mine && p.n > MAX_PAIR_NODES) {
		char why[160];
		anvil_fmt(why, sizeof(why), "%d nodes in node pairs, more than the %d the pair matrix and its culprits "
			 "are built for: pairs are judged one by one only", p.n, MAX_PAIR_NODES);
		anvil_check_new_at(anvil_jget(t, "checks"), anvil_jstr(t, "id"), "matrix", "pairs",
				   NULL, NULL, ANVIL_V_SKIP, why);
	}
	if (!mine || !p.nnames || p.n > MAX_PAIR_NODES) {
		pairs_release(&p);
		return mine;
	}
	cJSON *matrix = matrix_tree(&p);
	cJSON_AddItemToObject(t, "matrix", matrix);
	/* as build.c: rules judge a test that ran; a skipped or failed one says why itself */
	if (anvil_jstr(t, "status") && !strcmp(anvil_jstr(t, "status"), "ok")) {
		drop_host_peers_checks(anvil_jget(t, "checks"));
		const cJSON *rule;
		cJSON_ArrayForEach(rule, anvil_jget(profile, "checks"))
			if (anvil_rule_applies(rule, t) && anvil_jstr(rule, "rule") && !strcmp(anvil_jstr(rule, "rule"), "peers"))
				judge_peers_rule(t, &p, rule);
		add_culprits(t, &p, matrix);
	} else {
		rows_only(&p, matrix);
	}
	pairs_release(&p);
	return 1;
}
