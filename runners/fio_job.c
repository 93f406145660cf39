#include "runners/fio_job.h"
#include "bench/subproc.h"
#include "runners/io_util.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIO_OUT_MAX (1u << 20)
#define FIO_ERR_MAX 8192

static int check_range(const char *key, double v, double lo, double hi, char *why, size_t len)
{
	if (v >= lo && v <= hi)
		return 0;
	snprintf(why, len, "parameter %s = %g is outside [%g, %g]", key, v, lo, hi);
	return -1;
}

int anvil_fio_job_init(struct anvil_fio_job *job, const struct anvil_ctx *ctx,
		       const struct anvil_fio_kind *kind, char *why, size_t len)
{
	memset(job, 0, sizeof(*job));
	job->kind = kind;
	snprintf(job->dir, sizeof(job->dir), "%s", anvil_param_str(ctx, "dir"));
	job->bs = anvil_param_int(ctx, "bs");
	job->size_asked = anvil_param_int(ctx, "size");
	job->numjobs = (int)anvil_param_int(ctx, "numjobs");
	job->iodepth = (int)anvil_param_int(ctx, "iodepth");
	job->direct = anvil_param_bool(ctx, "direct");
	job->runtime_s = anvil_param_double(ctx, "runtime");
	job->ramp_s = anvil_param_double(ctx, "ramp_s");
	job->fill = anvil_param_double(ctx, "max_fill_fraction");
	job->rwmixread = kind->mixed ? (int)anvil_param_int(ctx, "rwmixread") : 0;
	snprintf(job->ioengine, sizeof(job->ioengine), "%s", anvil_param_str(ctx, "ioengine"));
	if (!job->dir[0]) {
		snprintf(why, len, "no directory to test: set storage.path in the cluster config or the dir parameter");
		return -1;
	}
	if (!job->ioengine[0]) {
		snprintf(why, len, "parameter ioengine is empty");
		return -1;
	}
	if (check_range("bs", (double)job->bs, 1, 1 << 30, why, len) ||
	    check_range("size", (double)job->size_asked, (double)job->bs, 1e18, why, len) ||
	    check_range("numjobs", job->numjobs, 1, 4096, why, len) ||
	    check_range("iodepth", job->iodepth, 1, 65536, why, len) ||
	    check_range("runtime", job->runtime_s, 0.001, 7 * 86400, why, len) ||
	    check_range("ramp_s", job->ramp_s, 0, 86400, why, len) ||
	    check_range("max_fill_fraction", job->fill, 0, 1, why, len) ||
	    (kind->mixed && check_range("rwmixread", job->rwmixread, 0, 100, why, len)))
		return -1;
	job->size = job->size_asked / job->bs * job->bs;  /* whole blocks */
	struct stat st;
	if (stat(job->dir, &st) != 0) {
		snprintf(why, len, "test directory %s: %s", job->dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, len, "test directory %s is not a directory", job->dir);
		return -1;
	}
	return 0;
}

/* fio splits directory= at ':' (several directories); a literal one is "\:". */
static void fio_escape(const char *in, char *out, size_t len)
{
	size_t o = 0;
	for (; *in && o + 2 < len; in++) {
		if (*in == ':')
			out[o++] = '\\';
		out[o++] = *in;
	}
	out[o] = '\0';
}

