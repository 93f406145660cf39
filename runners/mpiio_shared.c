/*
 * mpiio-shared: N-to-1 shared-file bandwidth with MPI-IO, as IOR -a MPIIO
 * defines it (hpc/ior src/ior.c), independent (MPI_File_write_at /
 * read_at) and collective (write_at_all / read_at_all, IOR -c):
 *   layout   segment s of rank r is the block at (s * ranks + r) *
 *            block_bytes, moved in transfer_bytes pieces (IOR -s -b -t);
 *   time     from a common barrier through open, I/O (and MPI_File_sync for
 *            writes, IOR -e) to close; bandwidth = all bytes / (latest end -
 *            earliest start) (IOR ReduceIterResults, "totalTime");
 *   reorder  each rank reads the blocks a rank on another node wrote (IOR
 *            -C), so the client's cache cannot serve the read; taken from
 *            the node each rank is really on, not from an assumed mapping;
 *   verify   after the timed read, an untimed pass reads the same blocks
 *            again and checks every word (as IOR -W does after a write).
 * Figures: write_bw_gbs and read_bw_gbs labelled mode=independent|collective
 * and scope=aggregate (lowest rank) or scope=node (each node's first rank).
 */
#include "runners/io_guard.h"
#include "runners/io_util.h"
#include "runners/runner.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE_WORDS 512  /* one offset stamp per 4 KiB */

static const struct anvil_param mpiio_params[] = {
	{ "dir", ANVIL_P_STRING, "\"\"", "directory for the shared file; \"\": the cluster config's storage.path, else the run directory's scratch/ (one node only)" },
	{ "block_bytes", ANVIL_P_INT, "16777216", "bytes of each rank per segment (IOR -b); capped by max_fill_fraction" },
	{ "transfer_bytes", ANVIL_P_INT, "1048576", "bytes per MPI-IO call (IOR -t); divides block_bytes, a multiple of 8" },
	{ "segments", ANVIL_P_INT, "1", "segments (IOR -s)" },
	{ "mode", ANVIL_P_STRING, "\"both\"", "independent, collective, or both" },
	{ "reorder", ANVIL_P_BOOL, "true", "read blocks written on another node (IOR -C)" },
	{ "fsync", ANVIL_P_BOOL, "true", "MPI_File_sync before closing after the write (IOR -e)" },
	{ "verify", ANVIL_P_BOOL, "true", "check every word read back, in an untimed pass" },
	{ "max_fill_fraction", ANVIL_P_DOUBLE, "0.5", "the file takes at most this fraction of the free space; 0: no cap" },
	{ NULL, 0, NULL, NULL },
};

struct mp {
	struct anvil_ctx *ctx;
	MPI_Comm comm, node;        /* node: this node's ranks of comm (owned) */
	int rank, size, node_rank;
	long long block, block_asked, transfer, segments;
	int fsync, verify;
	int source;                 /* the rank whose blocks this rank reads */
	char path[PATH_MAX];
	uint64_t *buf;              /* one transfer (owned) */
	struct anvil_io_guard guard;
	char why[PATH_MAX + 256];
};

static uint64_t seed_of(int writer) { return 0x9E3779B97F4A7C15ull * (uint64_t)(writer + 1); }

static MPI_Offset offset_of(const struct mp *m, int writer, long long s, long long t)
{
	return ((MPI_Offset)s * m->size + writer) * m->block + (MPI_Offset)t * m->transfer;
}

/* The words of a transfer: the writer's seed ^ index, and at the start of
 * every 4 KiB the word's own file offset, so a misplaced page shows. */
static void fill_seed(uint64_t *b, long long words, int writer)
{
	for (long long k = 0; k < words; k++)
		b[k] = seed_of(writer) ^ (uint64_t)k;
}

static void stamp_offsets(uint64_t *b, long long words, MPI_Offset off)
{
	for (long long k = 0; k < words; k += PAGE_WORDS)
		b[k] = (uint64_t)off + 8 * (uint64_t)k;
}

