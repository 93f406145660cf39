/* The profile's rules on a test's figures: peak (fraction of the datasheet),
 * absolute (bounds), peers (fraction of the median of the others) and mad
 * (robust outliers by the modified z-score of Iglewicz and Hoaglin). */
#include "reports/rules.h"
#include "common/fmt.h"
#include "reports/peaks.h"
#include "reports/peers.h"
#include "reports/keymap.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "reports/jget.h"

/* Members with constant names (string literals): no copy of the name per
 * member, which is a million allocations fewer at a thousand nodes. */
static void add_num(cJSON *o, const char *k, double v)
{
	cJSON_AddItemToObjectCS(o, k, isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	cJSON_AddItemToObjectCS(o, k, cJSON_CreateString(v));
}

int anvil_labels_match(const cJSON *want, const cJSON *have)
{
	const cJSON *w;
	cJSON_ArrayForEach(w, want) {
		const char *h = anvil_jstr(have, w->string);
		if (!cJSON_IsString(w) || !h || strcmp(h, w->valuestring))
			return 0;
	}
	return 1;
}

/* Appends s to buf[*n..len), cut at the end of buf as snprintf cuts. */
static void cat(char *buf, size_t len, size_t *n, const char *s)
{
	size_t k = strlen(s);
	if (*n + 1 >= len) {
		*n += k;  /* counted as snprintf would, nothing written */
		return;
	}
	size_t room = len - 1 - *n;
	memcpy(buf + *n, s, k < room ? k : room);
	buf[*n + (k < room ? k : room)] = '\0';
	*n += k;
}

/* "k=v,k=v": by hand (not snprintf, slow in this process: see reports/svg.c
 * svg_px), with snprintf's cut. */
static void label_text(const cJSON *labels, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	const cJSON *l;
	cJSON_ArrayForEach(l, labels)
		if (cJSON_IsString(l) && n < len) {
			cat(buf, len, &n, n ? "," : "");
			cat(buf, len, &n, l->string ? l->string : "(null)");
			cat(buf, len, &n, "=");
			cat(buf, len, &n, l->valuestring);
		}
}

cJSON *anvil_check_new(cJSON *checks, const char *test, const char *name, const char *rule,
		       const cJSON *m, enum anvil_verdict v, const char *why)
{
	return anvil_check_new_at(checks, test, name, rule, anvil_jstr(m, "host"),
				  anvil_jget(m, "labels"), v, why);
}

cJSON *anvil_check_new_at(cJSON *checks, const char *test, const char *name, const char *rule,
			  const char *host, const cJSON *labels, enum anvil_verdict v, const char *why)
{
	cJSON *c = cJSON_CreateObject();
	char lt[256], id[768];
	size_t n = 0;
	label_text(labels, lt, sizeof(lt));
	/* "test/name/rule@host[labels]" */
	id[0] = '\0';
	cat(id, sizeof(id), &n, test ? test : "(null)");
	cat(id, sizeof(id), &n, "/");
	cat(id, sizeof(id), &n, name ? name : "(null)");
	cat(id, sizeof(id), &n, "/");
	cat(id, sizeof(id), &n, rule ? rule : "(null)");
	if (host) {
		cat(id, sizeof(id), &n, "@");
		cat(id, sizeof(id), &n, host);
	}
	if (lt[0]) {
		cat(id, sizeof(id), &n, "[");
		cat(id, sizeof(id), &n, lt);
		cat(id, sizeof(id), &n, "]");
	}
	add_str(c, "id", id);
	add_str(c, "test", test);
	add_str(c, "name", name);
	add_str(c, "rule", rule);
	if (host)
		add_str(c, "host", host);
	if (labels)
		cJSON_AddItemToObjectCS(c, "labels", cJSON_Duplicate(labels, 1));
	add_str(c, "verdict", anvil_verdict_name(v));
	add_str(c, "why", why);
	cJSON_AddItemToArray(checks, c);
	return c;
}

/* Applies bounds on value; lower-is-better figures take max/warn as ceilings. */
static enum anvil_verdict bound(double value, double lo, double hi, double warn, int lower_better,
				double *limit)
{
	*limit = NAN;
	if (isfinite(lo)) {
		*limit = lo;
		if (value < lo)
			return ANVIL_V_FAIL;
	}
	if (isfinite(hi)) {
		if (!isfinite(*limit) || lower_better)
			*limit = hi;
		if (value > hi)
			return ANVIL_V_FAIL;
	}
	if (isfinite(warn) && (lower_better ? value > warn : value < warn))
		return ANVIL_V_WARN;
	return ANVIL_V_PASS;
}

/* A node's peak, or with "cluster." the sum over every node of the run (Rpeak). */
static int peak_for(const struct anvil_judge *j, const char *key, const cJSON *inv, const char *gpu,
		    double *value, char *src, size_t len)
{
	if (strncmp(key, "cluster.", 8))
		return anvil_peaks_get(j->peaks, key, inv, gpu, value, src, len);
	const cJSON *node;
	double sum = 0;
	int n = 0;
	cJSON_ArrayForEach(node, j->inventory) {
		double v;
		char why[400];
		if (anvil_peaks_get(j->peaks, key + 8, node, gpu, &v, why, sizeof(why))) {
			anvil_fmt(src, len, "node %s: %s", node->string, why);
			return -1;
		}
		sum += v;
		n++;
	}
	if (!n) {
		anvil_fmt(src, len, "no node inventory in the journal to sum %s over", key + 8);
		return -1;
	}
	*value = sum;
	anvil_fmt(src, len, "sum of %s over %d node(s)", key + 8, n);
	return 0;
}

struct verdict_out {
	enum anvil_verdict v;
	double limit;
	char why[600];
	cJSON *extra;
	const char *extra_name;
};

static void judge_absolute(const cJSON *rule, const cJSON *m, struct verdict_out *o)
{
	const char *name = anvil_jstr(m, "name"), *unit = anvil_jstr(m, "unit") ? anvil_jstr(m, "unit") : "";
	double value = anvil_jnum(m, "value"), mn = anvil_jnum(rule, "min"), mx = anvil_jnum(rule, "max");
	int lower = anvil_jstr(m, "better") && !strcmp(anvil_jstr(m, "better"), "lower");
	o->v = bound(value, mn, mx, anvil_jnum(rule, "warn"), lower, &o->limit);
	anvil_fmt(o->why, sizeof(o->why), "%s = %.4g %s; %s %.4g %s%s", name, value, unit,
		 isfinite(mn) && (!lower || !isfinite(mx)) ? "minimum" : "maximum", o->limit, unit,
		 o->v == ANVIL_V_WARN ? " (under the warning level)" : "");
}

/* A peak depends on its key, the node's inventory and the GPU's name only:
 * eight GPUs of a node, or every metric of a node, look it up once. */
struct peak_memo {
	int rc;
	double value;
	char src[512];
};

static int peak_memo(const struct anvil_judge *j, const char *key, const cJSON *inv, const char *gpu,
		     double *value, char *src, size_t len)
{
	if (!j->peaks_seen)
		return peak_for(j, key, inv, gpu, value, src, len);
	char k[600];
	int n = anvil_fmt(k, sizeof(k), "%s%c%p%c%s", key, 0, (const void *)inv, 0, gpu ? gpu : "");
	struct peak_memo *pm = anvil_keymap_get(j->peaks_seen, k, (size_t)n);
	if (!pm) {
		pm = malloc(sizeof(*pm));
		pm->rc = peak_for(j, key, inv, gpu, &pm->value, pm->src, sizeof(pm->src));
		anvil_keymap_put(j->peaks_seen, k, (size_t)n, pm);
	}
	*value = pm->value;
	anvil_fmt(src, len, "%s", pm->src);
	return pm->rc;
}

static void free_memo(void *value, void *arg)
{
	(void)arg;
	free(value);
}

void anvil_judge_release(struct anvil_judge *j)
{
	if (j->peaks_seen)
		anvil_keymap_each(j->peaks_seen, free_memo, NULL);
}

static void judge_peak(const struct anvil_judge *j, const cJSON *rule, const cJSON *m, struct verdict_out *o)
{
	const char *name = anvil_jstr(m, "name"), *unit = anvil_jstr(m, "unit") ? anvil_jstr(m, "unit") : "";
	double value = anvil_jnum(m, "value"), mn = anvil_jnum(rule, "min"), ref;
	char src[512];
	const char *host = anvil_jstr(m, "host") ? anvil_jstr(m, "host") : "";
	const cJSON *inv = j->by_host ? anvil_keymap_get(j->by_host, host, strlen(host))
				      : anvil_jget(j->inventory, host);
	const char *gpu = anvil_jstr(anvil_jget(m, "labels"), "gpu_name");
	if (peak_memo(j, anvil_jstr(rule, "peak"), inv, gpu, &ref, src, sizeof(src))) {
		o->v = ANVIL_V_SKIP;
		anvil_fmt(o->why, sizeof(o->why), "no peak to judge %s by: %s", name, src);
		return;
	}
	double frac = value / ref;
	o->v = bound(frac, mn, anvil_jnum(rule, "max"), anvil_jnum(rule, "warn"), 0, &o->limit);
	o->limit *= ref;
	anvil_fmt(o->why, sizeof(o->why), "%.4g %s is %.1f%% of the %.4g %s peak (%s); the floor is %.0f%%",
		 value, unit, 100 * frac, ref, unit, src, 100 * (isfinite(mn) ? mn : 0));
	o->extra = cJSON_CreateObject();
	o->extra_name = "peak";
	add_num(o->extra, "value", ref);
	add_str(o->extra, "source", src);
	add_num(o->extra, "fraction", frac);
}

static void judge_peers(const struct anvil_peers *px, const cJSON *rule, const cJSON *m, struct verdict_out *o)
{
	const char *name = anvil_jstr(m, "name"), *unit = anvil_jstr(m, "unit") ? anvil_jstr(m, "unit") : "";
	double value = anvil_jnum(m, "value"), mn = anvil_jnum(rule, "min"), mx = anvil_jnum(rule, "max");
	int lower = anvil_jstr(m, "better") && !strcmp(anvil_jstr(m, "better"), "lower");
	size_t n;
	const double *v = anvil_peers_group(px, m, &n);
	double ref = v ? anvil_median_without(v, n, value) : NAN;
	if (!v || n < 2) {
		o->v = ANVIL_V_SKIP;
		anvil_fmt(o->why, sizeof(o->why), "no other node or GPU has %s to compare with", name);
		return;
	}
	double frac = value / ref;
	o->v = bound(frac, lower ? NAN : mn, lower ? mx : NAN, anvil_jnum(rule, "warn"), lower, &o->limit);
	o->limit *= ref;
	anvil_fmt(o->why, sizeof(o->why), "%.4g %s is %.1f%% of the median of %zu peer(s) (%.4g %s); %s %.0f%%",
		 value, unit, 100 * frac, n - 1, ref, unit, lower ? "ceiling" : "floor", 100 * (lower ? mx : mn));
	o->extra = cJSON_CreateObject();
	o->extra_name = "peers";
	add_num(o->extra, "median", ref);
	add_num(o->extra, "peers", (double)(n - 1));
	add_num(o->extra, "fraction", frac);
}

/* Iglewicz and Hoaglin's modified z-score, 0.6745 (x - median) / MAD; where
 * MAD is 0 (more than half the values equal) the mean absolute deviation
 * stands in, (x - median) / (1.253314 MeanAD), as is usual. Only the bad side
 * of the figure's direction counts (both sides for a figure with none).
 * With "min_dev" (a fraction of the median) an outlier no farther from the
 * median than that only warns: in a fleet even to a tenth of a percent, a
 * GPU 1% slow is many MADs out and no reason to refuse it. */
static void judge_mad(const struct anvil_peers *px, const cJSON *rule, const cJSON *m, struct verdict_out *o)
{
	const char *name = anvil_jstr(m, "name"), *unit = anvil_jstr(m, "unit") ? anvil_jstr(m, "unit") : "";
	const char *better = anvil_jstr(m, "better") ? anvil_jstr(m, "better") : "none";
	double value = anvil_jnum(m, "value"), k = anvil_jnum(rule, "k"), warn = anvil_jnum(rule, "warn");
	double min_dev = anvil_jnum(rule, "min_dev");
	int dir = !strcmp(better, "higher") ? 1 : !strcmp(better, "lower") ? -1 : 0;
	struct anvil_mad s;
	if (!isfinite(k))
		k = ANVIL_MAD_K;
	if (anvil_peers_mad(px, m, &s) || s.n < 3) {
		o->v = ANVIL_V_SKIP;
		anvil_fmt(o->why, sizeof(o->why), "%s: the outlier rule needs the figure from at least 3 nodes or GPUs, "
			 "this test has %zu", name, anvil_peers_mad(px, m, &s) ? (size_t)0 : s.n);
		return;
	}
	/* the spread one z unit stands for */
	double unit_z = s.mad > 0 ? s.mad / 0.6745 : s.meanad > 0 ? 1.253314 * s.meanad : 0;
	double z = unit_z > 0 ? (value - s.median) / unit_z : 0;
	double bad = dir > 0 ? -z : dir < 0 ? z : fabs(z);  /* how far on the bad side */
	/* how far from the median, as a fraction of it (any distance from a median of 0 is far) */
	double dev = s.median != 0 ? fabs(value - s.median) / fabs(s.median) : value != s.median ? INFINITY : 0;
	int near = min_dev > 0 && dev <= min_dev;
	o->v = bad > k ? (near ? ANVIL_V_WARN : ANVIL_V_FAIL)
		       : isfinite(warn) && bad > warn ? ANVIL_V_WARN : ANVIL_V_PASS;
	int below = dir > 0 || (dir == 0 && z < 0);
	double reach = k * unit_z;  /* the limit's distance from the median: the farther of the two bars */
	if (min_dev > 0 && min_dev * fabs(s.median) > reach)
		reach = min_dev * fabs(s.median);
	o->limit = s.median + (below ? -reach : reach);
	char dev_note[96] = "";
	if (min_dev > 0 && isfinite(dev))
		anvil_fmt(dev_note, sizeof(dev_note), ", %s it is %.3g%% from the median (%s %.3g%%)", near ? "but" : "and",
			  100 * dev, near ? "a warning within" : "the rule fails beyond", 100 * min_dev);
	anvil_fmt(o->why, sizeof(o->why), "%.4g %s has a modified z-score of %.2f against the median %.4g %s of "
		 "%zu figure(s) (%s %.3g); %s %s%.1f is an outlier%s",
		 value, unit, z, s.median, unit, s.n, s.mad > 0 ? "MAD" : "MAD 0, mean absolute deviation",
		 s.mad > 0 ? s.mad : s.meanad, dir ? "a score beyond" : "a score beyond +/-",
		 dir > 0 ? "-" : dir < 0 ? "+" : "", k, dev_note);
	o->extra = cJSON_CreateObject();
	o->extra_name = "mad";
	add_num(o->extra, "median", s.median);
	add_num(o->extra, "mad", s.mad);
	if (!(s.mad > 0))
		add_num(o->extra, "meanad", s.meanad);
	add_num(o->extra, "z", z);
	add_num(o->extra, "k", k);
	if (min_dev > 0) {
		add_num(o->extra, "deviation", dev);
		add_num(o->extra, "min_dev", min_dev);
	}
	add_num(o->extra, "n", (double)s.n);
}

static void judge_metric(const struct anvil_judge *j, const struct anvil_peers *px, cJSON *checks,
			 const char *test, const cJSON *rule, const cJSON *m)
{
	const char *kind = anvil_jstr(rule, "rule"), *name = anvil_jstr(m, "name"), *unit = anvil_jstr(m, "unit");
	double value = anvil_jnum(m, "value");
	struct verdict_out o = { ANVIL_V_PASS, NAN, "", NULL, NULL };
	if (!isfinite(value)) {
		o.v = ANVIL_V_ERROR;
		anvil_fmt(o.why, sizeof(o.why), "%s was not measured (no value)", name);
	} else if (!strcmp(kind, "absolute")) {
		judge_absolute(rule, m, &o);
	} else if (!strcmp(kind, "peak")) {
		judge_peak(j, rule, m, &o);
	} else if (!strcmp(kind, "mad")) {
		judge_mad(px, rule, m, &o);
	} else {
		judge_peers(px, rule, m, &o);
	}
	const char *rwhy = anvil_jstr(rule, "why");
	cJSON *c = anvil_check_new(checks, test, name, kind, m, o.v, rwhy && o.v == ANVIL_V_FAIL ? rwhy : o.why);
	if (rwhy && o.v == ANVIL_V_FAIL)
		add_str(c, "detail", o.why);
	add_num(c, "value", value);
	add_str(c, "unit", unit ? unit : "");
	add_num(c, "limit", o.limit);
	if (o.extra)
		cJSON_AddItemToObjectCS(c, o.extra_name, o.extra);
}

/* The run's profile was checked when it began, but a journal may have been
 * edited since: a rule that cannot be judged says why, as an ERROR check. */
static const char *rule_unusable(const cJSON *rule)
{
	const char *k = anvil_jstr(rule, "rule");
	if (!anvil_jstr(rule, "metric"))
		return "it names no \"metric\"";
	if (!k || (strcmp(k, "peak") && strcmp(k, "absolute") && strcmp(k, "peers") && strcmp(k, "mad")))
		return "its \"rule\" is not peak, absolute, peers or mad";
	if (!strcmp(k, "peak") && !anvil_jstr(rule, "peak"))
		return "a \"peak\" rule names no \"peak\"";
	return NULL;
}

int anvil_rule_applies(const cJSON *rule, const cJSON *t)
{
	const char *want = anvil_jstr(rule, "test");
	return want && (!strcmp(want, anvil_jstr(t, "id")) || !strcmp(want, anvil_jstr(t, "runner")));
}

/* A test's figures by name, each name's in the test's order: a rule visits
 * its own figure's only (a rule a walk over every figure's members was most
 * of the rules' time at a thousand nodes). */
struct by_name {
	const cJSON **m;
	size_t n, cap;
	struct anvil_peers *px;   /* their peer groups, once a rule needs them */
};

static void by_name_index(struct anvil_keymap *index, const cJSON *metrics)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, metrics) {
		const char *name = anvil_jstr(m, "name") ? anvil_jstr(m, "name") : "";
		size_t len = strlen(name);
		struct by_name *g = anvil_keymap_get(index, name, len);
		if (!g) {
			g = calloc(1, sizeof(*g));
			anvil_keymap_put(index, name, len, g);
		}
		if (g->n == g->cap) {
			g->cap = g->cap ? 2 * g->cap : 16;
			g->m = realloc(g->m, g->cap * sizeof(*g->m));
		}
		g->m[g->n++] = m;
	}
}