static int add_arg(struct anvil_fio_job *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int add_arg(struct anvil_fio_job *job, const char *fmt, ...)
{
	if (job->argc >= ANVIL_FIO_MAX_ARGS)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	int rc = vasprintf(&job->argv[job->argc], fmt, ap);
	va_end(ap);
	if (rc < 0) {
		job->argv[job->argc] = NULL;
		return -1;
	}
	job->argc++;
	return 0;
}

/* The timed run's argv; the set-up pass adds --create_only=1. */
static int build_argv(struct anvil_fio_job *job)
{
	char dir[2 * PATH_MAX];
	fio_escape(job->sub, dir, sizeof(dir));
	int bad = add_arg(job, "fio") | add_arg(job, "--output-format=json") |
		  add_arg(job, "--name=anvil") | add_arg(job, "--directory=%s", dir) |
		  add_arg(job, "--filename_format=anvil.$jobnum.$filenum") |
		  add_arg(job, "--rw=%s", job->kind->rw) | add_arg(job, "--bs=%lld", job->bs) |
		  add_arg(job, "--size=%lld", job->size) | add_arg(job, "--numjobs=%d", job->numjobs) |
		  add_arg(job, "--iodepth=%d", job->iodepth) |
		  add_arg(job, "--ioengine=%s", job->ioengine) |
		  add_arg(job, "--direct=%d", job->direct ? 1 : 0) | add_arg(job, "--invalidate=1") |
		  add_arg(job, "--time_based=1") |
		  add_arg(job, "--runtime=%lldms", (long long)llround(job->runtime_s * 1000)) |
		  add_arg(job, "--ramp_time=%lldms", (long long)llround(job->ramp_s * 1000)) |
		  add_arg(job, "--group_reporting=1") |
		  add_arg(job, "--thread") |  /* jobs as threads: killing fio kills them all */
		  add_arg(job, "--percentile_list=%s", ANVIL_FIO_PERCENTILES);
	if (job->kind->mixed)
		bad |= add_arg(job, "--rwmixread=%d", job->rwmixread);
	if (job->kind->writes)  /* written data reaches the file system inside the timed run */
		bad |= add_arg(job, "--end_fsync=1");
	return bad ? -1 : 0;
}

int anvil_fio_job_prepare(struct anvil_fio_job *job, const char *host, char *why, size_t len)
{
	if ((size_t)snprintf(job->sub, sizeof(job->sub), "%s/anvil-fio.%s.%ld", job->dir, host,
			     (long)getpid()) >= sizeof(job->sub)) {
		snprintf(why, len, "test directory path too long: %s", job->dir);
		return -1;
	}
	struct anvil_io_guard *g = &job->guard;
	snprintf(g->stem, sizeof(g->stem), "%s/anvil.", job->sub);
	snprintf(g->suffix, sizeof(g->suffix), ".0");
	g->count = job->numjobs;
	snprintf(g->dirs[0], sizeof(g->dirs[0]), "%s", job->sub);
	if (build_argv(job)) {
		snprintf(why, len, "out of memory building the fio command line");
		g->dirs[0][0] = '\0';
		return -1;
	}
	if (mkdir(job->sub, 0777) != 0) {
		snprintf(why, len, "%s: cannot create: %s", job->sub, strerror(errno));
		g->dirs[0][0] = '\0';  /* not ours to remove */
		return -1;
	}
	anvil_io_guard_arm(g);
	return 0;
}

/* The line of fio's stderr that says what went wrong, or "". */
static void stderr_reason(const char *err, char *out, size_t len)
{
	const char *best = NULL, *first = NULL;
	for (const char *p = err; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (*p == '\n')
			continue;
		if (!first)
			first = p;
		if (!best && (strstr(p, "error") || strncmp(p, "fio:", 4) == 0))
			best = p;
	}
	const char *line = best ? best : first;
	size_t n = line ? strcspn(line, "\n") : 0;
	snprintf(out, len, "%.*s", (int)n, line ? line : "");
}

static void describe_failure(int rc, const struct anvil_fio_result *res, int parsed,
			     const char *err, const char *pass, double timeout_s, char *why,
			     size_t len)
{
	char reason[600];
	stderr_reason(err, reason, sizeof(reason));
	if (rc == -ENOENT)
		snprintf(why, len, "fio not found in PATH");
	else if (rc == -ETIMEDOUT)
		snprintf(why, len, "fio (%s) ran past %.0f s, the time left before the test's timeout, and was stopped",
			 pass, timeout_s);
	else if (rc < 0)
		snprintf(why, len, "cannot start fio: %s", strerror(-rc));
	else if (rc >= 256)
		snprintf(why, len, "fio (%s) was killed by signal %d", pass, rc - 256);
	else if (parsed && res->error)
		snprintf(why, len, "fio (%s) failed: %s%s%s", pass, strerror(res->error),
			 reason[0] ? ": " : "", reason);
	else
		snprintf(why, len, "fio (%s) exited with status %d: %s", pass, rc,
			 reason[0] ? reason : "it printed nothing on stderr");
}

int anvil_fio_job_run(struct anvil_fio_job *job, int setup, double timeout_s,
		      struct anvil_fio_result *res, double *proc_start, double *proc_end,
		      char *why, size_t len)
{
	char *out = malloc(FIO_OUT_MAX), err[FIO_ERR_MAX];
	if (!out) {
		snprintf(why, len, "out of memory for fio's output");
		return -1;
	}
	const char *pass = setup ? "set-up" : "timed run";
	if (setup)
		job->argv[job->argc] = "--create_only=1";
	struct anvil_subproc_opts o = { .err = err, .errlen = sizeof(err), .pid = &job->guard.child };
	*proc_start = anvil_io_now();
	int rc = anvil_run_capture_opts(job->argv, out, FIO_OUT_MAX, timeout_s, &o);
	*proc_end = anvil_io_now();
	job->argv[job->argc] = NULL;
	char perr[256] = "";
	int parsed = rc >= 0 && rc < 256 && anvil_fio_parse(out, res, perr, sizeof(perr)) == 0;
	int ok = rc == 0 && parsed && !res->error;
	if (!ok) {
		describe_failure(rc, res, parsed, err, pass, timeout_s, why, len);
		if (rc == 0 && !parsed)
			snprintf(why, len, "fio (%s): %s", pass, perr);
	}
	free(out);
	return ok ? 0 : -1;
}

int anvil_fio_job_release(struct anvil_fio_job *job, char *why, size_t len)
{
	int rc = 0;
	if (job->guard.dirs[0][0] &&
	    (anvil_io_guard_remove(&job->guard) || access(job->sub, F_OK) == 0)) {
		snprintf(why, len, "could not remove all test files: %s is still there", job->sub);
		rc = -1;
	}
	job->guard.dirs[0][0] = '\0';  /* released: a second call removes nothing */
	anvil_io_guard_disarm();
	for (int i = 0; i < job->argc; i++)
		free(job->argv[i]);
	job->argc = 0;
	return rc;
}
