/* anvil compare: the figures of several runs, side by side; see compare.h. */
#include "reports/compare.h"
#include "reports/engine.h"
#include "reports/rscan.h"
#include "common/json.h"
#include "reports/jsource.h"
#include "reports/keymap.h"
#include "reports/peaks.h"
#include "reports/report.h"
#include "common/fsutil.h"
#include "common/journal.h"
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum basis { B_GPU, B_NODE, B_PAIR, B_TOTAL, B_KW, NBASIS };
static const char *const basis_names[NBASIS] = { "per_gpu", "per_node", "per_pair", "total", "per_kw" };

/* One figure of one run: test, name, labels but the node's and GPU's own. */
struct fig {
	double sum;
	long n;
	struct anvil_keymap hosts;   /* distinct hosts it was measured on */
};

/* One figure over all runs, in the order first seen. */
struct figure {
	char *key;
	cJSON *meta;                 /* test, name, unit, better, scope, labels */
	struct fig *per_run[ANVIL_COMPARE_MAX_RUNS];
};

struct run {
	char *source;
	cJSON *info;                 /* label, source, profile, cluster, verdict, started, nodes, gpus, power */
	double power_w;              /* NAN: unknown */
	int nodes, gpus;
};

struct anvil_compare {
	char *hardware_dir;
	struct run runs[ANVIL_COMPARE_MAX_RUNS];
	int nruns;
	struct figure **figs;
	size_t nfigs, cap;
	struct anvil_keymap index;   /* key -> figure */
	struct strbuf key;
};

static const char *s(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
	return v ? v : "";
}

struct anvil_compare *anvil_compare_new(const char *hardware_dir)
{
	struct anvil_compare *c = calloc(1, sizeof(*c));
	c->hardware_dir = strdup(hardware_dir);
	strbuf_init(&c->key);
	return c;
}

void anvil_compare_free(struct anvil_compare *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nfigs; i++) {
		for (int r = 0; r < c->nruns; r++)
			if (c->figs[i]->per_run[r]) {
				anvil_keymap_release(&c->figs[i]->per_run[r]->hosts);
				free(c->figs[i]->per_run[r]);
			}
		cJSON_Delete(c->figs[i]->meta);
		free(c->figs[i]->key);
		free(c->figs[i]);
	}
	free(c->figs);
	for (int r = 0; r < c->nruns; r++) {
		free(c->runs[r].source);
		cJSON_Delete(c->runs[r].info);
	}
	anvil_keymap_release(&c->index);
	strbuf_release(&c->key);
	free(c->hardware_dir);
	free(c);
}

/* ---- gathering ------------------------------------------------------------ */

/* Labels that say where a figure was measured, not which figure it is. */
static const char *const identity_labels[] = { "gpu", "gpu_name", "peer", NULL };

static int identity_label(const char *k)
{
	for (size_t i = 0; identity_labels[i]; i++)
		if (!strcmp(k, identity_labels[i]))
			return 1;
	return 0;
}

/* Where a figure lives: one per GPU, per node, per node pair, or one for the run. */
static const char *scope_of(const cJSON *m, const char *test_scope)
{
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(m, "labels");
	if (cJSON_GetObjectItemCaseSensitive(labels, "gpu"))
		return "gpu";
	if (cJSON_GetObjectItemCaseSensitive(labels, "peer"))
		return "pair";
	if (!strcmp(test_scope, "all"))
		return "cluster";
	if (!strcmp(test_scope, "pairs"))
		return "pair";
	return test_scope[0] ? "node" : "";
}

