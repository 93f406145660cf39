#include "common/journal.h"
#include "common/json.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static long last_seq(const char *text, size_t len, int *torn)
{
	long seq = 0;
	*torn = len > 0 && text[len - 1] != '\n';
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		cJSON *rec = nl ? cJSON_ParseWithLength(p, (size_t)(le - p)) : NULL;
		cJSON *s = cJSON_GetObjectItemCaseSensitive(rec, "seq");
		/* a seq no writer of ours wrote (negative, fractional, beyond 2^53) is ignored */
		if (cJSON_IsNumber(s) && s->valuedouble >= seq && s->valuedouble < 9007199254740992.0 &&
		    s->valuedouble == (double)(long)s->valuedouble)
			seq = (long)s->valuedouble + 1;
		cJSON_Delete(rec);
		p = le + 1;
	}
	return seq;
}

static int journal_repair_note(struct anvil_journal *j, long line, char *err, size_t errlen)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "kind", "repair");
	cJSON_AddNumberToObject(r, "torn_line", (double)line);
	cJSON_AddStringToObject(r, "why", "the line above was cut short by a crash mid-write; the run went on after it");
	int rc = anvil_journal_append(j, r, err, errlen);
	cJSON_Delete(r);
	return rc;
}

int anvil_journal_open(struct anvil_journal *j, const char *dir, char *err, size_t errlen)
{
	memset(j, 0, sizeof(*j));
	j->fd = -1;
	size_t n = strlen(dir) + sizeof(ANVIL_JOURNAL_NAME) + 2;
	j->path = malloc(n);
	snprintf(j->path, n, "%s/%s", dir, ANVIL_JOURNAL_NAME);
	j->fd = open(j->path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (j->fd < 0) {
		snprintf(err, errlen, "%s: cannot open the journal: %s", j->path,
			 errno == ELOOP ? "it is a symbolic link (refused)" : strerror(errno));
		goto err;
	}
	struct stat st;
	if (fstat(j->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: the journal is not a regular file", j->path);
		goto err;
	}
	if (st.st_nlink > 1) {  /* appending would write to the file's other names too */
		snprintf(err, errlen, "%s: the journal has %lu hard links (refused: anvil appends only to a file of its own)",
			 j->path, (unsigned long)st.st_nlink);
		goto err;
	}
	if (st.st_size > 0) {
		size_t len;
		/* through the descriptor just checked, not the name again */
		char *text = anvil_read_fd(j->fd, j->path, (size_t)1 << 30, &len, err, errlen);
		if (!text)
			goto err;
		int torn;
		j->seq = last_seq(text, len, &torn);
		long line = 1;
		for (size_t i = 0; i + 1 < len; i++)
			line += text[i] == '\n';
		free(text);
		if (torn && write(j->fd, "\n", 1) != 1) {
			snprintf(err, errlen, "%s: cannot close the torn last line: %s", j->path,
				 strerror(errno));
			goto err;
		}
		/* say so in the journal, so a reader knows that line is no corruption */
		if (torn && journal_repair_note(j, line, err, errlen))
			goto err;
	}
	return 0;
err:
	anvil_journal_close(j);
	return -1;
}

int anvil_journal_append(struct anvil_journal *j, cJSON *rec, char *err, size_t errlen)
{
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "v");
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "seq");
	/* v and seq first, so a human reading the file sees them first */
	cJSON *v = cJSON_CreateNumber(ANVIL_JOURNAL_VERSION);
	cJSON *s = cJSON_CreateNumber((double)j->seq);
	cJSON_InsertItemInArray(rec, 0, s);
	cJSON_InsertItemInArray(rec, 0, v);
	v->string = strdup("v");
	s->string = strdup("seq");
	char *line = cJSON_PrintUnformatted(rec);
	if (!line) {
		snprintf(err, errlen, "%s: out of memory formatting a record", j->path);
		return -1;
	}
	size_t len = strlen(line);
	line[len] = '\n';  /* overwrite the NUL: one write() carries the whole line */
	size_t off = 0;
	while (off < len + 1) {
		ssize_t w = write(j->fd, line + off, len + 1 - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			free(line);
			snprintf(err, errlen, "%s: cannot append record %ld: %s", j->path, j->seq,
				 e == ENOSPC ? "no space left on the device" : strerror(e));
			/* a partial write is a torn line: the reader tolerates it at the end */
			return -1;
		}
		off += (size_t)w;
	}
	free(line);
	if (fsync(j->fd) != 0) {
		snprintf(err, errlen, "%s: fsync failed: %s", j->path, strerror(errno));
		return -1;
	}
	j->seq++;
	return 0;
}

