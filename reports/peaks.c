#include "reports/peaks.h"
#include "common/json.h"
#include "common/strbuf.h"
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct anvil_peaks {
	cJSON *sheets;          /* array of datasheet documents; owned */
	const cJSON *cluster;   /* borrowed: the run's cluster config or NULL */
	struct strbuf problems;
};

void anvil_peaks_normalise(const char *in, char *out, size_t len)
{
	/* " word word " lower-case, single spaces, padded: so a pattern "epyc 9654 "
	 * matches a name that ends in 9654 and not "EPYC 96543" */
	size_t o = 0;
	if (len < 3) {
		if (len)
			out[0] = '\0';
		return;
	}
	out[o++] = ' ';
	int space = 1;
	for (; in && *in && o + 2 < len; in++) {
		unsigned char c = (unsigned char)*in;
		if (isspace(c)) {
			if (!space)
				out[o++] = ' ';
			space = 1;
			continue;
		}
		out[o++] = (char)tolower(c);
		space = 0;
	}
	if (!space)
		out[o++] = ' ';
	out[o] = '\0';
}

static int valid_sheet(const cJSON *s)
{
	const char *schema = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "schema"));
	return schema && !strcmp(schema, "anvil-datasheet/1") &&
	       cJSON_IsString(cJSON_GetObjectItemCaseSensitive(s, "id")) &&
	       cJSON_IsString(cJSON_GetObjectItemCaseSensitive(s, "kind")) &&
	       cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(s, "match")) &&
	       cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(s, "figures"));
}

void anvil_peaks_add(struct anvil_peaks *p, const char *text, size_t len, const char *name)
{
	char err[512];
	struct anvil_json_doc doc;
	if (anvil_json_parse(text, len, name, &doc, err, sizeof(err))) {
		strbuf_addf(&p->problems, "%s\n", err);
		return;
	}
	const char *schema = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc.root, "schema"));
	if (valid_sheet(doc.root)) {
		cJSON_AddItemToArray(p->sheets, doc.root);
		doc.root = NULL;
	} else if (schema && !strncmp(schema, "anvil-datasheet", 15)) {
		strbuf_addf(&p->problems, "%s: not a valid datasheet (needs id, kind, match, figures)\n", name);
	}
	anvil_json_doc_release(&doc);
}

struct anvil_peaks *anvil_peaks_load(const char *dir, const cJSON *cluster)
{
	struct anvil_peaks *p = calloc(1, sizeof(*p));
	p->sheets = cJSON_CreateArray();
	p->cluster = cluster;
	strbuf_init(&p->problems);
	struct dirent **list;
	int n = dir ? scandir(dir, &list, NULL, alphasort) : -1;
	if (n < 0 && dir)
		strbuf_addf(&p->problems, "%s: cannot read the datasheet directory\n", dir);
	for (int i = 0; i < n; i++) {
		const char *f = list[i]->d_name;
		size_t l = strlen(f);
		if (l > 5 && !strcmp(f + l - 5, ".json")) {
			char path[PATH_MAX], err[512];
			size_t len;
			snprintf(path, sizeof(path), "%s/%s", dir, f);
			char *text = anvil_read_file(path, 1 << 20, &len, err, sizeof(err));
			if (text)
				anvil_peaks_add(p, text, len, path);
			else
				strbuf_addf(&p->problems, "%s\n", err);
			free(text);
		}
		free(list[i]);
	}
	if (n > 0)
		free(list);
	return p;
}

void anvil_peaks_free(struct anvil_peaks *p)
{
	if (!p)
		return;
	cJSON_Delete(p->sheets);
	strbuf_release(&p->problems);
	free(p);
}

const char *anvil_peaks_problems(const struct anvil_peaks *p) { return strbuf_str(&p->problems); }

const cJSON *anvil_peaks_by_id(const struct anvil_peaks *p, const char *id)
{
	const cJSON *s;
	cJSON_ArrayForEach(s, p->sheets)
		if (!strcmp(cJSON_GetObjectItemCaseSensitive(s, "id")->valuestring, id))
			return s;
	return NULL;
}