static void add_metric(struct anvil_compare *c, int r, const char *test, const char *test_scope, const cJSON *m)
{
	const char *better = s(m, "better");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "value");
	if ((strcmp(better, "higher") && strcmp(better, "lower")) || !cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return;
	struct strbuf *key = &c->key;
	key->len = 0;
	anvil_key_add(key, test);
	anvil_key_add(key, s(m, "name"));
	/* in key order: two runs that wrote the labels in another order still meet */
	anvil_key_add_labels(key, cJSON_GetObjectItemCaseSensitive(m, "labels"), identity_labels);
	const cJSON *l;
	struct figure *f = anvil_keymap_get(&c->index, key->buf, key->len);
	if (!f) {
		f = calloc(1, sizeof(*f));
		f->key = malloc(key->len);
		memcpy(f->key, key->buf, key->len);
		f->meta = cJSON_CreateObject();
		cJSON_AddStringToObject(f->meta, "test", test);
		cJSON_AddStringToObject(f->meta, "name", s(m, "name"));
		cJSON_AddStringToObject(f->meta, "unit", s(m, "unit"));
		cJSON_AddStringToObject(f->meta, "better", better);
		cJSON_AddStringToObject(f->meta, "scope", scope_of(m, test_scope));
		cJSON *labels = NULL;
		cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(m, "labels"))
			if (cJSON_IsString(l) && !identity_label(l->string)) {
				if (!labels)
					labels = cJSON_AddObjectToObject(f->meta, "labels");
				cJSON_AddStringToObject(labels, l->string, l->valuestring);
			}
		anvil_keymap_put(&c->index, key->buf, key->len, f);
		if (c->nfigs == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 64;
			c->figs = realloc(c->figs, c->cap * sizeof(*c->figs));
		}
		c->figs[c->nfigs++] = f;
	}
	struct fig *pr = f->per_run[r];
	if (!pr)
		pr = f->per_run[r] = calloc(1, sizeof(*pr));
	pr->sum += v->valuedouble;
	pr->n++;
	const char *host = s(m, "host");
	if (*host)
		anvil_keymap_put(&pr->hosts, host, strlen(host), (void *)1);
}

static void add_test(struct anvil_compare *c, int r, const cJSON *t)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(t, "metrics"))
		add_metric(c, r, s(t, "id"), s(t, "scope"), m);
}

/* Nodes, GPUs and datasheet power from the inventories. */
static void run_facts(struct anvil_compare *c, struct run *run, const cJSON *report_run, const cJSON *inventory)
{
	const cJSON *cluster = cJSON_GetObjectItemCaseSensitive(report_run, "cluster_doc");
	struct anvil_peaks *peaks = anvil_peaks_load(c->hardware_dir, cJSON_IsObject(cluster) ? cluster : NULL);
	const cJSON *node;
	char why[600] = "", first[600] = "";
	double watts = 0;
	int known = 1;
	run->nodes = run->gpus = 0;
	cJSON_ArrayForEach(node, inventory) {
		double w;
		char src[600];
		run->nodes++;
		run->gpus += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(node, "gpus"));
		if (!known)
			continue;
		if (anvil_peaks_node_power(peaks, node, &w, src, sizeof(src))) {
			known = 0;
			snprintf(why, sizeof(why), "unknown: node %s: %s", node->string, src);
			continue;
		}
		watts += w;
		if (!first[0])
			snprintf(first, sizeof(first), "%s", src);
	}
	if (!run->nodes) {
		known = 0;
		snprintf(why, sizeof(why), "unknown: the run has no node inventory");
	}
	run->power_w = known ? watts : NAN;
	cJSON *info = run->info;
	cJSON_AddNumberToObject(info, "nodes", run->nodes);
	cJSON_AddNumberToObject(info, "gpus", run->gpus);
	if (known) {
		char text[800];
		cJSON_AddNumberToObject(info, "power_w", watts);
		snprintf(text, sizeof(text), "datasheet TDP over %d node(s), e.g. %s", run->nodes, first);
		cJSON_AddStringToObject(info, "power", text);
	} else {
		cJSON_AddNullToObject(info, "power_w");
		cJSON_AddStringToObject(info, "power", why);
	}
	anvil_peaks_free(peaks);
}

