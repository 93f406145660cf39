/*
 * fio's JSON output (--output-format=json) into the figures anvil reports.
 * The shapes it reads, from fio's stat.c:
 *   fio >= 3.0   io_bytes in bytes (io_kbytes beside it), bw in KiB/s and
 *                bw_bytes (3.x), latencies in ns under clat_ns;
 *   fio 2.x      io_bytes in KiB (no io_kbytes), bw in KiB/s, latencies in
 *                us under clat; total_ios from 2.10 on;
 *   both         iops, runtime (ms) per direction, "error" (an errno) per
 *                job, percentiles keyed "%f" ("99.900000");
 *   fio >= 2.20  timestamp_ms at the top: when the report was made, i.e.
 *                just after the last job ended.
 * With group_reporting (as anvil runs it) "jobs" holds one entry; several
 * entries are added up (runtime: the longest; percentiles: the worst).
 * Text before the JSON (notes some fio versions print on stdout) is skipped.
 */
#ifndef ANVIL_FIO_JSON_H
#define ANVIL_FIO_JSON_H
#include <stddef.h>

struct anvil_fio_ddir {
	double bytes;        /* moved */
	double ios;          /* completed I/Os */
	double bw_bytes;     /* bytes/s over the direction's runtime, as fio computes it */
	double iops;
	double runtime_s;    /* I/O time of the direction */
	double clat_us[3];   /* completion latency p50, p99, p99.9; NAN when fio gave none */
};

struct anvil_fio_result {
	char version[32];             /* "fio-3.33", or "" */
	double end_epoch;             /* timestamp_ms / 1000, NAN before fio 2.20 */
	int error;                    /* the first non-zero job error (an errno), else 0 */
	int njobs;                    /* entries of "jobs" */
	struct anvil_fio_ddir ddir[2];  /* [ANVIL_IO_READ], [ANVIL_IO_WRITE] */
};

/* The percentiles anvil asks fio for, in clat_us order. */
#define ANVIL_FIO_PERCENTILES "50:99:99.9"

/* Parses text. 0, or -1 with why (what was missing or malformed). */
int anvil_fio_parse(const char *text, struct anvil_fio_result *r, char *why, size_t len);

/* The I/O window of one fio process on the local wall clock: it ended at
 * end_epoch and ran the longest direction's runtime, clamped to the process
 * [proc_start, proc_end]; the process window itself when fio gave no
 * timestamp. */
void anvil_fio_window(const struct anvil_fio_result *r, double proc_start, double proc_end,
		      double *start, double *end);

#endif
