/* A run's records test by test, from a journal file or an array; see jsource.h. */
#include "reports/jsource.h"
#include "reports/jscan.h"
#include "reports/jplain.h"
#include "reports/jtree.h"
#include "reports/keymap.h"
#include "reports/arena.h"
#include "common/json.h"
#include "common/strbuf.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Each of the two index buffers (a longer line grows its buffer): 16 MiB
 * indexed no faster, and on a VM whose freed memory goes back to the host
 * every fresh page is dear (24 MiB fewer of them). */
#define CHUNK (4u << 20)
#define READ_SPAN (1u << 20)            /* consecutive lines read back at once */
#define PARALLEL_BYTES ((uint64_t)4 << 20)  /* a test this large is read back on two threads */

struct line_ref {
	uint64_t off;
	uint32_t len;
};

struct jtest {
	char *id;
	struct line_ref *lines;     /* file mode */
	const cJSON **recs;         /* records mode, borrowed */
	size_t n, cap;
};

struct anvil_jsource {
	char *path;
	int fd;
	cJSON *meta;                /* owned (file mode) or of references (records mode) */
	long count;
	int torn;
	long torn_line;
	struct jtest *tests;
	size_t ntests, cap;
	struct anvil_keymap ids;    /* id -> index + 1 */
	int deferred;               /* tests' records are checked as they are read back */
	unsigned char *read;        /* deferred: which tests' records were (checked) */
};

static const char *const test_kinds[] = { "test", "metric", "series", "info", "check", NULL };

static int is_test_kind(const char *kind)
{
	for (int i = 0; test_kinds[i]; i++)
		if (!strcmp(kind, test_kinds[i]))
			return 1;
	return 0;
}

static int is_meta_kind(const char *kind)
{
	return !strcmp(kind, "run") || !strcmp(kind, "repair") || !strcmp(kind, "inventory");
}

static struct jtest *test_for(struct anvil_jsource *s, const char *id)
{
	size_t len = strlen(id);
	uintptr_t at = (uintptr_t)anvil_keymap_get(&s->ids, id, len);
	if (at)
		return &s->tests[at - 1];
	if (s->ntests == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 32;
		s->tests = realloc(s->tests, s->cap * sizeof(*s->tests));
	}
	struct jtest *t = &s->tests[s->ntests++];
	memset(t, 0, sizeof(*t));
	t->id = strdup(id);
	anvil_keymap_put(&s->ids, id, len, (void *)(uintptr_t)s->ntests);
	return t;
}

static void add_line(struct jtest *t, uint64_t off, uint32_t len)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->lines = realloc(t->lines, t->cap * sizeof(*t->lines));
	}
	t->lines[t->n++] = (struct line_ref){ off, len };
}

/* A bad line waits for what follows: a repair record naming it, the end of
 * the file (a torn tail), or anything else (a corrupted journal). */
struct pending {
	long line;
	char msg[600];   /* ":COL: what", as common/json.c words it */
};

/* A test's record whose check was left for the read back, held until the
 * line after it is seen: if that is a repair record or a bad line, or there
 * is none (the last line), it is checked now, as a line that may be torn. */
struct held {
	int valid;
	uint64_t off;
	uint32_t len;
	long line;
	char test[512];
};

struct pass1 {
	struct anvil_jsource *s;
	struct pending bad;
	int has_bad;
	struct held held;
	char *err;
	size_t errlen;
};

static int is_repair_of(const char *p, size_t n, long line)
{
	cJSON *r = cJSON_ParseWithLength(p, n);
	const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "kind"));
	const cJSON *tl = cJSON_GetObjectItemCaseSensitive(r, "torn_line");
	int ok = kind && !strcmp(kind, "repair") && cJSON_IsNumber(tl) && (long)tl->valuedouble == line;
	cJSON_Delete(r);
	return ok;
}

/* Why a line is bad, in common/json.c's words (the parser every other input
 * of anvil goes through), as ":COL: what". */
static void why_bad(const char *p, size_t n, size_t where, const char *what, char *out, size_t len)
{
	struct anvil_json_doc doc;
	char perr[512];
	unsigned l1, col;
	int k = 0;
	if (anvil_json_parse(p, n, "", &doc, perr, sizeof(perr)) == 0) {
		if (!cJSON_IsObject(doc.root)) {
			snprintf(out, len, ":1: expected a JSON object (one record a line), found %s",
				 anvil_json_type_name(doc.root));
		} else {
			snprintf(out, len, ":%zu: expected %s", where + 1, what);  /* stricter than the parser */
		}
		anvil_json_doc_release(&doc);
		return;
	}
	if (sscanf(perr, ":%u:%u%n", &l1, &col, &k) == 2)
		snprintf(out, len, ":%u%s", col, perr + k);
	else
		snprintf(out, len, ":%zu: %s", where + 1, perr);
}