static long long count_bad(const uint64_t *b, long long words, int writer, MPI_Offset off)
{
	long long bad = 0;
	for (long long k = 0; k < words; k++) {
		uint64_t want = k % PAGE_WORDS ? seed_of(writer) ^ (uint64_t)k : (uint64_t)off + 8 * (uint64_t)k;
		bad += b[k] != want;
	}
	return bad;
}

static int mpi_failed(struct mp *m, int rc, const char *what)
{
	if (rc == MPI_SUCCESS)
		return 0;
	char s[MPI_MAX_ERROR_STRING];
	int n = 0;
	MPI_Error_string(rc, s, &n);
	if (!m->why[0])
		snprintf(m->why, sizeof(m->why), "%s %s: %.*s", what, m->path, n, s);
	return 1;
}

/* The moves of one pass; a short transfer is an error too. Collective calls
 * go on after an error so that no rank is left waiting in one. */
static long long moves(struct mp *m, MPI_File fh, int write, int collective, int from,
		       long long *bad)
{
	long long words = m->transfer / 8, done = 0;
	int failed = 0;
	for (long long s = 0; s < m->segments; s++) {
		for (long long t = 0; t < m->block / m->transfer; t++) {
			MPI_Offset off = offset_of(m, from, s, t);
			MPI_Status st;
			int rc, got = 0;
			if (write) {
				stamp_offsets(m->buf, words, off);
				rc = collective ? MPI_File_write_at_all(fh, off, m->buf, (int)m->transfer, MPI_BYTE, &st)
						: MPI_File_write_at(fh, off, m->buf, (int)m->transfer, MPI_BYTE, &st);
			} else {
				rc = collective ? MPI_File_read_at_all(fh, off, m->buf, (int)m->transfer, MPI_BYTE, &st)
						: MPI_File_read_at(fh, off, m->buf, (int)m->transfer, MPI_BYTE, &st);
			}
			if (rc == MPI_SUCCESS)
				MPI_Get_count(&st, MPI_BYTE, &got);
			if (!failed && (mpi_failed(m, rc, write ? "write" : "read") || got != m->transfer)) {
				double free_b = -1;
				char ignore[8];
				/* some MPI-IO layers (OMPIO) swallow the errno: say how full it is */
				if (!m->why[0] && anvil_io_free_bytes(m->path, &free_b, ignore, sizeof(ignore)) == 0)
					snprintf(m->why, sizeof(m->why), "%s %s: %d of %lld bytes at offset %lld (%.0f bytes free there)",
						 write ? "short write to" : "short read of", m->path, got,
						 m->transfer, (long long)off, free_b);
				else if (!m->why[0])
					snprintf(m->why, sizeof(m->why), "%s %s: %d of %lld bytes at offset %lld",
						 write ? "short write to" : "short read of", m->path, got,
						 m->transfer, (long long)off);
				failed = 1;
			}
			if (failed && !collective)
				return -1;
			if (!failed) {
				done++;
				if (bad)
					*bad += count_bad(m->buf, words, from, off);
			}
		}
	}
	return failed ? -1 : done;
}

/* One pass: open, moves, (sync,) close. 0, or -1 on this rank's error. */
static int pass(struct mp *m, int write, int collective, long long *bad, struct anvil_io_span *span)
{
	MPI_File fh;
	int from = write ? m->rank : m->source;
	if (write)
		fill_seed(m->buf, m->transfer / 8, m->rank);
	MPI_Barrier(m->comm);
	double t0 = MPI_Wtime();
	int amode = write ? MPI_MODE_CREATE | MPI_MODE_WRONLY : MPI_MODE_RDONLY;
	int ok = !mpi_failed(m, MPI_File_open(m->comm, m->path, amode, MPI_INFO_NULL, &fh), "open");
	if (!anvil_io_agree(m->comm, ok))
		return ok ? 0 : -1;
	long long done = moves(m, fh, write, collective, from, bad);
	ok = done >= 0;
	if (write && m->fsync)
		ok &= !mpi_failed(m, MPI_File_sync(fh), "sync");
	ok &= !mpi_failed(m, MPI_File_close(&fh), "close");
	*span = (struct anvil_io_span){ .start = 0, .end = MPI_Wtime() - t0 };
	span->bytes[write ? ANVIL_IO_WRITE : ANVIL_IO_READ] = done > 0 ? (double)(done * m->transfer) : 0;
	return ok ? 0 : -1;
}