static void run_info(struct run *run, int r, const char *path, const cJSON *report_run, const char *verdict)
{
	char label[2] = { (char)('A' + r), 0 };
	const cJSON *part = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(report_run, "parts"), 0);
	run->info = cJSON_CreateObject();
	cJSON_AddStringToObject(run->info, "label", label);
	cJSON_AddStringToObject(run->info, "source", path);
	cJSON_AddStringToObject(run->info, "profile", s(report_run, "profile"));
	cJSON_AddStringToObject(run->info, "cluster", s(report_run, "cluster"));
	cJSON_AddStringToObject(run->info, "started", s(part, "started"));
	cJSON_AddStringToObject(run->info, "verdict", verdict);
}

/* A run directory: every test through the engine, one at a time. */
static int add_dir(struct anvil_compare *c, int r, const char *path, const char *jpath, char *err, size_t errlen)
{
	struct anvil_jsource *src = anvil_jsource_file(jpath, err, errlen);
	if (!src)
		return -1;
	struct anvil_engine_opts o = { NULL, c->hardware_dir, path, NULL, NULL };
	struct anvil_engine *e = anvil_engine_new(src, &o, err, errlen);
	if (!e) {
		anvil_jsource_free(src);
		return -1;
	}
	cJSON *head = anvil_engine_head(e);
	int rc = 0;
	for (size_t i = 0; i < anvil_engine_ntests(e) && !rc; i++) {
		cJSON *t = anvil_engine_test(e, i, err, errlen);
		if (!t) {
			rc = -1;
			break;
		}
		add_test(c, r, t);
		cJSON_Delete(t);
	}
	if (!rc) {
		anvil_engine_summary(e, head);
		run_info(&c->runs[r], r, path, cJSON_GetObjectItemCaseSensitive(head, "run"), s(head, "verdict"));
		run_facts(c, &c->runs[r], cJSON_GetObjectItemCaseSensitive(head, "run"), anvil_engine_inventory(e));
	}
	cJSON_Delete(head);
	anvil_engine_free(e);
	anvil_jsource_free(src);
	return rc;
}

/* A report.json: its run, verdict and inventory as trees, its tests' metrics one object at a time. */
struct report_scan {
	struct anvil_compare *c;
	int r;
	char verdict[32];
	cJSON *run, *inventory;
};

static void report_member(void *arg, const struct anvil_jscan_it *top)
{
	struct report_scan *rs = arg;
	if (anvil_jscan_key_is(top, "verdict"))
		anvil_jscan_string(top->val, top->vend, rs->verdict, sizeof(rs->verdict));
	else if (anvil_jscan_key_is(top, "run") && !rs->run)
		rs->run = cJSON_ParseWithLength(top->val, (size_t)(top->vend - top->val));
	else if (anvil_jscan_key_is(top, "inventory") && !rs->inventory)
		rs->inventory = cJSON_ParseWithLength(top->val, (size_t)(top->vend - top->val));
}

static void report_metric(void *arg, const char *test, const char *scope, const cJSON *m)
{
	struct report_scan *rs = arg;
	add_metric(rs->c, rs->r, test, scope, m);
}

static int add_report(struct anvil_compare *c, int r, const char *path, char *err, size_t errlen)
{
	struct report_scan rs = { c, r, "", NULL, NULL };
	struct anvil_rscan scan = { report_member, report_metric, &rs };
	int rc = anvil_rscan_file(path, &scan, err, errlen);
	if (!rc) {
		run_info(&c->runs[r], r, path, rs.run, rs.verdict);
		run_facts(c, &c->runs[r], rs.run, rs.inventory);
	}
	cJSON_Delete(rs.run);
	cJSON_Delete(rs.inventory);
	return rc;
}

