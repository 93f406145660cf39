/*
 * The fio runners: fio-seq-read and fio-seq-write (1 MiB blocks),
 * fio-rand-read and fio-rand-write (4 KiB), fio-mixed (random 4 KiB, 70 %
 * reads). One file exports the five: they differ only in fio's rw= and
 * their defaults (struct anvil_fio_kind); the machinery is in fio_job.c.
 *
 * On every node at once (PER_NODE: each node's leader runs fio as a child,
 * with an argv, never a shell), each node on its own files in the shared
 * directory, all nodes in step:
 *   1. parameters and free space (statvfs, the smallest any node sees); the
 *      file size is capped so that the files of all nodes take at most
 *      max_fill_fraction of it;
 *   2. a set-up pass (fio --create_only=1): files made and laid out for the
 *      reads, options checked; not timed;
 *   3. a barrier, then the timed run on all nodes together;
 *   4. the files removed, also on SIGINT/SIGTERM (runners/io_guard.h).
 * Figures: per node, fio's own (bw_bytes, iops, clat percentiles), labelled
 * scope=node so rules can hold each node against its peers; aggregate
 * (emitted by the lowest rank, scope=aggregate): all bytes / (latest end -
 * earliest start) across nodes (runners/io_util.h for the clocks).
 */
#include "runners/fio_job.h"
#include "runners/io_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ddir_name[2] = { "read", "write" };

static int measures(const struct anvil_fio_kind *k, int d)
{
	return d == ANVIL_IO_READ ? k->reads : k->writes;
}

static void metric(struct anvil_ctx *ctx, int d, const char *what, double v, const char *unit,
		   enum anvil_better better)
{
	char name[64];
	snprintf(name, sizeof(name), "%s_%s", ddir_name[d], what);
	anvil_emit_metric(ctx, name, v, unit, better);
}

static void emit_node(struct anvil_ctx *ctx, const struct anvil_fio_job *job,
		      const struct anvil_fio_result *r, double free_bytes)
{
	anvil_ctx_label(ctx, "scope", "node");
	for (int d = 0; d < 2; d++) {
		if (!measures(job->kind, d))
			continue;
		const struct anvil_fio_ddir *x = &r->ddir[d];
		metric(ctx, d, "bw_gbs", x->bw_bytes / 1e9, "GB/s", ANVIL_HIGHER);
		metric(ctx, d, "iops", x->iops, "IOPS", ANVIL_HIGHER);
		metric(ctx, d, "clat_p50_us", x->clat_us[0], "us", ANVIL_LOWER);
		metric(ctx, d, "clat_p99_us", x->clat_us[1], "us", ANVIL_LOWER);
		metric(ctx, d, "clat_p999_us", x->clat_us[2], "us", ANVIL_LOWER);
	}
	cJSON *info = cJSON_CreateObject();
	cJSON_AddStringToObject(info, "fio", r->version);
	cJSON_AddStringToObject(info, "dir", job->sub);
	cJSON_AddNumberToObject(info, "file_bytes", (double)job->size);
	cJSON_AddNumberToObject(info, "files", job->numjobs);
	if (job->size < job->size_asked / job->bs * job->bs) {
		cJSON_AddNumberToObject(info, "file_bytes_asked", (double)job->size_asked);
		cJSON_AddNumberToObject(info, "free_bytes", free_bytes);
		cJSON_AddNumberToObject(info, "max_fill_fraction", job->fill);
	}
	cJSON *argv = cJSON_AddArrayToObject(info, "fio_argv");
	for (int i = 0; i < job->argc; i++)
		cJSON_AddItemToArray(argv, cJSON_CreateString(job->argv[i]));
	anvil_emit_info(ctx, info);
}

static void emit_aggregate(struct anvil_ctx *ctx, const struct anvil_fio_kind *k,
			   const struct anvil_io_span *all, int nodes)
{
	double w = anvil_io_span_window(all);
	anvil_ctx_label(ctx, "scope", "aggregate");
	for (int d = 0; d < 2; d++) {
		if (!measures(k, d))
			continue;
		metric(ctx, d, "bw_gbs", w > 0 ? all->bytes[d] / w / 1e9 : 0, "GB/s", ANVIL_HIGHER);
		metric(ctx, d, "iops", w > 0 ? all->ops[d] / w : 0, "IOPS", ANVIL_HIGHER);
	}
	cJSON *info = cJSON_CreateObject();
	cJSON_AddNumberToObject(info, "nodes", nodes);
	cJSON_AddNumberToObject(info, "window_s", w);
	cJSON_AddNumberToObject(info, "read_bytes", all->bytes[ANVIL_IO_READ]);
	cJSON_AddNumberToObject(info, "write_bytes", all->bytes[ANVIL_IO_WRITE]);
	anvil_emit_info(ctx, info);
}