static void emit_bw(struct mp *m, int write, const struct anvil_io_span *span)
{
	struct anvil_io_span node, all;
	anvil_io_span_reduce(span, &node, 0, m->node);
	anvil_io_span_reduce(span, &all, 0, m->comm);
	const char *name = write ? "write_bw_gbs" : "read_bw_gbs";
	int d = write ? ANVIL_IO_WRITE : ANVIL_IO_READ;
	if (m->node_rank == 0) {
		anvil_ctx_label(m->ctx, "scope", "node");
		anvil_emit_metric(m->ctx, name, node.bytes[d] / anvil_io_span_window(&node) / 1e9, "GB/s", ANVIL_HIGHER);
	}
	if (m->rank == 0) {
		anvil_ctx_label(m->ctx, "scope", "aggregate");
		anvil_emit_metric(m->ctx, name, all.bytes[d] / anvil_io_span_window(&all) / 1e9, "GB/s", ANVIL_HIGHER);
	}
	anvil_ctx_label(m->ctx, "scope", NULL);
}

/* Write, timed read, verify: one mode. Every rank returns the same. */
static int run_mode(struct mp *m, int collective)
{
	anvil_ctx_label(m->ctx, "mode", collective ? "collective" : "independent");
	if (m->rank == 0)
		MPI_File_delete(m->path, MPI_INFO_NULL);  /* a fresh file; none is fine */
	struct anvil_io_span span;
	int ok = anvil_io_agree(m->comm, pass(m, 1, collective, NULL, &span) == 0);
	if (ok)
		emit_bw(m, 1, &span);
	ok = ok && anvil_io_agree(m->comm, pass(m, 0, collective, NULL, &span) == 0);
	if (ok)
		emit_bw(m, 0, &span);
	long long bad = 0, all_bad = 0;
	if (ok && m->verify) {
		ok = anvil_io_agree(m->comm, pass(m, 0, 0, &bad, &span) == 0);
		MPI_Reduce(&bad, &all_bad, 1, MPI_LONG_LONG, MPI_SUM, 0, m->comm);
		if (ok && m->rank == 0) {
			char why[160];
			snprintf(why, sizeof(why), "%lld word(s) read back differ from what was written", all_bad);
			anvil_emit_check(m->ctx, "read_back", all_bad == 0, (double)all_bad, 0, all_bad ? why : NULL);
		}
	}
	anvil_ctx_label(m->ctx, "mode", NULL);
	return ok ? 0 : -1;
}

/* The rank whose blocks r reads: the same place on the next node, in node
 * order (IOR -C); its own where reorder is off or there is one node. */
static int pick_source(struct mp *m, int reorder)
{
	int *order = malloc(2 * sizeof(int) * (size_t)m->size);  /* and each rank's place in it */
	if (!order)
		return -1;
	int *pos = order + m->size;
	int ppn = anvil_io_node_order(m->ctx, m->size, order, pos), me = pos[m->rank];
	m->source = reorder && ppn < m->size ? order[(me + ppn) % m->size] : m->rank;
	free(order);
	return 0;
}