int anvil_compare_add(struct anvil_compare *c, const char *path, char *err, size_t errlen)
{
	if (c->nruns == ANVIL_COMPARE_MAX_RUNS) {
		snprintf(err, errlen, "at most %d runs can be compared", ANVIL_COMPARE_MAX_RUNS);
		return -1;
	}
	int r = c->nruns, rc;
	char jpath[PATH_MAX];
	snprintf(jpath, sizeof(jpath), "%s/%s", path, ANVIL_JOURNAL_NAME);
	if (access(jpath, F_OK) == 0) {
		rc = add_dir(c, r, path, jpath, err, errlen);
	} else {
		rc = add_report(c, r, path, err, errlen);
	}
	if (rc)
		return -1;
	c->runs[r].source = strdup(path);
	c->nruns++;
	return 0;
}

/* ---- the comparison ------------------------------------------------------- */

/* Throughputs add up over nodes and GPUs; latencies, fractions and temperatures do not. */
static int additive(const char *unit)
{
	static const char *const units[] = { "GFLOP/s", "TFLOP/s", "MFLOP/s", "GB/s", "MB/s", "GiB/s", "MiB/s",
					     "Gb/s", "Mb/s", "Mpps", "IOPS", "kIOPS", NULL };
	for (int i = 0; units[i]; i++)
		if (!strcmp(unit, units[i]))
			return 1;
	return 0;
}

static int flop_rate(const char *unit) { return strstr(unit, "FLOP/s") != NULL; }

static void bases(const struct figure *f, const struct run *run, const struct fig *pr, double *b)
{
	const char *scope = s(f->meta, "scope"), *unit = s(f->meta, "unit");
	int add = additive(unit);
	double kw = run->power_w / 1000, hosts = (double)pr->hosts.n, mean = pr->sum / (double)pr->n;
	for (int i = 0; i < NBASIS; i++)
		b[i] = NAN;
	if (!strcmp(scope, "gpu")) {
		b[B_GPU] = mean;
		b[B_NODE] = add && hosts ? pr->sum / hosts : NAN;
		b[B_TOTAL] = add ? pr->sum : NAN;
	} else if (!strcmp(scope, "pair")) {
		b[B_PAIR] = mean;
	} else if (!strcmp(scope, "cluster")) {
		b[B_TOTAL] = mean;  /* the run's one figure */
		if (flop_rate(unit)) {
			b[B_NODE] = run->nodes ? mean / run->nodes : NAN;
			b[B_GPU] = run->gpus ? mean / run->gpus : NAN;
		}
		add = flop_rate(unit);
	} else {
		b[B_NODE] = mean;
		b[B_TOTAL] = add ? pr->sum : NAN;
	}
	b[B_KW] = add && kw > 0 ? b[B_TOTAL] / kw : NAN;
}

