/* Buffered output files renamed into place, and spills; see outfile.h.
 *
 * One writer thread makes every write(): the kernel's copy of a thousand
 * nodes' outputs into the page cache (half a gigabyte, and the spills' text
 * into and out of their temporary files) was a sixth of `anvil report`'s
 * time, on the thread that judges. Producers hand it a full buffer, take an
 * empty one from a small pool and go on; it writes in the order handed.
 * A commit, an abort and reading a spill back wait until everything handed
 * is written. Without a thread (none could be made) each write is made
 * where it is handed, as before.
 *
 * The writer writes an output file in whole 1 MiB stages (the last one
 * aside), past its first 2 MiB with O_DIRECT: at a thousand nodes the page
 * cache's part of it was still a sixth of all the CPU time (new page-cache
 * pages are dear on a VM whose fresh memory is faulted in from the host),
 * for files written once and seldom read. A file system that refuses
 * O_DIRECT gets the page cache as before. A spill's temporary file goes
 * through the page cache: it is read back within seconds and then closed,
 * unlinked, so its text never needs to reach the disk; with O_DIRECT it
 * did, both ways (at a thousand nodes 190 MiB written and read back on the
 * writer thread, which the judging thread then waited for). */
#include "reports/outfile.h"
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FLUSH_AT (1u << 20)
#define SPILL_AT (256u << 10)   /* a spill's text goes to its file from here: a score of them are filling at once */
#define QUEUE_MAX ((size_t)8 << 20)    /* bytes handed and not yet written before producers wait */
#define POOL_MAX 6
#define STAGE ((size_t)1 << 20)        /* an output file's writes: whole stages but the last */
#define STAGE_ALIGN 4096
#define DIRECT_AFTER ((off_t)2 << 20)

enum op_kind { OP_WRITE, OP_PWRITE, OP_COPY, OP_CLOSE };

struct op {
	enum op_kind kind;
	struct anvil_outfile *o;   /* OP_WRITE, OP_COPY: the destination */
	int fd;                    /* OP_PWRITE, OP_CLOSE: the spill's file; OP_COPY: the source */
	struct strbuf buf;         /* OP_WRITE, OP_PWRITE: the text (back to the pool once written) */
	off_t off;                 /* OP_PWRITE, OP_COPY: where in fd */
	size_t len;                /* OP_COPY */
	struct op *next;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t work, room, idle;
	struct op *head, *tail;
	size_t queued;             /* bytes handed and not yet written */
	int busy;                  /* the thread is on an op */
	int state;                 /* 0 not started, 1 running, -1 could not start: write inline */
	struct strbuf pool[POOL_MAX];
	int npool;
	char spill_err[256];       /* a spill's write failed (sticky): every commit after fails */
} W = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
	PTHREAD_COND_INITIALIZER, NULL, NULL, 0, 0, 0, { { NULL, 0, 0 } }, 0, "" };

/* ---- the writes themselves (on the writer thread) --------------------------- */

/* o failed: "path: what: the error" (what: "cannot write", or what else failed). */
static void set_failed_at(struct anvil_outfile *o, const char *what, int e)
{
	char path[sizeof(o->err)];
	snprintf(path, sizeof(path), "%s", o->err);
	snprintf(o->err, sizeof(o->err), "%.400s: %s: %s", path, what,
		 e == ENOSPC ? "no space left on the device" : strerror(e));
	o->failed = 1;
}

static void set_failed(struct anvil_outfile *o, int e)
{
	set_failed_at(o, "cannot write", e);
}

/* O_DIRECT off for fd (the file system, or where the file now stands,
 * will not have it); 1 if it was on. */
static int drop_direct(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl >= 0 && (fl & O_DIRECT) && fcntl(fd, F_SETFL, fl & ~O_DIRECT) == 0;
}

/* 0, or the errno of the failed write; where O_DIRECT is refused (EINVAL),
 * on through the page cache from where it stopped */
static int write_all(int fd, const char *p, size_t len, off_t off, int positioned)
{
	while (len) {
		ssize_t w = positioned ? pwrite(fd, p, len, off) : write(fd, p, len);
		if (w < 0 && (errno == EINTR || (errno == EINVAL && drop_direct(fd))))
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		p += w;
		off += w;
		len -= (size_t)w;
	}
	return 0;
}

/* ---- a file's stage: whole blocks, past DIRECT_AFTER around the page cache ---- */

/* n staged bytes written (all of a full stage, or the tail at the commit):
 * with O_DIRECT once the file holds DIRECT_AFTER bytes, where the file
 * system allows (EINVAL: the page cache it is). */