static void by_name_free(void *value, void *arg)
{
	struct by_name *g = value;
	(void)arg;
	anvil_peers_free(g->px);
	free(g->m);
	free(g);
}

void anvil_rules_judge(const struct anvil_judge *j, cJSON *t, const cJSON *profile,
		       void (*after_rule)(void *arg, cJSON *t), void *arg)
{
	cJSON *checks = anvil_jget(t, "checks");
	const cJSON *metrics = anvil_jget(t, "metrics");
	const char *status = anvil_jstr(t, "status"), *id = anvil_jstr(t, "id");
	struct anvil_keymap index = ANVIL_KEYMAP_INIT;  /* the figures by name, once a rule applies */
	const cJSON *rule;
	cJSON_ArrayForEach(rule, anvil_jget(profile, "checks")) {
		if (!anvil_rule_applies(rule, t) || strcmp(status, "ok"))
			continue;
		const char *bad = rule_unusable(rule);
		if (bad) {
			char why[300];
			anvil_fmt(why, sizeof(why), "a check of %s in the profile cannot be judged: %s", id, bad);
			anvil_check_new(checks, id, anvil_jstr(rule, "metric") ? anvil_jstr(rule, "metric") : "?",
					anvil_jstr(rule, "rule") ? anvil_jstr(rule, "rule") : "?", NULL, ANVIL_V_ERROR, why);
			if (after_rule)
				after_rule(arg, t);
			continue;
		}
		if (!index.n)
			by_name_index(&index, metrics);
		int hits = 0;
		const char *want = anvil_jstr(rule, "metric"), *kind = anvil_jstr(rule, "rule");
		struct by_name *g = anvil_keymap_get(&index, want, strlen(want));
		if (g && !g->px && (!strcmp(kind, "peers") || !strcmp(kind, "mad")))
			g->px = anvil_peers_new(g->m, g->n);
		for (size_t k = 0; g && k < g->n; k++) {
			if (!anvil_labels_match(anvil_jget(rule, "labels"), anvil_jget(g->m[k], "labels")))
				continue;
			judge_metric(j, g->px, checks, id, rule, g->m[k]);
			hits++;
		}
		if (!hits) {
			char why[300];
			anvil_fmt(why, sizeof(why), "the profile checks %s%s of %s, but the test recorded no such figure: nothing to judge",
				 anvil_jstr(rule, "metric"), anvil_jget(rule, "labels") ? " (with the labels given)" : "", id);
			anvil_check_new(checks, id, anvil_jstr(rule, "metric"), anvil_jstr(rule, "rule"), NULL, ANVIL_V_SKIP, why);
		}
		if (after_rule)
			after_rule(arg, t);
	}
	anvil_keymap_each(&index, by_name_free, NULL);
	anvil_keymap_release(&index);
}