/* A line of the journal, where it is in the read buffer, and what the
 * strict check said of it; for a good one, also its "kind" and "test"
 * and, for a record of the run's, its tree: found on the checking
 * threads, not on the one that indexes the lines in order. */
struct lref {
	size_t at, len;
	long line;
	int bad;
	size_t where;        /* bad: the byte offset of the error */
	const char *what;    /* bad: what was expected there (NULL: a record) */
	char kind[32];       /* "kind", unescaped (empty when absent or not a string) */
	int lazy;            /* not checked: a test's record, checked when read back */
	size_t test_at, test_len;   /* "test" as it is in the line, quotes and escapes and all (len 0: none) */
	cJSON *meta;         /* a run, repair or inventory record, parsed (owned) */
};

/* Past a byte-order mark, which the check allows (as common/json.c does). */
static const char *after_bom(const char *p, size_t n)
{
	return n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3) ? p + 3 : p;
}

/* "kind", and where "test" is (one_line unescapes it where it is a string). */
static void kind_and_test(const char *p, size_t n, struct lref *l)
{
	struct anvil_jscan_it it;
	int have = 0;
	anvil_jscan_object(&it, after_bom(p, n), p + n);
	while (have != 3 && anvil_jscan_next(&it)) {
		if (!(have & 1) && anvil_jscan_key_is(&it, "kind")) {
			have |= 1;
			if (anvil_jscan_string(it.val, it.vend, l->kind, sizeof(l->kind)))
				l->kind[0] = '\0';
		} else if (!(have & 2) && anvil_jscan_key_is(&it, "test")) {
			have |= 2;
			l->test_at = (size_t)(it.val - p);
			l->test_len = (size_t)(it.vend - it.val);
		}
	}
}

/* [val, vend) is a plain string (no escape, no UTF-8, closed where it ends). */
static int plain_at(const char *val, const char *vend)
{
	return vend - val >= 2 && *val == '"' && anvil_jplain_string(val, vend) == vend;
}

/* A deferred check's first look at a line (not checked: the iterator stays
 * within the text whatever it holds): 1, with l's kind and test set, when
 * it is a test's record whose "kind" and "test" are plain strings, its
 * check then left for the read back; 0 (l untouched) for anything else,
 * checked now. */
static int defer_line(const char *p, size_t n, struct lref *l)
{
	struct anvil_jscan_it it;
	const char *kind = NULL, *kend = NULL, *test = NULL, *tend = NULL;
	anvil_jscan_object(&it, p, p + n);
	while ((!kind || !test) && anvil_jscan_next(&it)) {
		if (!kind && anvil_jscan_key_is(&it, "kind")) {
			kind = it.val;
			kend = it.vend;
		} else if (!test && anvil_jscan_key_is(&it, "test")) {
			test = it.val;
			tend = it.vend;
		}
	}
	char k[sizeof(l->kind)];
	if (!kind || !test || !plain_at(kind, kend) || !plain_at(test, tend) || tend - test == 2 ||
	    (size_t)(kend - kind) - 2 >= sizeof(k))
		return 0;
	memcpy(k, kind + 1, (size_t)(kend - kind) - 2);
	k[kend - kind - 2] = '\0';
	if (!is_test_kind(k))
		return 0;
	memcpy(l->kind, k, sizeof(k));
	l->test_at = (size_t)(test - p);
	l->test_len = (size_t)(tend - test);
	return 1;
}

static void check_line(const char *buf, struct lref *l, int deferred)
{
	const char *p = buf + l->at;
	size_t n = l->len;
	l->what = NULL;
	l->where = 0;
	l->kind[0] = '\0';
	l->test_at = l->test_len = 0;
	l->meta = NULL;
	l->bad = 0;
	if ((l->lazy = deferred && defer_line(p, n, l)))
		return;
	l->bad = anvil_jscan_check(p, n, &l->where, &l->what) != 0;
	if (!l->bad && *anvil_jscan_ws(after_bom(p, n), p + n) != '{')
		l->bad = 1;
	if (l->bad)
		return;
	kind_and_test(p, n, l);
	if (is_meta_kind(l->kind))  /* checked text: built in one pass, its short strings held once */
		l->meta = anvil_jtree(after_bom(p, n), p + n);
}

static int read_at(int fd, char *buf, size_t len, uint64_t off);

/* The held line indexed; checked first when check (a repair record follows
 * it, or nothing does), and then, if bad, as a bad line met in order. 0, or
 * -1 with p1->err when it cannot be read again. */
