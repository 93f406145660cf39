/*
 * mdtest: metadata rates of the shared file system, every rank at once, with
 * mdtest's file phases (hpc/ior src/mdtest.c, file_test): each rank creates
 * N files (writing `bytes` into each), stats N files, reads N files and
 * removes N files; ops/s per phase, aggregate and per node.
 *
 * As mdtest defines them, with barriers (its default): a phase starts for
 * every rank at a common barrier and its rate is all items of all ranks /
 * the time of the slowest rank (mdtest: sum of items / max of each rank's
 * time). Per node: that node's items / its slowest rank's time.
 *
 * Two layouts, as mdtest -u and without it: a directory per rank
 * ("unique": TOP/rank.R/file.I) and one directory for all
 * ("shared": TOP/shared/file.R.I).
 *
 * Whose files a phase works on (mdtest -N, "stride between tasks ... to
 * avoid client cache"): phase k (stat 1, read 2, remove 3) works on the
 * files of the rank `k * stride` places further. stride -1 (the default)
 * counts places in node order by the ranks of one node, so on several nodes
 * the stat, read and remove phases touch files another node made (with
 * equal ranks per node and k * stride a multiple of the ranks, e.g. read
 * on 2 nodes, it is the rank's own node again, as in mdtest).
 */
#include "runners/io_guard.h"
#include "runners/io_util.h"
#include "runners/runner.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { CREATE, STAT, READ, REMOVE, NPHASES };
static const char *const phase_metric[NPHASES] = { "create_ops", "stat_ops", "read_ops", "remove_ops" };

static const struct anvil_param mdtest_params[] = {
	{ "dir", ANVIL_P_STRING, "\"\"", "directory to work in; \"\": the cluster config's storage.path, else the run directory's scratch/ (one node only)" },
	{ "files", ANVIL_P_INT, "1000", "files per rank" },
	{ "bytes", ANVIL_P_INT, "3901", "bytes written into each file at creation and read back (mdtest -w/-e; 3901 as IO500's mdtest-hard)" },
	{ "variant", ANVIL_P_STRING, "\"both\"", "unique (a directory per rank, mdtest -u), shared (one directory), or both" },
	{ "stride", ANVIL_P_INT, "-1", "phase k works on the files of the rank k*stride further (mdtest -N); -1: by whole nodes; 0: own files" },
	{ "max_fill_fraction", ANVIL_P_DOUBLE, "0.5", "refuse to write more than this fraction of the free space; 0: no limit" },
	{ NULL, 0, NULL, NULL },
};

struct md {
	struct anvil_ctx *ctx;
	MPI_Comm comm, node;       /* node: the ranks of comm on this node (owned) */
	int rank, size;
	long files, bytes, stride;
	int *order, *pos;          /* ranks sorted by node, and each rank's place in it (owned) */
	int ppn;                   /* the most ranks on one node */
	char top[PATH_MAX];
	unsigned char *buf, *want; /* bytes long (owned) */
	struct anvil_io_guard guard;
	char why[PATH_MAX + 256];
};

/* The rank whose files phase k of rank r works on. */
static int owner(const struct md *m, int r, int k)
{
	if (m->stride >= 0)
		return (int)((r + (long)k * m->stride) % m->size);
	return m->order[(m->pos[r] + k * m->ppn) % m->size];
}

static void path_of(const struct md *m, int shared, int own, long i, char *buf, size_t len)
{
	if (shared)
		snprintf(buf, len, "%s/shared/file.%d.%ld", m->top, own, i);
	else
		snprintf(buf, len, "%s/rank.%d/file.%ld", m->top, own, i);
}

/* A file's content: a pattern of its owner (made once, outside the timed
 * phases) with the item number in its first bytes (as mdtest's
 * verify_memory_pattern keys on the item). */
static void fill_owner(unsigned char *b, long n, int own)
{
	for (long j = 0; j < n; j++)
		b[j] = (unsigned char)((unsigned)own * 131u + (unsigned)j * 7u + 1u);
}

static void stamp(unsigned char *b, long n, long i)
{
	for (long j = 0; j < n && j < 8; j++)
		b[j] = (unsigned char)((unsigned long)i >> (8 * j));
}

static int fail_op(struct md *m, const char *what, const char *path)
{
	snprintf(m->why, sizeof(m->why), "%s %s: %s", what, path, strerror(errno));
	return -1;
}

static int create_one(struct md *m, const char *path, long i)
{
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail_op(m, "create", path);
	stamp(m->buf, m->bytes, i);
	ssize_t w = m->bytes ? write(fd, m->buf, (size_t)m->bytes) : 0;
	int rc = w == m->bytes ? 0 : (w >= 0 ? (errno = ENOSPC, -1) : -1);
	if (rc)
		fail_op(m, "write", path);
	if (close(fd) != 0 && !rc)
		rc = fail_op(m, "close", path);
	return rc;
}