void anvil_peaks_ids(const struct anvil_peaks *p, const char *kind, char *buf, size_t len)
{
	size_t n = 0;
	const cJSON *s;
	if (len)
		buf[0] = '\0';
	cJSON_ArrayForEach(s, p->sheets)
		if (!strcmp(cJSON_GetObjectItemCaseSensitive(s, "kind")->valuestring, kind) && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
					      cJSON_GetObjectItemCaseSensitive(s, "id")->valuestring);
}

const cJSON *anvil_peaks_match(const struct anvil_peaks *p, const char *kind, const char *name)
{
	char hay[512], pat[256];
	anvil_peaks_normalise(name, hay, sizeof(hay));
	const cJSON *best = NULL, *s;
	size_t best_len = 0;
	int tie = 0;
	cJSON_ArrayForEach(s, p->sheets) {
		if (strcmp(cJSON_GetObjectItemCaseSensitive(s, "kind")->valuestring, kind))
			continue;
		const cJSON *m;
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(s, "match")) {
			if (!cJSON_IsString(m))
				continue;
			/* patterns keep their own edge spaces: "epyc 9654 " means a word end */
			size_t o = 0;
			for (const char *c = m->valuestring; *c && o + 1 < sizeof(pat); c++)
				pat[o++] = (char)tolower((unsigned char)*c);
			pat[o] = '\0';
			if (!o || !strstr(hay, pat))
				continue;
			if (o > best_len) {
				best = s;
				best_len = o;
				tie = 0;
			} else if (o == best_len && best != s) {
				tie = 1;
			}
		}
	}
	return tie ? NULL : best;
}

static double figure(const cJSON *sheet, const char *key)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sheet, "figures"), key);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, "value");
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const char *inv_str(const cJSON *inv, const char *section, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(inv, section), key));
}

static double inv_num(const cJSON *inv, const char *section, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(inv, section), key);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* The datasheet for a kind: pinned in the cluster config, else matched by name. */
static const cJSON *sheet_for(const struct anvil_peaks *p, const char *kind, const char *name,
			      char *why, size_t len)
{
	const cJSON *hw = cJSON_GetObjectItemCaseSensitive(p->cluster, "hardware");
	const char *pinned = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(hw, kind));
	if (pinned) {
		const cJSON *s = anvil_peaks_by_id(p, pinned);
		if (!s)
			snprintf(why, len, "the cluster config pins %s datasheet \"%s\", which is not in configs/hardware",
				 kind, pinned);
		return s;
	}
	const cJSON *s = name ? anvil_peaks_match(p, kind, name) : NULL;
	if (!s)
		snprintf(why, len, "%s model \"%s\" matches no datasheet in configs/hardware",
			 kind, name ? name : "unknown");
	return s;
}

/* Node-level CPU peaks scale a per-socket figure by the sockets the node reports. */
static int cpu_peak(const struct anvil_peaks *p, const char *fig, const cJSON *inv, double *value,
		    char *source, size_t len)
{
	const char *model = inv_str(inv, "cpu", "model");
	double sockets = inv_num(inv, "cpu", "sockets");
	const cJSON *s = sheet_for(p, "cpu", model, source, len);
	if (!s)
		return -1;
	double per = figure(s, fig);
	if (per <= 0) {
		snprintf(source, len, "datasheet %s has no %s", cJSON_GetObjectItemCaseSensitive(s, "id")->valuestring, fig);
		return -1;
	}
	if (sockets < 1)
		sockets = 1;
	*value = per * sockets;
	snprintf(source, len, "datasheet %s: %s %g x %g socket(s)",
		 cJSON_GetObjectItemCaseSensitive(s, "id")->valuestring, fig, per, sockets);
	return 0;
}

/* File systems have no datasheet: "storage.read_gbs" is the cluster config's
 * storage.rated.read_gbs (read_gbs, write_gbs, read_iops, write_iops). */
static int storage_peak(const struct anvil_peaks *p, const char *fig, double *value,
			char *source, size_t len)
{
	const cJSON *rated = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(p->cluster, "storage"), "rated");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rated, fig);
	if (!cJSON_IsNumber(v) || v->valuedouble <= 0) {
		snprintf(source, len, "the cluster config's storage.rated has no %s", fig);
		return -1;
	}
	*value = v->valuedouble;
	snprintf(source, len, "rated in the cluster config (storage.rated.%s)", fig);
	return 0;
}