static int fits_in_time(const struct anvil_fio_job *job, const struct anvil_ctx *ctx, char *why,
			size_t len)
{
	double need = job->ramp_s + job->runtime_s + 2, left = anvil_ctx_time_left(ctx);
	if (need <= left)
		return 1;
	snprintf(why, len, "ramp_s %g + runtime %g s (+2 s to set up) do not fit in the %.0f s left before the test's timeout",
		 job->ramp_s, job->runtime_s, left);
	return 0;
}

static enum anvil_status finish(struct anvil_ctx *ctx, struct anvil_fio_job *job, int ok,
				const char *why)
{
	char rwhy[PATH_MAX + 64];
	if (job && anvil_fio_job_release(job, rwhy, sizeof(rwhy)) && ok) {
		ok = 0;
		why = rwhy;
	}
	anvil_ctx_label(ctx, "scope", NULL);
	enum anvil_status st = ok ? ANVIL_OK : anvil_ctx_fail(ctx, ANVIL_ERROR, "%s", why);
	free(job);
	return st;
}

/* Steps 1 and 2; every node returns the same verdict (0 go on, else stop). */
static int set_up(struct anvil_ctx *ctx, struct anvil_fio_job *job, double *free_bytes,
		  int *ok, char *why, size_t len)
{
	MPI_Comm comm = anvil_ctx_comm(ctx);
	double mine = 0;
	*ok = !anvil_fio_job_init(job, ctx, job->kind, why, len) &&
	      !anvil_io_free_bytes(job->dir, &mine, why, len) && fits_in_time(job, ctx, why, len);
	MPI_Allreduce(&mine, free_bytes, 1, MPI_DOUBLE, MPI_MIN, comm);
	if (!anvil_io_agree(comm, *ok))
		return -1;
	long long whole = job->size;
	job->size = anvil_io_cap_size(whole, job->numjobs, anvil_ctx_size(ctx), job->fill,
				      *free_bytes, job->bs);
	if (!job->size) {  /* the same on every node: all say it */
		snprintf(why, len, "%s has %.3g GB free: max_fill_fraction %g leaves less than one %lld-byte block for each of %d file(s) on %d node(s)",
			 job->dir, *free_bytes / 1e9, job->fill, job->bs, job->numjobs, anvil_ctx_size(ctx));
		*ok = 0;
		return -1;
	}
	struct anvil_fio_result res;
	double ps, pe, timeout = anvil_ctx_time_left(ctx) - job->ramp_s - job->runtime_s - 1;
	*ok = !anvil_fio_job_prepare(job, anvil_ctx_host_of(ctx, anvil_ctx_rank(ctx)), why, len) &&
	      !anvil_fio_job_run(job, 1, timeout > 1 ? timeout : 1, &res, &ps, &pe, why, len);
	return anvil_io_agree(comm, *ok) ? 0 : -1;
}