static int release_held(struct pass1 *p1, int check)
{
	struct held *h = &p1->held;
	struct anvil_jsource *s = p1->s;
	h->valid = 0;
	if (check) {
		char *buf = malloc(h->len ? h->len : 1);
		errno = 0;
		if (!buf || read_at(s->fd, buf, h->len, h->off)) {
			snprintf(p1->err, p1->errlen, "%s: cannot read back at byte %llu: %s", s->path,
				 (unsigned long long)h->off, errno ? strerror(errno) : "the file got shorter");
			free(buf);
			return -1;
		}
		struct lref l = { .len = h->len, .line = h->line };
		check_line(buf, &l, 0);
		cJSON_Delete(l.meta);
		if (l.bad) {
			p1->bad.line = h->line;
			why_bad(buf, h->len, l.where, l.what ? l.what : "a record", p1->bad.msg, sizeof(p1->bad.msg));
			p1->has_bad = 1;
		}
		free(buf);
		if (l.bad)
			return 0;
	}
	s->count++;
	add_line(test_for(s, h->test), h->off, h->len);
	return 0;
}

static int one_line(struct pass1 *p1, const char *p, struct lref *l, uint64_t off)
{
	struct anvil_jsource *s = p1->s;
	size_t n = l->len;
	/* the held line checked when what follows may be about it: a repair,
	 * or a bad line (which would be named instead of the first) */
	if (p1->held.valid && release_held(p1, l->bad || !strcmp(l->kind, "repair")))
		return -1;
	if (p1->has_bad) {
		if (l->bad || !is_repair_of(p, n, p1->bad.line)) {
			snprintf(p1->err, p1->errlen, "%s:%ld%s (a corrupted journal record, not at the end)",
				 s->path, p1->bad.line, p1->bad.msg);
			return -1;
		}
		p1->has_bad = 0;
	}
	if (l->bad) {
		p1->bad.line = l->line;
		why_bad(p, n, l->where, l->what ? l->what : "a record", p1->bad.msg, sizeof(p1->bad.msg));
		p1->has_bad = 1;
		return 0;
	}
	if (l->lazy) {  /* "test" is a plain string: its bytes are the id (cut at 511) */
		struct held *h = &p1->held;
		size_t idlen = l->test_len - 2 < sizeof(h->test) - 1 ? l->test_len - 2 : sizeof(h->test) - 1;
		h->valid = 1;
		h->off = off;
		h->len = (uint32_t)n;
		h->line = l->line;
		memcpy(h->test, p + l->test_at + 1, idlen);
		h->test[idlen] = '\0';
		return 0;
	}
	/* the id unescaped (cut at 511 bytes; empty when it is not a string) */
	char test[512];
	if (!l->test_len || anvil_jscan_string(p + l->test_at, p + l->test_at + l->test_len, test, sizeof(test)))
		test[0] = '\0';
	s->count++;
	if (is_meta_kind(l->kind)) {
		if (l->meta)
			cJSON_AddItemToArray(s->meta, l->meta);
		l->meta = NULL;
	} else if (test[0] && is_test_kind(l->kind)) {
		add_line(test_for(s, test), off, (uint32_t)n);
	}
	return 0;
}

/* The strict check of a batch of lines, shared out a block of lines at a
 * time to whichever thread asks: the one that reads and indexes helps once
 * its own part is done. */
#define CHECK_BLOCK 256

struct check_job {
	const char *buf;
	struct lref *l;
	size_t n;
	int deferred;
	atomic_size_t next;
};

static void check_blocks(struct check_job *j)
{
	size_t i;
	while ((i = atomic_fetch_add(&j->next, CHECK_BLOCK)) < j->n) {
		size_t end = i + CHECK_BLOCK < j->n ? i + CHECK_BLOCK : j->n;
		for (; i < end; i++)
			check_line(j->buf, &j->l[i], j->deferred);
	}
}

static void *check_thread(void *arg)
{
	check_blocks(arg);
	return NULL;
}

/* One of the two buffers the journal is read into, and its lines. */
struct slot {
	char *buf;
	size_t cap, have;
	size_t start;       /* past the last whole line: the rest goes to the other buffer */
	uint64_t base;      /* the file offset of buf[0] */
	struct lref *l;
	size_t n, lcap;
	int eof;
	int deferred;
	struct check_job job;
	pthread_t th;
	int threaded;
};

/* The slot's buffer twice as large; 0 or ENOMEM (a line longer than memory
 * allows: an error for the journal, not a crash). */
static int slot_grow(struct slot *d)
{
	char *b = realloc(d->buf, 2 * d->cap);
	if (!b)
		return ENOMEM;
	d->buf = b;
	d->cap *= 2;
	return 0;
}