int anvil_peaks_get(const struct anvil_peaks *p, const char *key, const cJSON *inv,
		    const char *gpu_name, double *value, char *source, size_t srclen)
{
	/* a figure the cluster config declares wins: the operator knows the hardware */
	const cJSON *declared = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(p->cluster, "peaks"), key);
	if (cJSON_IsNumber(declared)) {
		*value = declared->valuedouble;
		snprintf(source, srclen, "declared in the cluster config (peaks.%s)", key);
		return 0;
	}
	char why[300] = "";
	int rc = -1;
	if (!strcmp(key, "cpu.fp64_gflops"))
		rc = cpu_peak(p, "fp64_gflops_per_socket", inv, value, why, sizeof(why));
	else if (!strcmp(key, "cpu.mem_bw_gbs"))
		rc = cpu_peak(p, "mem_bw_gbs_per_socket", inv, value, why, sizeof(why));
	else if (!strncmp(key, "storage.", 8))
		rc = storage_peak(p, key + 8, value, why, sizeof(why));
	else if (!strncmp(key, "gpu.", 4)) {
		const cJSON *s = sheet_for(p, "gpu", gpu_name, why, sizeof(why));
		double v = s ? figure(s, key + 4) : -1;
		if (s && v > 0) {
			*value = v;
			snprintf(why, sizeof(why), "datasheet %s: %s",
				 cJSON_GetObjectItemCaseSensitive(s, "id")->valuestring, key + 4);
			rc = 0;
		} else if (s) {
			snprintf(why, sizeof(why), "datasheet %s has no %s",
				 cJSON_GetObjectItemCaseSensitive(s, "id")->valuestring, key + 4);
		}
	} else if (!strcmp(key, "link.gbs")) {
		/* declared only: the rate depends on the fabric, not on one datasheet */
		snprintf(why, sizeof(why), "the link peak (GB/s per direction, e.g. 50 for NDR 400, "
			 "12.5 for 100 GbE) is not derived from datasheets");
	} else {
		snprintf(why, sizeof(why), "unknown peak \"%s\"", key);
	}
	if (rc)
		snprintf(source, srclen, "%s, and the cluster config declares no peaks.%s", why, key);
	else
		snprintf(source, srclen, "%s", why);
	return rc;
}

int anvil_peaks_node_power(const struct anvil_peaks *p, const cJSON *inv, double *watts,
			   char *source, size_t srclen)
{
	char why[300];
	const cJSON *cpu = sheet_for(p, "cpu", inv_str(inv, "cpu", "model"), why, sizeof(why));
	double sockets = inv_num(inv, "cpu", "sockets"), cpu_w = cpu ? figure(cpu, "tdp_w") : -1;
	if (!cpu || cpu_w <= 0) {
		snprintf(source, srclen, "%s", cpu ? "the CPU datasheet has no tdp_w" : why);
		return -1;
	}
	if (sockets < 1)
		sockets = 1;
	double sum = cpu_w * sockets;
	struct { const char *id; double w; int n; } kinds[4];
	int nk = 0, other = 0;
	const cJSON *g;
	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(inv, "gpus")) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "name"));
		const cJSON *s = sheet_for(p, "gpu", name, why, sizeof(why));
		double w = s ? figure(s, "tdp_w") : -1;
		if (!s || w <= 0) {
			snprintf(source, srclen, "%s", s ? "a GPU datasheet has no tdp_w" : why);
			return -1;
		}
		sum += w;
		const char *id = cJSON_GetObjectItemCaseSensitive(s, "id")->valuestring;
		int k = 0;
		while (k < nk && strcmp(kinds[k].id, id))
			k++;
		if (k == nk && nk < 4)
			kinds[nk++] = (typeof(kinds[0])){ id, w, 0 };
		if (k < nk)
			kinds[k].n++;
		else
			other++;
	}
	*watts = sum;
	size_t o = (size_t)snprintf(source, srclen, "%g x %s (%g W)", sockets,
				    cJSON_GetObjectItemCaseSensitive(cpu, "id")->valuestring, cpu_w);
	for (int k = 0; k < nk && o < srclen; k++)
		o += (size_t)snprintf(source + o, srclen - o, " + %d x %s (%g W)", kinds[k].n, kinds[k].id, kinds[k].w);
	if (other && o < srclen)
		snprintf(source + o, srclen - o, " + %d other GPU(s)", other);
	return 0;
}