static void add_basis(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

cJSON *anvil_compare_tree(const struct anvil_compare *c)
{
	cJSON *tree = cJSON_CreateObject();
	char iso[32];
	anvil_iso_time((double)time(NULL), iso, sizeof(iso));
	cJSON_AddStringToObject(tree, "schema", ANVIL_COMPARE_SCHEMA);
	cJSON_AddStringToObject(tree, "generated", iso);
	cJSON *runs = cJSON_AddArrayToObject(tree, "runs");
	for (int r = 0; r < c->nruns; r++)
		cJSON_AddItemToArray(runs, cJSON_Duplicate(c->runs[r].info, 1));
	cJSON *figs = cJSON_AddArrayToObject(tree, "figures");
	for (size_t i = 0; i < c->nfigs; i++) {
		const struct figure *f = c->figs[i];
		cJSON *o = cJSON_Duplicate(f->meta, 1);
		cJSON *per = cJSON_AddArrayToObject(o, "runs"), *chg = cJSON_AddArrayToObject(o, "change");
		double first[NBASIS];
		for (int r = 0; r < c->nruns; r++) {
			const struct fig *pr = f->per_run[r];
			double b[NBASIS];
			if (!pr) {
				cJSON_AddItemToArray(per, cJSON_CreateNull());
				cJSON_AddItemToArray(chg, cJSON_CreateNull());
				for (int k = 0; r == 0 && k < NBASIS; k++)
					first[k] = NAN;
				continue;
			}
			bases(f, &c->runs[r], pr, b);
			cJSON *v = cJSON_CreateObject();
			cJSON_AddNumberToObject(v, "n", (double)pr->n);
			for (int k = 0; k < NBASIS; k++)
				add_basis(v, basis_names[k], b[k]);
			cJSON_AddItemToArray(per, v);
			if (r == 0) {
				memcpy(first, b, sizeof(first));
				cJSON_AddItemToArray(chg, cJSON_CreateNull());
				continue;
			}
			/* against the first run: (B - A) / |A|, per basis */
			cJSON *d = cJSON_CreateObject();
			for (int k = 0; k < NBASIS; k++)
				add_basis(d, basis_names[k], isfinite(first[k]) && first[k] != 0 && isfinite(b[k])
							     ? (b[k] - first[k]) / fabs(first[k]) : NAN);
			cJSON_AddItemToArray(chg, d);
		}
		cJSON_AddItemToArray(figs, o);
	}
	return tree;
}

/* ---- the terminal table ---------------------------------------------------- */

static const char *const basis_text[NBASIS] = { "per GPU", "per node", "per pair", "total", "per kW" };

static void cell(char *buf, size_t len, const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (cJSON_IsNumber(v))
		snprintf(buf, len, "%.4g", v->valuedouble);
	else
		snprintf(buf, len, "-");
}

void anvil_compare_table(const cJSON *tree, FILE *out)
{
	const cJSON *runs = cJSON_GetObjectItemCaseSensitive(tree, "runs"), *r, *f;
	int nruns = cJSON_GetArraySize(runs);
	fprintf(out, "\n");
	cJSON_ArrayForEach(r, runs) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(r, "power_w");
		fprintf(out, "%s  %s: %s, %d node(s), %d GPU(s), ", s(r, "label"), s(r, "source"), s(r, "verdict"),
			(int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "nodes")),
			(int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "gpus")));
		if (cJSON_IsNumber(p))
			fprintf(out, "%.1f kW (datasheet TDP)\n", p->valuedouble / 1000);
		else
			fprintf(out, "power %s\n", s(r, "power"));
	}
	fprintf(out, "\n%-44s %-9s", "FIGURE", "BASIS");
	cJSON_ArrayForEach(r, runs) {
		fprintf(out, " %12s", s(r, "label"));
		if (r != runs->child)
			fprintf(out, " %8s", "vs A");
	}
	fprintf(out, "\n");
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(tree, "figures")) {
		char name[200];
		snprintf(name, sizeof(name), "%s %s [%s]", s(f, "test"), s(f, "name"), s(f, "unit"));
		const cJSON *l;
		size_t n = strlen(name);
		cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(f, "labels"))
			if (n < sizeof(name))
				n += (size_t)snprintf(name + n, sizeof(name) - n, " %s=%s", l->string, cJSON_GetStringValue(l));
		int first = 1;
		for (int k = 0; k < NBASIS; k++) {
			int any = 0;
			for (int i = 0; i < nruns; i++) {
				const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f, "runs"), i),
										  basis_names[k]);
				any |= cJSON_IsNumber(v);
			}
			if (!any)
				continue;
			fprintf(out, "%-44.44s %-9s", first ? name : "", basis_text[k]);
			first = 0;
			for (int i = 0; i < nruns; i++) {
				char v[32], d[32] = "";
				cell(v, sizeof(v), cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f, "runs"), i), basis_names[k]);
				const cJSON *ch = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f, "change"), i),
										   basis_names[k]);
				if (i && cJSON_IsNumber(ch))
					snprintf(d, sizeof(d), " %+7.1f%%", 100 * ch->valuedouble);
				else if (i)
					snprintf(d, sizeof(d), " %8s", "-");
				fprintf(out, " %12s%s", v, d);
			}
			fprintf(out, "\n");
		}
	}
}