/* The slot filled from the journal: carry (the line the other buffer ended
 * in the middle of) first, then reads until a whole line is there or the
 * file ends; its lines found. 0, or the errno of the failed read. */
static int fill_slot(struct slot *d, int fd, const char *carry, size_t carry_len, long *line)
{
	while (carry_len >= d->cap)
		if (slot_grow(d))
			return ENOMEM;
	if (carry_len)
		memcpy(d->buf, carry, carry_len);
	d->have = carry_len;
	d->n = d->start = 0;
	do {
		if (d->have == d->cap && slot_grow(d))
			return ENOMEM;
		ssize_t r = read(fd, d->buf + d->have, d->cap - d->have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno;
		d->eof = r == 0;
		d->have += (size_t)r;
		/* the complete lines read (and at the end, a last one without its newline) */
		for (;;) {
			char *nl = memchr(d->buf + d->start, '\n', d->have - d->start);
			if (!nl && !(d->eof && d->start < d->have))
				break;
			size_t end = nl ? (size_t)(nl - d->buf) : d->have;
			++*line;
			if (end > d->start) {
				if (d->n == d->lcap) {
					size_t cap = d->lcap ? 2 * d->lcap : 4096;
					struct lref *l = realloc(d->l, cap * sizeof(*d->l));
					if (!l)
						return ENOMEM;
					d->l = l;
					d->lcap = cap;
				}
				d->l[d->n++] = (struct lref){ .at = d->start, .len = end - d->start, .line = *line };
			}
			d->start = nl ? end + 1 : d->have;
			if (!nl)
				break;
		}
	} while (!d->n && !d->eof);
	return 0;
}

/* The slot's lines checked on a second thread (which the caller helps
 * with check_done). */
static void check_start(struct slot *d)
{
	d->job.buf = d->buf;
	d->job.l = d->l;
	d->job.n = d->n;
	d->job.deferred = d->deferred;
	atomic_init(&d->job.next, 0);
	d->threaded = pthread_create(&d->th, NULL, check_thread, &d->job) == 0;
}

static void check_done(struct slot *d)
{
	check_blocks(&d->job);
	if (d->threaded)
		pthread_join(d->th, NULL);
	d->threaded = 0;
}

/* Checked lines l[0..n) of buf indexed in order; -1 (with p1->err) stops. */
static int index_lines(struct pass1 *p1, const char *buf, struct lref *l, size_t n, uint64_t base)
{
	for (size_t i = 0; i < n; i++) {
		if (one_line(p1, buf + l[i].at, &l[i], base + l[i].at)) {
			for (; i < n; i++)
				cJSON_Delete(l[i].meta);
			return -1;
		}
	}
	return 0;
}

/* The journal read into two buffers in turn: while the lines of one are
 * checked (the strict check is most of reading a journal), the next part is
 * read into the other and the lines before indexed, in order; the reading
 * thread then helps check. */
static int index_file(struct pass1 *p1)
{
	struct anvil_jsource *s = p1->s;
	struct slot d[2];
	memset(d, 0, sizeof(d));
	int e = 0;
	for (int k = 0; k < 2; k++) {
		d[k].cap = CHUNK;
		d[k].deferred = s->deferred;
		if (!(d[k].buf = malloc(CHUNK)))
			e = ENOMEM;  /* "cannot read: Cannot allocate memory", as for a line too long */
	}
	long line = 0;
	int cur = 0, rc = 0;
	if (!e)
		e = fill_slot(&d[0], s->fd, NULL, 0, &line);
	if (!e)
		check_start(&d[0]);
	while (!e) {
		struct slot *c = &d[cur], *x = &d[!cur];
		int more = !c->eof;
		if (more) {  /* the next part, while c's lines are checked */
			e = fill_slot(x, s->fd, c->buf + c->start, c->have - c->start, &line);
			x->base = c->base + c->start;
		}
		check_done(c);
		if (more && !e)
			check_start(x);
		rc = index_lines(p1, c->buf, c->l, c->n, c->base);
		if (rc || !more || e) {
			if (more && !e) {  /* stopped early: the part checked meanwhile is not indexed */
				check_done(x);
				for (size_t i = 0; i < x->n; i++)
					cJSON_Delete(x->l[i].meta);
			}
			break;
		}
		cur = !cur;
	}
	if (e) {
		snprintf(p1->err, p1->errlen, "%s: cannot read: %s", s->path, strerror(e));
		rc = -1;
	}
	for (int k = 0; k < 2; k++) {
		free(d[k].buf);
		free(d[k].l);
	}
	if (!rc && p1->held.valid)  /* the last line: checked now, as it may be torn */
		rc = release_held(p1, 1);
	if (!rc && p1->has_bad) {
		s->torn = 1;
		s->torn_line = p1->bad.line;
	}
	/* each test's lines in an array of their number: the doubling's slack
	 * is megabytes at a thousand nodes, kept for the whole report */
	for (size_t i = 0; !rc && i < s->ntests; i++) {
		struct jtest *t = &s->tests[i];
		struct line_ref *fit = t->n && t->n < t->cap ? realloc(t->lines, t->n * sizeof(*t->lines)) : NULL;
		if (fit) {
			t->lines = fit;
			t->cap = t->n;
		}
	}
	return rc;
}

static struct anvil_jsource *source_new(void)
{
	struct anvil_jsource *s = calloc(1, sizeof(*s));
	s->fd = -1;
	s->meta = cJSON_CreateArray();
	return s;
}

static struct anvil_jsource *source_file(const char *path, int deferred, char *err, size_t errlen)
{
	struct anvil_jsource *s = source_new();
	s->path = strdup(path);
	s->deferred = deferred;
	/* anvil writes the journal itself: a link or a FIFO in its place was planted */
	s->fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (s->fd < 0) {
		snprintf(err, errlen, "%s: cannot open the journal: %s", path,
			 errno == ELOOP ? "it is a symbolic link (refused)" : strerror(errno));
		anvil_jsource_free(s);
		return NULL;
	}
	struct stat st;
	if (fstat(s->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: the journal is not a regular file", path);
		anvil_jsource_free(s);
		return NULL;
	}
	struct pass1 p1 = { .s = s, .err = err, .errlen = errlen };
	if (index_file(&p1)) {
		anvil_jsource_free(s);
		/* a line the index could not take may come after one whose check
		 * was deferred: the journal indexed again, every line checked, for
		 * the error of the first bad line */
		return deferred ? source_file(path, 0, err, errlen) : NULL;
	}
	if (deferred && !(s->read = calloc(s->ntests + 1, 1))) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(ENOMEM));
		anvil_jsource_free(s);
		return NULL;
	}
	return s;
}