static int stage_out(struct anvil_outfile *o, size_t n)
{
	int fl = fcntl(o->fd, F_GETFL);
	int want = o->direct >= 0 && o->written >= DIRECT_AFTER && n % STAGE_ALIGN == 0;
	if (fl >= 0 && want != !!(fl & O_DIRECT) && fcntl(o->fd, F_SETFL, want ? fl | O_DIRECT : fl & ~O_DIRECT) != 0)
		o->direct = -1;
	int e = write_all(o->fd, o->stage, n, 0, 0);
	if (want && ((fl = fcntl(o->fd, F_GETFL)) < 0 || !(fl & O_DIRECT)))
		o->direct = -1;  /* refused: the page cache from now on */
	o->written += (off_t)n;
	o->staged = 0;
	return e;
}

static int stage_room(struct anvil_outfile *o)
{
	if (!o->stage && posix_memalign((void **)&o->stage, STAGE_ALIGN, STAGE))
		return ENOMEM;
	return 0;
}

/* len bytes appended to o's file through its stage. 0 or an errno. */
static int stage_add(struct anvil_outfile *o, const char *p, size_t len)
{
	int e = stage_room(o);
	while (!e && len) {
		size_t n = STAGE - o->staged < len ? STAGE - o->staged : len;
		memcpy(o->stage + o->staged, p, n);
		o->staged += n;
		p += n;
		len -= n;
		if (o->staged == STAGE)
			e = stage_out(o, STAGE);
	}
	return e;
}

/* len bytes of the spill file src from off appended to o's file, read
 * straight into its stage. 0 or an errno; *reading is set when it was the
 * spill's file that could not be read (EIO: it is shorter than written). */
static int stage_copy(struct anvil_outfile *o, int src, off_t off, size_t len, int *reading)
{
	int e = stage_room(o);
	while (!e && len) {
		size_t n = STAGE - o->staged < len ? STAGE - o->staged : len;
		ssize_t got = pread(src, o->stage + o->staged, n, off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			*reading = 1;
			return got < 0 ? errno : EIO;
		}
		o->staged += (size_t)got;
		off += (off_t)got;
		len -= (size_t)got;
		if (o->staged == STAGE)
			e = stage_out(o, STAGE);
	}
	return e;
}

/* The tail of the stage written and the stage freed. 0 or an errno. */
static int stage_finish(struct anvil_outfile *o)
{
	int e = o->staged ? stage_out(o, o->staged) : 0;
	free(o->stage);
	o->stage = NULL;
	return e;
}

static void run_op(struct op *op)
{
	int e;
	switch (op->kind) {
	case OP_WRITE:
		if (!op->o->failed && (e = stage_add(op->o, op->buf.buf, op->buf.len)))
			set_failed(op->o, e);
		break;
	case OP_PWRITE:
		if ((e = write_all(op->fd, op->buf.buf, op->buf.len, op->off, 1)) && !W.spill_err[0])
			snprintf(W.spill_err, sizeof(W.spill_err), "a temporary file: cannot write: %s",
				 e == ENOSPC ? "no space left on the device" : strerror(e));
		break;
	case OP_COPY: {
		int reading = 0;
		if (!op->o->failed && (e = stage_copy(op->o, op->fd, op->off, op->len, &reading)))
			set_failed_at(op->o, reading ? "cannot read back a temporary file of it" : "cannot write", e);
		break;
	}
	case OP_CLOSE:
		close(op->fd);
		break;
	}
}

/* ---- the queue ------------------------------------------------------------------- */

/* An empty buffer for a producer (W.mu not held). */
static struct strbuf pool_get(void)
{
	struct strbuf sb = STRBUF_INIT;
	pthread_mutex_lock(&W.mu);
	if (W.npool)
		sb = W.pool[--W.npool];
	pthread_mutex_unlock(&W.mu);
	if (!sb.cap)
		strbuf_reserve(&sb, 2 * FLUSH_AT - 1);
	sb.len = 0;
	sb.buf[0] = '\0';
	return sb;
}

/* W.mu held */
static void pool_put(struct strbuf *sb)
{
	if (sb->cap && W.npool < POOL_MAX)
		W.pool[W.npool++] = *sb;
	else
		strbuf_release(sb);
	strbuf_init(sb);
}

/* What an op holds in memory until it is done: its buffer (a copy from a
 * spill's file holds none, and is no reason for a producer to wait). */
static size_t op_bytes(const struct op *op)
{
	return op->buf.len;
}

