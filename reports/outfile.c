/* Buffered output files renamed into place; see outfile.h. */
#include "reports/outfile.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FLUSH_AT (1u << 20)

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
	if (o->fd < 0 || (!force && o->buf.len < FLUSH_AT))
		return;
	size_t off = 0;
	while (!o->failed && off < o->buf.len) {
		ssize_t w = write(o->fd, o->buf.buf + off, o->buf.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			char path[sizeof(o->err)];
			snprintf(path, sizeof(path), "%s", o->err);
			snprintf(o->err, sizeof(o->err), "%.400s: cannot write: %s", path,
				 errno == ENOSPC ? "no space left on the device" : strerror(errno));
			o->failed = 1;
		}
		off += w > 0 ? (size_t)w : 0;
	}
	o->buf.len = 0;
	if (o->buf.buf)
		o->buf.buf[0] = '\0';
}

void anvil_outfile_abort(struct anvil_outfile *o)
{
	if (o->fd >= 0) {
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

void anvil_spill_init(struct anvil_spill *sp)
{
	memset(sp, 0, sizeof(*sp));
	strbuf_init(&sp->buf);
}

void anvil_spill_flush(struct anvil_spill *sp, int force)
{
	if (!sp->buf.len || (!force && sp->buf.len < FLUSH_AT))
		return;
	if (!sp->file)
		sp->file = tmpfile();
	/* without a temporary file (none can be made) the text stays in memory */
	if (!sp->file || fwrite(sp->buf.buf, 1, sp->buf.len, sp->file) != sp->buf.len)
		return;
	sp->total += sp->buf.len;
	sp->buf.len = 0;
	sp->buf.buf[0] = '\0';
}

void anvil_spill_copy(struct anvil_spill *sp, struct anvil_outfile *o)
{
	if (sp->file && sp->total) {
		FILE *f = sp->file;
		char chunk[1 << 16];
		size_t n;
		fflush(f);
		rewind(f);
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
			strbuf_add(&o->buf, chunk, n);
			anvil_outfile_flush(o, 0);
		}
		rewind(f);
		if (ftruncate(fileno(f), 0) != 0)
			o->failed = 1;
		sp->total = 0;
	}
	strbuf_add(&o->buf, sp->buf.buf ? sp->buf.buf : "", sp->buf.len);
	anvil_outfile_flush(o, 0);
	sp->buf.len = 0;
	if (sp->buf.buf)
		sp->buf.buf[0] = '\0';
}

void anvil_spill_release(struct anvil_spill *sp)
{
	if (sp->file)
		fclose(sp->file);
	strbuf_release(&sp->buf);
	memset(sp, 0, sizeof(*sp));
}