struct anvil_jsource *anvil_jsource_file(const char *path, char *err, size_t errlen)
{
	return source_file(path, 0, err, errlen);
}

struct anvil_jsource *anvil_jsource_file_deferred(const char *path, char *err, size_t errlen)
{
	return source_file(path, 1, err, errlen);
}

struct anvil_jsource *anvil_jsource_records(const cJSON *records, int torn_tail, long torn_line)
{
	struct anvil_jsource *s = source_new();
	s->torn = torn_tail;
	s->torn_line = torn_line;
	const cJSON *r;
	cJSON_ArrayForEach(r, records) {
		const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "kind"));
		const char *test = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "test"));
		s->count++;
		if (!kind)
			continue;
		if (is_meta_kind(kind)) {
			cJSON_AddItemReferenceToArray(s->meta, (cJSON *)r);
		} else if (test && is_test_kind(kind)) {
			struct jtest *t = test_for(s, test);
			if (t->n == t->cap) {
				t->cap = t->cap ? 2 * t->cap : 64;
				t->recs = realloc(t->recs, t->cap * sizeof(*t->recs));
			}
			t->recs[t->n++] = r;
		}
	}
	return s;
}

void anvil_jsource_free(struct anvil_jsource *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ntests; i++) {
		free(s->tests[i].id);
		free(s->tests[i].lines);
		free(s->tests[i].recs);
	}
	free(s->tests);
	anvil_keymap_release(&s->ids);
	free(s->read);
	cJSON_Delete(s->meta);
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	free(s);
}

const cJSON *anvil_jsource_meta(const struct anvil_jsource *s) { return s->meta; }

cJSON *anvil_jsource_meta_take(struct anvil_jsource *s, const cJSON *rec, const char *key)
{
	cJSON *m = cJSON_GetObjectItemCaseSensitive(rec, key);
	if (!m)
		return NULL;
	/* a file's records are the source's own; borrowed ones are references */
	return s->path ? cJSON_DetachItemViaPointer((cJSON *)rec, m) : cJSON_Duplicate(m, 1);
}
long anvil_jsource_records_count(const struct anvil_jsource *s) { return s->count; }
size_t anvil_jsource_ntests(const struct anvil_jsource *s) { return s->ntests; }
const char *anvil_jsource_test_id(const struct anvil_jsource *s, size_t i) { return s->tests[i].id; }

int anvil_jsource_torn(const struct anvil_jsource *s, long *line)
{
	if (line)
		*line = s->torn_line;
	return s->torn;
}

size_t anvil_jsource_find(const struct anvil_jsource *s, const char *id)
{
	uintptr_t at = (uintptr_t)anvil_keymap_get(&s->ids, id, strlen(id));
	return at ? at - 1 : (size_t)-1;
}