/* Reads a file back; a wrong size or content counts in *bad, not as an error. */
static int read_one(struct md *m, const char *path, long i, long *bad)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_op(m, "open", path);
	ssize_t r = m->bytes ? read(fd, m->buf, (size_t)m->bytes) : 0;
	close(fd);
	if (r < 0)
		return fail_op(m, "read", path);
	stamp(m->want, m->bytes, i);
	*bad += r != m->bytes || memcmp(m->buf, m->want, (size_t)m->bytes) != 0;
	return 0;
}

/* One phase on this rank: items done, or stops at the first failure. */
static long phase_ops(struct md *m, int shared, int k, long *bad)
{
	int own = owner(m, m->rank, k);
	char path[PATH_MAX + 64];
	long done = 0;
	struct stat st;
	for (long i = 0; i < m->files; i++) {
		path_of(m, shared, own, i, path, sizeof(path));
		int rc = 0;
		switch (k) {
		case CREATE: rc = create_one(m, path, i); break;
		case STAT:
			rc = stat(path, &st) != 0 ? fail_op(m, "stat", path) : 0;
			*bad += !rc && st.st_size != m->bytes;
			break;
		case READ: rc = read_one(m, path, i, bad); break;
		case REMOVE: rc = unlink(path) != 0 ? fail_op(m, "remove", path) : 0; break;
		}
		if (rc)
			break;
		done++;
	}
	return done;
}

static void emit_rate(struct md *m, const char *scope, int k, const struct anvil_io_span *s)
{
	double w = anvil_io_span_window(s);
	anvil_ctx_label(m->ctx, "scope", scope);
	anvil_emit_metric(m->ctx, phase_metric[k], w > 0 ? s->ops[0] / w : 0, "ops/s", ANVIL_HIGHER);
}

/* Runs the four phases of one layout; 0, or -1 when a rank failed (every
 * rank returns the same). */
static int run_layout(struct md *m, int shared)
{
	anvil_ctx_label(m->ctx, "variant", shared ? "shared" : "unique");
	int ok = 1, node_rank;
	long bad = 0;
	MPI_Comm_rank(m->node, &node_rank);
	for (int k = 0; k < NPHASES && ok; k++) {
		if (k == CREATE)
			fill_owner(m->buf, m->bytes, m->rank);
		if (k == READ)
			fill_owner(m->want, m->bytes, owner(m, m->rank, READ));
		MPI_Barrier(m->comm);
		double t0 = MPI_Wtime();
		long done = phase_ops(m, shared, k, &bad);
		struct anvil_io_span span = { .start = 0, .end = MPI_Wtime() - t0, .ops = { (double)done, 0 } };
		struct anvil_io_span agg, node;
		ok = anvil_io_agree(m->comm, done == m->files);
		anvil_io_span_reduce(&span, &node, 0, m->node);
		anvil_io_span_reduce(&span, &agg, 0, m->comm);
		if (ok && node_rank == 0)
			emit_rate(m, "node", k, &node);
		if (ok && m->rank == 0)
			emit_rate(m, "aggregate", k, &agg);
	}
	long all_bad = 0;
	MPI_Reduce(&bad, &all_bad, 1, MPI_LONG, MPI_SUM, 0, m->comm);
	anvil_ctx_label(m->ctx, "scope", NULL);
	if (ok && m->rank == 0) {
		char why[200];
		snprintf(why, sizeof(why), "%ld of %ld file(s) read back or stat'ed with a wrong size or content",
			 all_bad, 2 * m->files * m->size);
		anvil_emit_check(m->ctx, "read_back", all_bad == 0, (double)all_bad, 0, all_bad ? why : NULL);
	}
	anvil_ctx_label(m->ctx, "variant", NULL);
	return ok ? 0 : -1;
}

/* The layout's folders and the guard over this rank's files; every rank
 * returns the same. */
static int make_layout(struct md *m, int shared)
{
	struct anvil_io_guard *g = &m->guard;
	memset(g, 0, sizeof(*g));
	if (shared)
		snprintf(g->stem, sizeof(g->stem), "%s/shared/file.%d.", m->top, m->rank);
	else
		snprintf(g->stem, sizeof(g->stem), "%s/rank.%d/file.", m->top, m->rank);
	g->count = m->files;
	if (shared)
		snprintf(g->dirs[0], sizeof(g->dirs[0]), "%s/shared", m->top);
	else
		snprintf(g->dirs[0], sizeof(g->dirs[0]), "%s/rank.%d", m->top, m->rank);
	snprintf(g->dirs[1], sizeof(g->dirs[1]), "%s", m->top);
	anvil_io_guard_arm(g);
	int ok = 1;
	if ((!shared || m->rank == 0) && mkdir(g->dirs[0], 0777) != 0)
		ok = fail_op(m, "mkdir", g->dirs[0]) == 0;
	return anvil_io_agree(m->comm, ok) ? 0 : -1;
}

