#include "runners/fio_json.h"
#include "runners/io_util.h"
#include "reports/jget.h"
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double wanted_pct[3] = { 50.0, 99.0, 99.9 };

/* clat percentiles in us: clat_ns (fio 3) or clat (fio 2, already us). */
static void percentiles(const cJSON *dir, double out[3])
{
	const cJSON *clat = cJSON_GetObjectItemCaseSensitive(dir, "clat_ns");
	double scale = 1e-3;
	if (!clat) {
		clat = cJSON_GetObjectItemCaseSensitive(dir, "clat");
		scale = 1;
	}
	const cJSON *p, *pct = cJSON_GetObjectItemCaseSensitive(clat, "percentile");
	for (int i = 0; i < 3; i++)
		out[i] = NAN;
	cJSON_ArrayForEach(p, pct) {
		char *end;
		double at = strtod(p->string, &end);
		for (int i = 0; i < 3 && !*end && cJSON_IsNumber(p); i++)
			if (fabs(at - wanted_pct[i]) < 1e-6)
				out[i] = p->valuedouble * scale;
	}
}

/* One direction of one job; -1 when the object is not there or lacks io_bytes. */
static int parse_ddir(const cJSON *dir, struct anvil_fio_ddir *d)
{
	double io = anvil_jnum(dir, "io_bytes"), iops = anvil_jnum(dir, "iops"), rt_ms = anvil_jnum(dir, "runtime");
	if (!cJSON_IsObject(dir) || !isfinite(io) || !isfinite(iops) || !isfinite(rt_ms))
		return -1;
	/* fio 2.x printed io_bytes in KiB; fio 3 prints bytes and adds io_kbytes */
	d->bytes = cJSON_GetObjectItemCaseSensitive(dir, "io_kbytes") ? io : io * 1024;
	double bw = anvil_jnum(dir, "bw_bytes");
	if (!isfinite(bw))
		bw = isfinite(anvil_jnum(dir, "bw")) ? anvil_jnum(dir, "bw") * 1024 : NAN;
	d->bw_bytes = bw;
	d->iops = iops;
	d->runtime_s = rt_ms / 1000;
	double ios = anvil_jnum(dir, "total_ios");
	d->ios = isfinite(ios) ? ios : round(iops * d->runtime_s);
	percentiles(dir, d->clat_us);
	return 0;
}

static void add_ddir(struct anvil_fio_ddir *acc, const struct anvil_fio_ddir *d, int first)
{
	if (first) {
		*acc = *d;
		return;
	}
	acc->bytes += d->bytes;
	acc->ios += d->ios;
	acc->bw_bytes += d->bw_bytes;
	acc->iops += d->iops;
	acc->runtime_s = fmax(acc->runtime_s, d->runtime_s);
	for (int i = 0; i < 3; i++)
		acc->clat_us[i] = isnan(acc->clat_us[i]) ? d->clat_us[i] : fmax(acc->clat_us[i], d->clat_us[i]);
}

/* The JSON starts at the first '{' that opens a line. */
static const char *json_start(const char *text)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *q = p;
		while (*q == ' ' || *q == '\t' || *q == '\r')
			q++;
		if (*q == '{')
			return q;
	}
	return NULL;
}

static int parse_jobs(const cJSON *jobs, struct anvil_fio_result *r, char *why, size_t len)
{
	static const char *const names[2] = { "read", "write" };
	const cJSON *job;
	cJSON_ArrayForEach(job, jobs) {
		const char *jn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(job, "jobname"));
		if (jn && !strcmp(jn, "All clients"))
			continue;  /* client/server mode's sum of the others */
		for (int d = 0; d < 2; d++) {
			struct anvil_fio_ddir one;
			if (parse_ddir(cJSON_GetObjectItemCaseSensitive(job, names[d]), &one)) {
				snprintf(why, len, "fio JSON: job %d has no usable \"%s\" object (io_bytes, iops, runtime)",
					 r->njobs, names[d]);
				return -1;
			}
			add_ddir(&r->ddir[d], &one, r->njobs == 0);
		}
		double e = anvil_jnum(job, "error");
		if (!r->error && isfinite(e) && e != 0)
			r->error = (int)e;
		r->njobs++;
	}
	if (!r->njobs) {
		snprintf(why, len, "fio JSON: \"jobs\" is empty");
		return -1;
	}
	return 0;
}

int anvil_fio_parse(const char *text, struct anvil_fio_result *r, char *why, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->end_epoch = NAN;
	const char *start = json_start(text);
	if (!start) {
		snprintf(why, len, "fio printed no JSON");
		return -1;
	}
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(start, &end, 0);
	if (!root) {
		snprintf(why, len, "fio JSON: malformed near byte %ld", end ? (long)(end - text) : -1L);
		return -1;
	}
	const char *ver = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "fio version"));
	snprintf(r->version, sizeof(r->version), "%s", ver ? ver : "");
	double ts = anvil_jnum(root, "timestamp_ms");
	r->end_epoch = isfinite(ts) && ts > 0 ? ts / 1000 : NAN;
	const cJSON *jobs = cJSON_GetObjectItemCaseSensitive(root, "jobs");
	int rc;
	if (!cJSON_IsArray(jobs)) {
		snprintf(why, len, "fio JSON: no \"jobs\" array");
		rc = -1;
	} else {
		rc = parse_jobs(jobs, r, why, len);
	}
	cJSON_Delete(root);
	return rc;
}

void anvil_fio_window(const struct anvil_fio_result *r, double proc_start, double proc_end,
		      double *start, double *end)
{
	*start = proc_start;
	*end = proc_end;
	if (!isfinite(r->end_epoch))
		return;
	double run = fmax(r->ddir[ANVIL_IO_READ].runtime_s, r->ddir[ANVIL_IO_WRITE].runtime_s);
	double e = fmin(fmax(r->end_epoch, proc_start), proc_end);
	*end = e;
	*start = fmax(e - run, proc_start);
}