static void *writer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&W.mu);
	for (;;) {
		while (!W.head)
			pthread_cond_wait(&W.work, &W.mu);
		struct op *op = W.head;
		W.head = op->next;
		if (!W.head)
			W.tail = NULL;
		W.busy = 1;
		pthread_mutex_unlock(&W.mu);
		run_op(op);
		pthread_mutex_lock(&W.mu);
		W.busy = 0;
		W.queued -= op_bytes(op);
		pool_put(&op->buf);
		free(op);
		pthread_cond_broadcast(&W.room);
		if (!W.head)
			pthread_cond_broadcast(&W.idle);
	}
	return NULL;
}

/* Hands op to the writer (or runs it here when there is none). */
static void submit(struct op *op)
{
	pthread_mutex_lock(&W.mu);
	if (W.state == 0) {
		pthread_t th;
		W.state = pthread_create(&th, NULL, writer_main, NULL) == 0 ? 1 : -1;
		if (W.state == 1)
			pthread_detach(th);
	}
	if (W.state < 0) {
		pthread_mutex_unlock(&W.mu);
		run_op(op);
		pthread_mutex_lock(&W.mu);
		pool_put(&op->buf);
		pthread_mutex_unlock(&W.mu);
		free(op);
		return;
	}
	while (W.queued > QUEUE_MAX)
		pthread_cond_wait(&W.room, &W.mu);
	op->next = NULL;
	if (W.tail)
		W.tail->next = op;
	else
		W.head = op;
	W.tail = op;
	W.queued += op_bytes(op);
	pthread_cond_signal(&W.work);
	pthread_mutex_unlock(&W.mu);
}

/* Everything handed is written. */
static void drain(void)
{
	pthread_mutex_lock(&W.mu);
	while (W.head || W.busy)
		pthread_cond_wait(&W.idle, &W.mu);
	pthread_mutex_unlock(&W.mu);
}

/* Drained, and the pool's buffers back to the system: the page drawn
 * after the outputs are written is the report's high-water mark. */
static void drain_and_trim(void)
{
	drain();
	pthread_mutex_lock(&W.mu);
	int had = W.npool;
	while (W.npool)
		strbuf_release(&W.pool[--W.npool]);
	pthread_mutex_unlock(&W.mu);
	if (had)
		malloc_trim(0);  /* freed heap pages in the middle of the heap too */
}

static struct op *op_new(enum op_kind kind)
{
	struct op *op = calloc(1, sizeof(*op));
	if (!op)
		anvil_out_of_memory();
	op->kind = kind;
	return op;
}

/* The text in *sb handed over as a write to o; *sb is an empty buffer after. */
static void hand_over(struct strbuf *sb, struct anvil_outfile *o)
{
	struct op *op = op_new(OP_WRITE);
	op->o = o;
	op->buf = *sb;
	*sb = pool_get();
	submit(op);
}

/* ---- output files ------------------------------------------------------------------ */

void anvil_outfile_buffer(struct anvil_outfile *o)
{
	memset(o, 0, sizeof(*o));
	strbuf_init(&o->buf);
	o->fd = o->dfd = -1;
}

