/* Peer groups of a test's figures; see peers.h. */
#include "reports/peers.h"
#include "reports/keymap.h"
#include "common/strbuf.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "reports/jget.h"
#include "common/sort.h"

struct group {
	double *v;
	size_t n, cap;
	int have_mad;
	struct anvil_mad mad;
};

struct anvil_peers {
	struct anvil_keymap groups;   /* key -> struct group */
	struct strbuf key;            /* scratch */
};

/* name, then the labels but "gpu" sorted by key, each part with its length:
 * two figures are peers exactly when their keys are equal. */
static int group_key(const cJSON *m, struct strbuf *key)
{
	const char *name = cJSON_GetStringValue(anvil_jget(m, "name"));
	static const char *const not_gpu[] = { "gpu", NULL };
	if (!name)
		return -1;
	key->len = 0;
	anvil_key_add(key, name);
	/* a label that is not a string, or too many: no peers rather than a guess */
	return anvil_key_add_labels(key, anvil_jget(m, "labels"), not_gpu) ? -1 : 0;
}

static void sort_group(void *value, void *arg)
{
	struct group *g = value;
	(void)arg;
	if (g->n > 1)
		anvil_sort_doubles(g->v, g->n);
}

struct anvil_peers *anvil_peers_new(const cJSON *const *ms, size_t n)
{
	struct anvil_peers *p = calloc(1, sizeof(*p));
	strbuf_init(&p->key);
	for (size_t i = 0; i < n; i++) {
		const cJSON *m = ms[i], *v = anvil_jget(m, "value");
		if (group_key(m, &p->key))
			continue;
		struct group *g = anvil_keymap_get(&p->groups, p->key.buf, p->key.len);
		if (!g) {
			g = calloc(1, sizeof(*g));
			anvil_keymap_put(&p->groups, p->key.buf, p->key.len, g);
		}
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
			continue;
		if (g->n == g->cap) {
			g->cap = g->cap ? 2 * g->cap : 8;
			g->v = realloc(g->v, g->cap * sizeof(double));
		}
		g->v[g->n++] = v->valuedouble;
	}
	anvil_keymap_each(&p->groups, sort_group, NULL);
	return p;
}

static void free_group(void *value, void *arg)
{
	struct group *g = value;
	(void)arg;
	free(g->v);
	free(g);
}

void anvil_peers_free(struct anvil_peers *p)
{
	if (!p)
		return;
	anvil_keymap_each(&p->groups, free_group, NULL);
	anvil_keymap_release(&p->groups);
	strbuf_release(&p->key);
	free(p);
}

static struct group *group_of(const struct anvil_peers *p, const cJSON *m)
{
	struct strbuf *key = (struct strbuf *)&p->key;  /* scratch only */
	if (group_key(m, key))
		return NULL;
	return anvil_keymap_get(&p->groups, key->buf, key->len);
}

const double *anvil_peers_group(const struct anvil_peers *p, const cJSON *m, size_t *n)
{
	struct group *g = group_of(p, m);
	*n = g ? g->n : 0;
	return g && g->n ? g->v : NULL;
}

double anvil_median_sorted(const double *v, size_t n)
{
	if (!n)
		return NAN;
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double anvil_median_without(const double *v, size_t n, double x)
{
	if (n < 2)
		return NAN;
	size_t lo = 0, hi = n;  /* the first index with v[i] >= x */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t m = n - 1;
#define AT(j) ((j) < lo ? v[(j)] : v[(j) + 1])
	return m % 2 ? AT(m / 2) : (AT(m / 2 - 1) + AT(m / 2)) / 2;
#undef AT
}

void anvil_mad_of(const double *sorted, size_t n, struct anvil_mad *out)
{
	out->n = n;
	out->median = anvil_median_sorted(sorted, n);
	out->mad = out->meanad = NAN;
	if (!n)
		return;
	double *dev = malloc(n * sizeof(double)), sum = 0;
	for (size_t i = 0; i < n; i++) {
		dev[i] = fabs(sorted[i] - out->median);
		sum += dev[i];
	}
	anvil_sort_doubles(dev, n);
	out->mad = anvil_median_sorted(dev, n);
	out->meanad = sum / (double)n;
	free(dev);
}

int anvil_peers_mad(const struct anvil_peers *p, const cJSON *m, struct anvil_mad *out)
{
	struct group *g = group_of(p, m);
	if (!g)
		return -1;
	if (!g->have_mad) {
		anvil_mad_of(g->v, g->n, &g->mad);
		g->have_mad = 1;
	}
	*out = g->mad;
	return 0;
}