/* The members of a record kept as text (each the first of its name, and
 * only an array or an object as its kind has it): a series' "rows" and
 * "columns" (a dozen small objects a series, which only the page's charts
 * read), an info record's "info". */
struct bulk {
	const char *key[2];
	char open[2];
	int n;
	unsigned done;
};

/* The first "kind" decides (the text need not be checked). */
static void bulk_of(const char *p, size_t n, struct bulk *b)
{
	struct anvil_jscan_it it;
	memset(b, 0, sizeof(*b));
	anvil_jscan_object(&it, p, p + n);
	while (anvil_jscan_next(&it)) {
		if (!anvil_jscan_key_is(&it, "kind"))
			continue;
		if (it.vend - it.val == 8 && !memcmp(it.val, "\"series\"", 8))
			*b = (struct bulk){ { "rows", "columns" }, { '[', '[' }, 2, 0 };
		else if (it.vend - it.val == 6 && !memcmp(it.val, "\"info\"", 6))
			*b = (struct bulk){ { "info", NULL }, { '{', 0 }, 1, 0 };
		return;
	}
}

/* 1 when the member at it, whose value starts at val, is kept as text. */
static int bulk_take(struct bulk *b, const struct anvil_jscan_it *it, const char *val, const char *end)
{
	for (int i = 0; i < b->n; i++)
		if (!(b->done & (1u << i)) && anvil_jscan_key_is(it, b->key[i]) && val < end && *val == b->open[i]) {
			b->done |= 1u << i;
			return 1;
		}
	return 0;
}

/* "v", "seq", "test" (the record's place, known here), and "runner" but
 * on a test's first record (the report takes the test's from there). */
static int dropped_key(const struct anvil_jscan_it *it, int first)
{
	return anvil_jscan_key_is(it, "v") || anvil_jscan_key_is(it, "seq") || anvil_jscan_key_is(it, "test") ||
	       (!first && anvil_jscan_key_is(it, "runner"));
}

/* The bulky member's text [val, vend) as a raw item, from cJSON's
 * allocator (the test's arena in anvil report). */
static cJSON *raw_of(const char *val, const char *vend)
{
	cJSON *m = cJSON_CreateRaw("");
	cJSON_free(m->valuestring);
	m->valuestring = cJSON_malloc((size_t)(vend - val) + 1);
	memcpy(m->valuestring, val, (size_t)(vend - val));
	m->valuestring[vend - val] = '\0';
	return m;
}

/* A record with its bulky members (series rows and columns, info body) kept as text, and
 * without the members the report drops (dropped_key; first: the test's
 * first record): fewer nodes to make for hundreds of thousands of records. */
static cJSON *parse_record(const char *p, size_t n, int first)
{
	struct anvil_jscan_it it;
	struct bulk bulk;
	bulk_of(p, n, &bulk);
	cJSON *rec = cJSON_CreateObject();
	/* the members walked by hand, each value built as it is passed (one
	 * pass over the text, where the iterator's skip and then the build
	 * were two) */
	const char *end = p + n, *q = anvil_jscan_ws(p, end);
	q = q < end && *q == '{' ? anvil_jscan_ws(q + 1, end) : end;
	while (q < end && *q == '"') {
		const char *kend = anvil_jscan_skip(q, end), *val;
		it.key = q + 1;
		it.klen = kend - q >= 2 ? (size_t)(kend - q) - 2 : 0;
		q = anvil_jscan_ws(kend, end);
		val = anvil_jscan_ws(q + 1, end);  /* past the ':' */
		cJSON *m = NULL;
		if (dropped_key(&it, first)) {
			q = anvil_jscan_skip(val, end);
		} else if (bulk_take(&bulk, &it, val, end)) {
			q = anvil_jscan_skip(val, end);
			m = raw_of(val, q);
		} else {
			m = anvil_jtree_parse(val, end, &q);
		}
		if (q <= val)
			q = val + 1;  /* not a value (the line was checked): a byte on */
		if (m) {
			anvil_jtree_name_to(m, &it);
			cJSON_AddItemToArray(rec, m);
		}
		q = anvil_jscan_ws(q, end);
		if (q < end && *q == ',')
			q = anvil_jscan_ws(q + 1, end);
	}
	return rec;
}

/* The last "labels" read back into the arena (reports/arena.h): a record
 * whose labels are the same text gets a reference to that object's members
 * instead of a copy of its own. A rank's figures, checks and series come
 * one after another with the same labels (at a thousand nodes, 570,000 of
 * 650,000 records), and what is in the arena is dropped all at once, so no
 * reference outlives what it points to. Only labels of strings (nothing in
 * the report changes those) are shared. */
struct labels_seen {
	const cJSON *obj;
	size_t len;
	char text[192];
};