static enum anvil_status fio_run(struct anvil_ctx *ctx, const struct anvil_fio_kind *kind)
{
	MPI_Comm comm = anvil_ctx_comm(ctx);
	char why[1024] = "";
	double free_bytes = 0;
	int ok = 0;
	struct anvil_fio_job *job = calloc(1, sizeof(*job));
	if (!job)
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "out of memory");
	job->kind = kind;
	if (set_up(ctx, job, &free_bytes, &ok, why, sizeof(why)))
		return finish(ctx, job, ok, why);
	MPI_Barrier(comm);
	double t_ref = anvil_io_now();  /* this node's clock at the common start */
	struct anvil_fio_result res;
	double ps, pe;
	double left = anvil_ctx_time_left(ctx) - 0.5;  /* <= 0 would mean no deadline at all */
	ok = !anvil_fio_job_run(job, 0, left > 1 ? left : 1, &res, &ps, &pe, why, sizeof(why));
	struct anvil_io_span span = anvil_io_span_empty(), all;
	if (ok) {
		anvil_fio_window(&res, ps, pe, &span.start, &span.end);
		span.start -= t_ref;
		span.end -= t_ref;
		for (int d = 0; d < 2; d++) {
			span.bytes[d] = res.ddir[d].bytes;
			span.ops[d] = res.ddir[d].ios;
		}
		emit_node(ctx, job, &res, free_bytes);
	}
	char rwhy[PATH_MAX + 64];
	if (anvil_fio_job_release(job, rwhy, sizeof(rwhy)) && ok) {
		ok = 0;
		snprintf(why, sizeof(why), "%s", rwhy);
	}
	int all_ok = anvil_io_agree(comm, ok);
	anvil_io_span_reduce(&span, &all, 0, comm);
	if (all_ok && anvil_ctx_rank(ctx) == 0)
		emit_aggregate(ctx, kind, &all, anvil_ctx_size(ctx));
	return finish(ctx, job, ok, why);
}

/* ---- the five runners -------------------------------------------------- */

static const struct anvil_fio_kind seq_read = { "read", 1, 0, 0 };
static const struct anvil_fio_kind seq_write = { "write", 0, 1, 0 };
static const struct anvil_fio_kind rand_read = { "randread", 1, 0, 0 };
static const struct anvil_fio_kind rand_write = { "randwrite", 0, 1, 0 };
static const struct anvil_fio_kind mixed = { "randrw", 1, 1, 1 };

static const struct anvil_param seq_params[] = {
	ANVIL_FIO_PARAMS("1048576", "1073741824", "4", "16"),
	{ NULL, 0, NULL, NULL },
};
static const struct anvil_param rand_params[] = {
	ANVIL_FIO_PARAMS("4096", "1073741824", "4", "32"),
	{ NULL, 0, NULL, NULL },
};
static const struct anvil_param mixed_params[] = {
	ANVIL_FIO_PARAMS("4096", "1073741824", "4", "32"),
	{ "rwmixread", ANVIL_P_INT, "70", "percent of the I/Os that are reads" },
	{ NULL, 0, NULL, NULL },
};

static enum anvil_status seq_read_run(struct anvil_ctx *ctx) { return fio_run(ctx, &seq_read); }
static enum anvil_status seq_write_run(struct anvil_ctx *ctx) { return fio_run(ctx, &seq_write); }
static enum anvil_status rand_read_run(struct anvil_ctx *ctx) { return fio_run(ctx, &rand_read); }
static enum anvil_status rand_write_run(struct anvil_ctx *ctx) { return fio_run(ctx, &rand_write); }
static enum anvil_status mixed_run(struct anvil_ctx *ctx) { return fio_run(ctx, &mixed); }

#define FIO_RUNNER(nm, sum, prm, fn) { \
	.name = nm, .summary = sum, .needs = ANVIL_NEEDS_FIO | ANVIL_NEEDS_STORAGE, \
	.scope = ANVIL_SCOPE_PER_NODE, .params = prm, .run = fn }

const struct anvil_runner anvil_runner_fio_seq_read = FIO_RUNNER("fio-seq-read",
	"fio sequential read, 1 MiB blocks, every node at once on the shared directory: GB/s per node and aggregate",
	seq_params, seq_read_run);
const struct anvil_runner anvil_runner_fio_seq_write = FIO_RUNNER("fio-seq-write",
	"fio sequential write, 1 MiB blocks, every node at once on the shared directory: GB/s per node and aggregate",
	seq_params, seq_write_run);
const struct anvil_runner anvil_runner_fio_rand_read = FIO_RUNNER("fio-rand-read",
	"fio random read, 4 KiB blocks, every node at once: IOPS and completion latency p50/p99/p99.9",
	rand_params, rand_read_run);
const struct anvil_runner anvil_runner_fio_rand_write = FIO_RUNNER("fio-rand-write",
	"fio random write, 4 KiB blocks, every node at once: IOPS and completion latency p50/p99/p99.9",
	rand_params, rand_write_run);
const struct anvil_runner anvil_runner_fio_mixed = FIO_RUNNER("fio-mixed",
	"fio random 4 KiB, 70 % reads / 30 % writes, every node at once: IOPS and latency of each",
	mixed_params, mixed_run);
