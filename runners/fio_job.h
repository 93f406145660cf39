/*
 * One node's fio job for the fio-* runners: the parameters checked, the
 * private folder in the test directory, the argv (never a shell), the two
 * passes (set-up, then the timed run), and what a failure says.
 */
#ifndef ANVIL_FIO_JOB_H
#define ANVIL_FIO_JOB_H
#include <limits.h>
#include "runners/fio_json.h"
#include "runners/io_guard.h"
#include "runners/runner.h"

#define ANVIL_FIO_MAX_ARGS 32

/* What distinguishes the five runners. */
struct anvil_fio_kind {
	const char *rw;    /* fio's rw=: read, write, randread, randwrite, randrw */
	int reads, writes; /* which directions it measures */
	int mixed;         /* takes rwmixread */
};

struct anvil_fio_job {
	const struct anvil_fio_kind *kind;
	char dir[PATH_MAX];       /* the test directory (shared across nodes) */
	char sub[PATH_MAX];       /* this node's folder in it: anvil-fio.HOST.PID */
	long long size, size_asked, bs;
	int numjobs, iodepth, rwmixread, direct;
	double runtime_s, ramp_s, fill;
	char ioengine[64];
	struct anvil_io_guard guard;  /* the files: sub/anvil.J.0 for J < numjobs */
	char *argv[ANVIL_FIO_MAX_ARGS + 2];  /* owned strings, NULL-terminated (one spare slot for
					      * the set-up pass's --create_only=1) */
	int argc;
};

/* The parameter table entries the five runners share. */
#define ANVIL_FIO_PARAMS(bs, size, numjobs, iodepth) \
	{ "dir", ANVIL_P_STRING, "\"\"", "directory for the test files; \"\": the cluster config's storage.path, else the run directory's scratch/ (one node only)" }, \
	{ "bs", ANVIL_P_INT, bs, "block size (bytes)" }, \
	{ "size", ANVIL_P_INT, size, "bytes per file; one file per job, capped by max_fill_fraction" }, \
	{ "numjobs", ANVIL_P_INT, numjobs, "fio jobs per node (run as threads of one fio process)" }, \
	{ "iodepth", ANVIL_P_INT, iodepth, "I/Os in flight per job" }, \
	{ "ioengine", ANVIL_P_STRING, "\"libaio\"", "fio ioengine" }, \
	{ "direct", ANVIL_P_BOOL, "true", "O_DIRECT: bypass the page cache" }, \
	{ "runtime", ANVIL_P_DOUBLE, "30", "seconds of timed I/O (time_based)" }, \
	{ "ramp_s", ANVIL_P_DOUBLE, "0", "seconds of I/O before the timed part (fio ramp_time)" }, \
	{ "max_fill_fraction", ANVIL_P_DOUBLE, "0.5", "the files of all nodes together take at most this fraction of the free space (statvfs); 0: no cap" }

/* Reads and checks the parameters. 0, or -1 with why. */
int anvil_fio_job_init(struct anvil_fio_job *job, const struct anvil_ctx *ctx,
		       const struct anvil_fio_kind *kind, char *why, size_t len);
/* Makes the private folder, the argv and the guard (armed: from here on an
 * interrupt removes the files). 0, or -1 with why. */
int anvil_fio_job_prepare(struct anvil_fio_job *job, const char *host, char *why, size_t len);
/* Runs fio: the set-up pass (create_only: files laid out, options checked)
 * or the timed run. 0 with the result and the process's wall-clock window,
 * or -1 with why. */
int anvil_fio_job_run(struct anvil_fio_job *job, int setup, double timeout_s,
		      struct anvil_fio_result *res, double *proc_start, double *proc_end,
		      char *why, size_t len);
/* Removes the files and the folder, disarms the guard, frees the argv.
 * 0, or -1 with why when something could not be removed. */
int anvil_fio_job_release(struct anvil_fio_job *job, char *why, size_t len);

#endif