static cJSON *labels_shared(const struct labels_seen *ls, const char *val, const char *vend)
{
	size_t n = (size_t)(vend - val);
	if (!ls->obj || n != ls->len || memcmp(val, ls->text, n))
		return NULL;
	return cJSON_CreateObjectReference(ls->obj->child);
}

static void labels_keep(struct labels_seen *ls, const cJSON *m, const char *val, const char *vend)
{
	size_t n = (size_t)(vend - val);
	ls->obj = NULL;
	if (n > sizeof(ls->text) || !cJSON_IsObject(m) || !m->child || !anvil_arena_owns(m))
		return;
	/* all of it the arena's (or interned): nothing a record deleted frees */
	for (const cJSON *c = m->child; c; c = c->next)
		if (!cJSON_IsString(c) || !anvil_arena_owns(c) ||
		    (!(c->type & cJSON_IsReference) && !anvil_arena_owns(c->valuestring)))
			return;
	memcpy(ls->text, val, n);
	ls->len = n;
	ls->obj = m;
}

/* What plain_record builds of a record's members itself. */
struct record_members {
	struct bulk bulk;
	struct labels_seen *ls;
	int first;   /* the test's first record */
};

/* anvil_jtree_member_fn: the dropped members left out, the bulky ones
 * kept as text, labels shared; the rest left to anvil_jtree_plain. */
static int record_member(void *arg, const struct anvil_jscan_it *it, const char *val, const char *end, int depth,
			 cJSON **m, const char **vend)
{
	struct record_members *r = arg;
	int dropped = dropped_key(it, r->first), bulky = !dropped && bulk_take(&r->bulk, it, val, end);
	int labels = !dropped && !bulky && anvil_jscan_key_is(it, "labels");
	if (!dropped && !bulky && !labels)
		return 0;
	if (!(*vend = anvil_jplain_value(val, end, depth)))
		return -1;
	if (bulky)
		*m = raw_of(val, *vend);
	else if (labels && !(*m = labels_shared(r->ls, val, *vend))) {
		if (!(*m = anvil_jtree_plain(val, end, depth, vend)))
			return -1;
		labels_keep(r->ls, *m, val, *vend);
	}
	return 1;
}

/* parse_record's tree of a line that is plain JSON (reports/jplain.h),
 * checked as it is built: NULL when it is not, or not valid. Labels the
 * same as the last ones in ls are shared. */
static cJSON *plain_record(const char *p, size_t n, struct labels_seen *ls, int first)
{
	const char *end = p + n, *q = anvil_jplain_skip_ws(p, end);
	if (q >= end || *q != '{')
		return NULL;
	struct record_members r = { .ls = ls, .first = first };
	bulk_of(p, n, &r.bulk);
	cJSON *rec = anvil_jtree_plain_object(q, end, 0, &q, record_member, &r);
	if (rec && anvil_jplain_skip_ws(q, end) == end)
		return rec;
	cJSON_Delete(rec);
	return NULL;
}

/* A line whose check was deferred: its tree, or NULL when it is not a
 * good record (as the check of the index would have said). */
static cJSON *checked_record(const char *p, size_t n, struct labels_seen *ls, int first)
{
	cJSON *rec = plain_record(p, n, ls, first);
	size_t where;
	const char *what;
	if (!rec && anvil_jscan_check(p, n, &where, &what) == 0 && *anvil_jscan_ws(after_bom(p, n), p + n) == '{')
		rec = parse_record(p, n, first);  /* valid, not plain: escapes, UTF-8 ... */
	return rec;
}

/* A record read back is not valid: the journal checked in full as the
 * index does without deferring, for the error it gives (the first bad
 * line, with its line and column), or else one naming where the record is. */
static void deferred_error(const struct anvil_jsource *s, uint64_t off, char *err, size_t errlen)
{
	int region = anvil_arena_on(0);
	struct anvil_jsource *full = source_file(s->path, 0, err, errlen);
	anvil_arena_on(region);
	if (full) {
		snprintf(err, errlen, "%s: the record at byte %llu is not valid JSON (a corrupted journal record)",
			 s->path, (unsigned long long)off);
		region = anvil_arena_on(0);
		anvil_jsource_free(full);
		anvil_arena_on(region);
	}
}