/* This rank's files and folder gone; the shared folder once all are done. */
static void clear_layout(struct md *m, int shared)
{
	struct anvil_io_guard *g = &m->guard;
	g->dirs[1][0] = '\0';  /* TOP stays for the next layout */
	if (shared)
		g->dirs[0][0] = '\0';
	anvil_io_guard_remove(g);
	MPI_Barrier(m->comm);
	if (shared && m->rank == 0) {
		char d[PATH_MAX + 16];
		snprintf(d, sizeof(d), "%s/shared", m->top);
		rmdir(d);
	}
	anvil_io_guard_disarm();
}

/* Node order and where each rank stands in it (for stride -1). */
static int make_order(struct md *m)
{
	m->order = malloc(sizeof(int) * (size_t)m->size);
	m->pos = malloc(sizeof(int) * (size_t)m->size);
	if (!m->order || !m->pos)
		return -1;
	m->ppn = anvil_io_node_order(m->ctx, m->size, m->order, m->pos);
	if (m->ppn >= m->size)
		m->ppn = 0;  /* one node: own files, as mdtest on one node */
	return 0;
}

/* Parameters, free space, TOP made by rank 0; every rank returns the same. */
static int md_init(struct md *m)
{
	const char *dir = anvil_param_str(m->ctx, "dir"), *variant = anvil_param_str(m->ctx, "variant");
	double fill = anvil_param_double(m->ctx, "max_fill_fraction"), free_b = 0;
	int ok = 1;
	if (!dir[0] || m->files < 1 || m->bytes < 0 || m->bytes > (1 << 30) || fill < 0 || fill > 1 ||
	    (strcmp(variant, "unique") && strcmp(variant, "shared") && strcmp(variant, "both"))) {
		snprintf(m->why, sizeof(m->why), "bad parameters: need dir, files >= 1, 0 <= bytes <= 1 GiB, max_fill_fraction in [0, 1], variant unique, shared or both");
		ok = 0;
	}
	m->buf = malloc((size_t)m->bytes + 1);
	m->want = malloc((size_t)m->bytes + 1);
	if (ok && (!m->buf || !m->want || make_order(m))) {
		snprintf(m->why, sizeof(m->why), "out of memory");
		ok = 0;
	}
	if (anvil_io_site(m->ctx, m->comm, "mdtest", ok, &free_b, m->top, sizeof(m->top), m->why, sizeof(m->why)))
		return -1;
	double need = (double)m->files * (double)m->bytes * m->size;
	if (fill > 0 && need > fill * free_b) {  /* the same on every rank */
		if (m->rank == 0)
			snprintf(m->why, sizeof(m->why), "%s has %.3g GB free: %ld files x %ld bytes x %d ranks exceed max_fill_fraction %g of it",
				 dir, free_b / 1e9, m->files, m->bytes, m->size, fill);
		m->top[0] = '\0';  /* not made */
		return -1;
	}
	if (m->rank == 0 && mkdir(m->top, 0777) != 0)
		ok = fail_op(m, "mkdir", m->top) == 0;
	return anvil_io_agree(m->comm, ok) ? 0 : -1;
}

static enum anvil_status mdtest_run(struct anvil_ctx *ctx)
{
	struct md *m = calloc(1, sizeof(*m));
	if (!m)
		return anvil_ctx_fail(ctx, ANVIL_ERROR, "out of memory");
	m->ctx = ctx;
	m->comm = anvil_ctx_comm(ctx);
	m->rank = anvil_ctx_rank(ctx);
	m->size = anvil_ctx_size(ctx);
	m->files = (long)anvil_param_int(ctx, "files");
	m->bytes = (long)anvil_param_int(ctx, "bytes");
	m->stride = (long)anvil_param_int(ctx, "stride");
	MPI_Comm_split(m->comm, anvil_ctx_node_of(ctx, m->rank), m->rank, &m->node);
	const char *variant = anvil_param_str(ctx, "variant");
	int rc = md_init(m);
	for (int shared = 0; shared < 2 && !rc; shared++) {
		if (strcmp(variant, "both") && strcmp(variant, shared ? "shared" : "unique"))
			continue;
		rc = make_layout(m, shared);
		if (!rc)
			rc = run_layout(m, shared);
		clear_layout(m, shared);
	}
	MPI_Barrier(m->comm);
	if (m->rank == 0 && m->top[0])
		rmdir(m->top);
	int mine_failed = m->why[0] != 0;
	enum anvil_status st = rc == 0 ? ANVIL_OK :
			       mine_failed ? anvil_ctx_fail(ctx, ANVIL_ERROR, "%s", m->why) : ANVIL_OK;
	MPI_Comm_free(&m->node);
	free(m->order);
	free(m->pos);
	free(m->buf);
	free(m->want);
	free(m);
	return st;
}

const struct anvil_runner anvil_runner_mdtest = {
	.name = "mdtest",
	.summary = "metadata rates (mdtest's file phases): create, stat, read, remove ops/s, per node and aggregate",
	.needs = ANVIL_NEEDS_STORAGE,
	.scope = ANVIL_SCOPE_ALL,
	.params = mdtest_params,
	.run = mdtest_run,
};