static int mp_init(struct mp *m)
{
	const char *dir = anvil_param_str(m->ctx, "dir"), *mode = anvil_param_str(m->ctx, "mode");
	double fill = anvil_param_double(m->ctx, "max_fill_fraction"), free_b = 0;
	m->block_asked = anvil_param_int(m->ctx, "block_bytes");
	m->transfer = anvil_param_int(m->ctx, "transfer_bytes");
	m->segments = anvil_param_int(m->ctx, "segments");
	m->fsync = anvil_param_bool(m->ctx, "fsync");
	m->verify = anvil_param_bool(m->ctx, "verify");
	int ok = dir[0] && m->transfer >= 8 && m->transfer % 8 == 0 && m->transfer <= (1 << 30) &&
		 m->block_asked >= m->transfer && m->block_asked % m->transfer == 0 &&
		 m->segments >= 1 && fill >= 0 && fill <= 1 &&
		 (!strcmp(mode, "independent") || !strcmp(mode, "collective") || !strcmp(mode, "both"));
	if (!ok)
		snprintf(m->why, sizeof(m->why), "bad parameters: need dir; transfer_bytes a multiple of 8 up to 1 GiB dividing block_bytes; segments >= 1; max_fill_fraction in [0, 1]; mode independent, collective or both");
	if (ok && (!(m->buf = malloc((size_t)m->transfer)) || pick_source(m, anvil_param_bool(m->ctx, "reorder")))) {
		snprintf(m->why, sizeof(m->why), "out of memory");
		ok = 0;
	}
	if (anvil_io_site(m->ctx, m->comm, "mpiio", ok, &free_b, m->path, sizeof(m->path), m->why, sizeof(m->why)))
		return -1;
	m->block = anvil_io_cap_size(m->block_asked, m->segments, m->size, fill, free_b, m->transfer);
	if (!m->block) {  /* the same on every rank */
		snprintf(m->why, sizeof(m->why), "%s has %.3g GB free: max_fill_fraction %g leaves less than one transfer per rank and segment",
			 dir, free_b / 1e9, fill);
		m->path[0] = '\0';  /* nothing to remove */
		return -1;
	}
	return 0;
}

static void emit_info(struct mp *m)
{
	int other = anvil_ctx_node_of(m->ctx, m->source) != anvil_ctx_node_of(m->ctx, m->rank), all = 0;
	MPI_Reduce(&other, &all, 1, MPI_INT, MPI_SUM, 0, m->comm);
	if (m->rank)
		return;
	cJSON *info = cJSON_CreateObject();
	cJSON_AddStringToObject(info, "file", m->path);
	cJSON_AddNumberToObject(info, "file_bytes", (double)(m->block * m->segments * m->size));
	cJSON_AddNumberToObject(info, "block_bytes", (double)m->block);
	if (m->block != m->block_asked)
		cJSON_AddNumberToObject(info, "block_bytes_asked", (double)m->block_asked);
	cJSON_AddNumberToObject(info, "transfer_bytes", (double)m->transfer);
	cJSON_AddNumberToObject(info, "segments", (double)m->segments);
	cJSON_AddNumberToObject(info, "ranks_reading_another_nodes_blocks", all);
	anvil_emit_info(m->ctx, info);
}

static enum anvil_status mpiio_run(struct anvil_ctx *ctx)
{
	struct mp *m = calloc(1, sizeof(*m));
	if (!m)
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "out of memory");
	m->ctx = ctx;
	m->comm = anvil_ctx_comm(ctx);
	m->rank = anvil_ctx_rank(ctx);
	m->size = anvil_ctx_size(ctx);
	MPI_Comm_split(m->comm, anvil_ctx_node_of(ctx, m->rank), m->rank, &m->node);
	MPI_Comm_rank(m->node, &m->node_rank);
	const char *mode = anvil_param_str(ctx, "mode");
	int rc = mp_init(m);
	if (!rc) {
		snprintf(m->guard.stem, sizeof(m->guard.stem), "%s", m->path);
		m->guard.count = -1;
		anvil_io_guard_arm(&m->guard);
		emit_info(m);
	}
	for (int coll = 0; coll < 2 && !rc; coll++)
		if (!strcmp(mode, "both") || !strcmp(mode, coll ? "collective" : "independent"))
			rc = run_mode(m, coll);
	MPI_Barrier(m->comm);
	if (m->rank == 0 && m->path[0])
		anvil_io_guard_remove(&m->guard);
	anvil_io_guard_disarm();
	enum anvil_status st = rc && m->why[0] ? anvil_ctx_fail(ctx, ANVIL_ERROR, "%s", m->why) : ANVIL_OK;
	MPI_Comm_free(&m->node);
	free(m->buf);
	free(m);
	return st;
}

const struct anvil_runner anvil_runner_mpiio_shared = {
	.name = "mpiio-shared",
	.summary = "N-to-1 shared-file MPI-IO write and read, independent and collective, read back on another node (IOR definitions)",
	.needs = ANVIL_NEEDS_STORAGE,
	.scope = ANVIL_SCOPE_ALL,
	.params = mpiio_params,
	.run = mpiio_run,
};