static int read_at(int fd, char *buf, size_t len, uint64_t off)
{
	size_t got = 0;
	while (got < len) {
		ssize_t r = pread(fd, buf + got, len - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* Lines [from, to) of test t parsed into out, in order; 0, or -1 with err. */
static int read_lines(const struct anvil_jsource *s, const struct jtest *t, size_t from, size_t to, cJSON *out,
		      char *err, size_t errlen)
{
	char *buf = NULL;
	size_t cap = 0;
	int rc = 0;
	struct labels_seen seen = { NULL, 0, "" };
	for (size_t k = from; k < to;) {
		/* consecutive lines in one read */
		size_t last = k;
		uint64_t end = t->lines[k].off + t->lines[k].len;
		while (last + 1 < to && t->lines[last + 1].off == end + 1 && end + 1 - t->lines[k].off < READ_SPAN) {
			last++;
			end = t->lines[last].off + t->lines[last].len;
		}
		uint64_t base = t->lines[k].off;
		size_t span = (size_t)(end - base);
		if (span > cap) {
			cap = span;
			buf = realloc(buf, cap);
		}
		errno = 0;
		if (read_at(s->fd, buf, span, base)) {
			snprintf(err, errlen, "%s: cannot read back at byte %llu: %s", s->path,
				 (unsigned long long)base, errno ? strerror(errno) : "the file got shorter");
			rc = -1;
			break;
		}
		for (; k <= last; k++) {
			const char *line = buf + (t->lines[k].off - base);
			size_t len = t->lines[k].len;
			cJSON *rec = s->deferred ? checked_record(line, len, &seen, k == 0) : parse_record(line, len, k == 0);
			if (!rec) {
				deferred_error(s, t->lines[k].off, err, errlen);
				rc = -1;
				break;
			}
			cJSON_AddItemToArray(out, rec);
		}
		if (rc)
			break;
	}
	free(buf);
	return rc;
}

/* The second half of a test's lines, on a second thread. */
struct half {
	const struct anvil_jsource *s;
	const struct jtest *t;
	size_t from, to;
	int region;       /* its arena region, or 0 for malloc */
	int set;          /* the caller's set of regions */
	cJSON *out;
	int rc;
	char err[512];
};

static void *read_half(void *arg)
{
	struct half *h = arg;
	anvil_arena_set(h->set);
	anvil_arena_on(h->region);
	h->out = cJSON_CreateArray();
	h->rc = read_lines(h->s, h->t, h->from, h->to, h->out, h->err, sizeof(h->err));
	anvil_arena_on(0);
	return NULL;
}

uint64_t anvil_jsource_test_bytes(const struct anvil_jsource *s, size_t i)
{
	const struct jtest *t = &s->tests[i];
	if (t->recs)
		return (uint64_t)t->n * 256;
	uint64_t bytes = 0;
	for (size_t k = 0; k < t->n; k++)
		bytes += t->lines[k].len;
	return bytes;
}

cJSON *anvil_jsource_test_records(const struct anvil_jsource *s, size_t i, char *err, size_t errlen)
{
	const struct jtest *t = &s->tests[i];
	cJSON *out = cJSON_CreateArray();
	if (t->recs) {
		for (size_t k = 0; k < t->n; k++)
			cJSON_AddItemToArray(out, cJSON_Duplicate(t->recs[k], 1));
		return out;
	}
	/* A large test is read in two halves (by bytes) on two threads: parsing
	 * is most of a thousand nodes' read-back. The second half's trees come
	 * from the arena's helper region while the caller's come from the test's. */
	uint64_t bytes = anvil_jsource_test_bytes(s, i);
	size_t mid = t->n;
	if (bytes >= PARALLEL_BYTES) {
		uint64_t half = 0;
		for (mid = 0; mid < t->n && half < bytes / 2; mid++)
			half += t->lines[mid].len;
	}
	int region = anvil_arena_on(0);
	anvil_arena_on(region);
	struct half h = { s, t, mid, t->n, region ? ANVIL_ARENA_HELPER : 0, anvil_arena_which_set(), NULL, 0, "" };
	pthread_t th;
	int threaded = mid < t->n && pthread_create(&th, NULL, read_half, &h) == 0;
	int rc = read_lines(s, t, 0, threaded ? mid : t->n, out, err, errlen);
	if (threaded) {
		pthread_join(th, NULL);
		if (!rc && h.rc) {
			snprintf(err, errlen, "%s", h.err);
			rc = -1;
		}
		anvil_jtree_append_all(out, h.out);
		cJSON_Delete(h.out);
	}
	if (rc) {
		cJSON_Delete(out);
		return NULL;
	}
	if (s->read)
		s->read[i] = 1;
	return out;
}

int anvil_jsource_check_unread(const struct anvil_jsource *s, char *err, size_t errlen)
{
	for (size_t i = 0; s->read && i < s->ntests; i++) {
		if (s->read[i])
			continue;
		int region = anvil_arena_on(0);
		cJSON *recs = anvil_jsource_test_records(s, i, err, errlen);
		anvil_arena_on(region);
		if (!recs)
			return -1;
		cJSON_Delete(recs);
	}
	return 0;
}