int anvil_outfile_open(struct anvil_outfile *o, const char *dir, const char *name, char *err, size_t errlen)
{
	anvil_outfile_buffer(o);
	snprintf(o->name, sizeof(o->name), "%s", name);
	o->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o->dfd < 0) {
		snprintf(err, errlen, "%s: cannot open directory: %s", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < 100 && o->fd < 0; i++) {
		snprintf(o->tmp, sizeof(o->tmp), ".%s.tmp.%d.%d", name, (int)getpid(), i);
		o->fd = openat(o->dfd, o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (o->fd < 0 && errno != EEXIST)
			break;
	}
	if (o->fd < 0) {
		snprintf(err, errlen, "%s/%s: cannot create: %s", dir, name, strerror(errno));
		close(o->dfd);
		o->dfd = -1;
		return -1;
	}
	snprintf(o->err, sizeof(o->err), "%s/%s", dir, name);  /* the path, for messages */
	return 0;
}

void anvil_outfile_flush(struct anvil_outfile *o, int force)
{
	if (o->fd < 0 || !o->buf.len || (!force && o->buf.len < FLUSH_AT))
		return;
	hand_over(&o->buf, o);
}

void anvil_outfile_abort(struct anvil_outfile *o)
{
	if (o->fd >= 0) {
		drain();  /* nothing is writing to it any more */
		free(o->stage);
		o->stage = NULL;
		close(o->fd);
		unlinkat(o->dfd, o->tmp, 0);  /* nothing half-written is left behind */
	}
	if (o->dfd >= 0)
		close(o->dfd);
	strbuf_release(&o->buf);
	o->fd = o->dfd = -1;
}

int anvil_outfile_commit(struct anvil_outfile *o, char *err, size_t errlen)
{
	if (o->fd < 0) {
		strbuf_release(&o->buf);
		return 0;
	}
	anvil_outfile_flush(o, 1);
	drain_and_trim();
	int e = stage_finish(o);  /* the writer is idle: its part is done here */
	if (e && !o->failed)
		set_failed(o, e);
	if (!o->failed && W.spill_err[0]) {
		snprintf(o->err, sizeof(o->err), "%.400s (while writing %.60s)", W.spill_err, o->name);
		o->failed = 1;
	}
	/* the reports are rebuilt from the journal at any time, so no fsync: the
	 * rename alone keeps readers from ever seeing half a file */
	if (!o->failed && renameat(o->dfd, o->tmp, o->dfd, o->name) != 0) {
		char path[sizeof(o->err)];
		snprintf(path, sizeof(path), "%s", o->err);
		snprintf(o->err, sizeof(o->err), "%.400s: cannot rename into place: %s", path, strerror(errno));
		o->failed = 1;
	}
	int failed = o->failed;
	if (failed)
		snprintf(err, errlen, "%s", o->err);
	if (failed) {
		anvil_outfile_abort(o);
		return -1;
	}
	close(o->fd);
	close(o->dfd);
	strbuf_release(&o->buf);
	o->fd = o->dfd = -1;
	return 0;
}

/* ---- spills ------------------------------------------------------------------------- */

void anvil_spill_init(struct anvil_spill *sp)
{
	memset(sp, 0, sizeof(*sp));
	strbuf_init(&sp->buf);
	sp->fd = -1;
}

/* An unnamed temporary file (where tmpfile(3) makes it), or -1. */
static int temp_fd(void)
{
	FILE *f = tmpfile();
	if (!f)
		return -1;
	int fd = fcntl(fileno(f), F_DUPFD_CLOEXEC, 0);
	fclose(f);
	return fd;
}

void anvil_spill_flush(struct anvil_spill *sp, int force)
{
	if (!sp->buf.len || (!force && sp->buf.len < SPILL_AT))
		return;
	if (sp->fd < 0)
		sp->fd = temp_fd();
	/* without a temporary file (none can be made) the text stays in memory */
	if (sp->fd < 0)
		return;
	struct op *op = op_new(OP_PWRITE);
	op->fd = sp->fd;
	op->off = (off_t)sp->total;
	sp->total += sp->buf.len;
	op->buf = sp->buf;
	sp->buf = pool_get();
	submit(op);
}

void anvil_spill_copy(struct anvil_spill *sp, struct anvil_outfile *o)
{
	if (sp->total && o->fd >= 0) {
		/* in order: what o has so far, then the file's part (written by then: one queue) */
		anvil_outfile_flush(o, 1);
		struct op *op = op_new(OP_COPY);
		op->o = o;
		op->fd = sp->fd;
		op->len = sp->total;
		submit(op);
	} else if (sp->total) {
		/* into a buffer only: read back once the writer has it all, through the page cache */
		drain();
		size_t at = 0;
		strbuf_reserve(&o->buf, sp->total);
		while (at < sp->total) {
			ssize_t r = pread(sp->fd, o->buf.buf + o->buf.len, sp->total - at, (off_t)at);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				snprintf(o->err, sizeof(o->err), "a temporary file: cannot read back: %s",
					 r < 0 ? strerror(errno) : "it is shorter than was written");
				o->failed = 1;
				break;
			}
			o->buf.len += (size_t)r;
			at += (size_t)r;
		}
		o->buf.buf[o->buf.len] = '\0';
	}
	sp->total = 0;  /* the file is written over from its start (after the copy: one queue) */
	strbuf_add(&o->buf, sp->buf.buf ? sp->buf.buf : "", sp->buf.len);
	anvil_outfile_flush(o, 0);
	sp->buf.len = 0;
	if (sp->buf.buf)
		sp->buf.buf[0] = '\0';
}

void anvil_spill_release(struct anvil_spill *sp)
{
	if (sp->fd >= 0) {
		/* closed by the writer after the writes and copies before it */
		struct op *op = op_new(OP_CLOSE);
		op->fd = sp->fd;
		submit(op);
	}
	strbuf_release(&sp->buf);
	memset(sp, 0, sizeof(*sp));
	sp->fd = -1;
}