void anvil_journal_close(struct anvil_journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	j->fd = -1;
	j->path = NULL;
}

/* Is the record at p a repair note for `line`? */
static int repaired(const char *p, const char *end, long line)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	cJSON *r = cJSON_ParseWithLength(p, (size_t)((nl ? nl : end) - p));
	const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "kind"));
	const cJSON *tl = cJSON_GetObjectItemCaseSensitive(r, "torn_line");
	int ok = kind && !strcmp(kind, "repair") && cJSON_IsNumber(tl) && tl->valuedouble == (double)line;
	cJSON_Delete(r);
	return ok;
}

/* "PATH:LINE:COL: what" from the parser's ":1:COL: what" for one line. */
static void line_error(const char *path, long line, const char *perr, char *err, size_t errlen)
{
	unsigned l1, col = 1;
	const char *msg = perr;
	int n = 0;
	if (sscanf(perr, ":%u:%u%n", &l1, &col, &n) == 2)
		msg = perr + n;
	snprintf(err, errlen, "%s:%ld:%u%s (a corrupted journal record, not at the end)",
		 path, line, col, msg);
}

int anvil_journal_parse(const char *text, size_t len, const char *path,
			struct anvil_journal_read *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->records = cJSON_CreateArray();
	const char *p = text, *end = text + len;
	long line = 0, nrec = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		line++;
		size_t n = (size_t)(le - p);
		if (n == 0) {  /* an empty line: what a resumed torn tail leaves */
			p = le + 1;
			continue;
		}
		/* parsed under the name "", so its messages read ":1:COL: what" */
		struct anvil_json_doc doc;
		char perr[512];
		int bad = anvil_json_parse(p, n, "", &doc, perr, sizeof(perr)) != 0;
		if (!bad && !cJSON_IsObject(doc.root)) {
			snprintf(perr, sizeof(perr), ":1:1: expected a JSON object (one record a line), found %s",
				 anvil_json_type_name(doc.root));
			anvil_json_doc_release(&doc);
			bad = 1;
		}
		if (bad) {
			/* A bad line followed by nothing but newlines is a torn tail: the
			 * crash of a writer mid-record (a resume adds the newline). */
			const char *rest = nl ? le + 1 : end;
			while (rest < end && *rest == '\n')
				rest++;
			if (rest >= end) {
				out->torn_tail = 1;
				out->torn_line = line;
				break;
			}
			if (repaired(rest, end, line)) {
				out->torn_repaired++;
				p = le + 1;
				continue;
			}
			line_error(path, line, perr, err, errlen);
			anvil_journal_read_release(out);
			return -1;
		}
		if ((nrec & (nrec - 1)) == 0) {  /* 0, 1, 2, 4 ...: grow to twice */
			long *nl = realloc(out->line_of, sizeof(*nl) * (size_t)(nrec ? 2 * nrec : 1));
			if (!nl) {
				anvil_json_doc_release(&doc);
				snprintf(err, errlen, "%s: out of memory reading the journal", path);
				anvil_journal_read_release(out);
				return -1;
			}
			out->line_of = nl;
		}
		out->line_of[nrec++] = line;
		cJSON_AddItemToArray(out->records, doc.root);
		doc.root = NULL;
		anvil_json_doc_release(&doc);
		p = le + 1;
	}
	out->lines = line;
	return 0;
}

int anvil_journal_read(const char *path, struct anvil_journal_read *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	/* anvil writes the journal itself: a link or a FIFO in its place was planted */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open the journal: %s", path,
			 errno == ELOOP ? "it is a symbolic link (refused)" : strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: the journal is not a regular file", path);
		close(fd);
		return -1;
	}
	size_t len;
	char *text = anvil_read_fd(fd, path, (size_t)1 << 31, &len, err, errlen);
	close(fd);
	if (!text)
		return -1;
	int rc = anvil_journal_parse(text, len, path, out, err, errlen);
	free(text);
	return rc;
}

void anvil_journal_read_release(struct anvil_journal_read *r)
{
	cJSON_Delete(r->records);
	free(r->line_of);
	memset(r, 0, sizeof(*r));
}
