/* anvil_report_run: the journal in, every output file and the table out.
 * Each test is judged, written to report.json, junit.xml and the Prometheus
 * families, and then cut down to what the HTML and the table need, before
 * the next is read: memory stays bounded by the largest test, not the run. */
#include "reports/report.h"
#include "reports/arena.h"
#include "reports/baseline.h"
#include "reports/engine.h"
#include "reports/jsource.h"
#include "reports/jwrite.h"
#include "reports/jtree.h"
#include "reports/render.h"
#include "reports/html_charts.h"
#include "reports/jget.h"
#include "bench/config.h"
#include "common/fsutil.h"
#include "common/journal.h"
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void hardware_dir(char *hw, size_t len)
{
	snprintf(hw, len, "%s/hardware", anvil_config_dir());
}

cJSON *anvil_report_load(const char *path, char *err, size_t errlen)
{
	char jpath[PATH_MAX], hw[PATH_MAX];
	snprintf(jpath, sizeof(jpath), "%s/%s", path, ANVIL_JOURNAL_NAME);
	if (access(jpath, F_OK) == 0) {
		struct anvil_jsource *src = anvil_jsource_file(jpath, err, errlen);
		if (!src)
			return NULL;
		hardware_dir(hw, sizeof(hw));
		struct anvil_engine_opts o = { NULL, hw, path, NULL, NULL };
		cJSON *r = anvil_report_build_from(src, &o, err, errlen);
		anvil_jsource_free(src);
		return r;
	}
	struct anvil_json_doc doc;
	if (anvil_json_load(path, (size_t)1 << 31, &doc, err, errlen))
		return NULL;
	const char *schema = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc.root, "schema"));
	if (!schema || strcmp(schema, ANVIL_REPORT_SCHEMA)) {
		snprintf(err, errlen, "%s: not an anvil report (expected \"schema\": \"%s\") nor a run directory",
			 path, ANVIL_REPORT_SCHEMA);
		anvil_json_doc_release(&doc);
		return NULL;
	}
	cJSON *r = doc.root;
	doc.root = NULL;
	anvil_json_doc_release(&doc);
	return r;
}

/* ---- report.json, written member by member ------------------------------- */

/* Compact, with a line per member of the report and of each test, and a
 * line per element of a test's arrays (metrics, series, info, checks):
 * what a reader greps or diffs, without the indentation that was a fifth
 * of the bytes at a thousand nodes. */
static void json_member(struct anvil_outfile *o, const char *key, const cJSON *v, int last)
{
	anvil_jw_string(&o->buf, key);
	strbuf_addch(&o->buf, ':');
	anvil_jw_flat(o, v, 1);
	strbuf_adds(&o->buf, last ? "\n" : ",\n");
	anvil_outfile_flush(o, 0);
}

static void json_head(struct anvil_outfile *o, const cJSON *head)
{
	strbuf_adds(&o->buf, "{");
	for (const cJSON *m = head->child; m; m = m->next)
		if (strcmp(m->string, "tests"))
			json_member(o, m->string, m, 0);
	strbuf_adds(&o->buf, "\"tests\":[\n");
}

/* ---- the run --------------------------------------------------------------- */

struct outputs {
	struct anvil_outfile json, junit, prom;
	int open;
};

static int outputs_open(struct outputs *out, const char *dir, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->json.fd = out->junit.fd = out->prom.fd = -1;
	if (anvil_outfile_open(&out->json, dir, "report.json", err, errlen))
		return -1;
	if (anvil_outfile_open(&out->junit, dir, "junit.xml", err, errlen)) {
		anvil_outfile_abort(&out->json);
		return -1;
	}
	if (anvil_outfile_open(&out->prom, dir, "metrics.prom", err, errlen)) {
		anvil_outfile_abort(&out->json);
		anvil_outfile_abort(&out->junit);
		return -1;
	}
	out->open = 1;
	return 0;
}

static void outputs_abort(struct outputs *out)
{
	if (!out->open)
		return;
	anvil_outfile_abort(&out->json);
	anvil_outfile_abort(&out->junit);
	anvil_outfile_abort(&out->prom);
	out->open = 0;
}

static int outputs_commit(struct outputs *out, char *err, size_t errlen)
{
	out->open = 0;
	int rc = anvil_outfile_commit(&out->json, err, errlen);
	if (rc) {
		anvil_outfile_abort(&out->junit);
		anvil_outfile_abort(&out->prom);
		return rc;
	}
	rc = anvil_outfile_commit(&out->junit, err, errlen);
	if (rc) {
		anvil_outfile_abort(&out->prom);
		return rc;
	}
	return anvil_outfile_commit(&out->prom, err, errlen);
}

/* Where a test's checks go while it is judged (the engine's sink): report.json
 * text, JUnit testcases, system-out lines and Prometheus lines set aside
 * (on the engine's writing thread), and in the tree only what
 * the view keeps: every check while the test has at most
 * ANVIL_VIEW_MAX_CHECKS, then the ones that did not pass (on the judging
 * thread). One a test (a test is judged into its own while those before it
 * are written out from theirs). */
struct sunk {
	struct anvil_spill json, cases, lines;
	struct anvil_prom_later *prom;   /* the check lines of metrics.prom */
	long n;               /* checks written */
	long kept;            /* checks kept in the tree */
};

static int sink_keep(void *arg, enum anvil_verdict v)
{
	struct sunk *k = arg;
	int keep = v == ANVIL_V_PASS ? k->kept < ANVIL_VIEW_MAX_CHECKS : k->kept < 4 * ANVIL_VIEW_MAX_CHECKS;
	k->kept += keep;
	return keep;
}

static void sink_write(void *arg, const cJSON *t, const cJSON *c)
{
	struct sunk *k = arg;
	if (k->n++)
		strbuf_add(&k->json.buf, ",\n", 2);
	struct anvil_outfile o;  /* the writer appends to a buffer: lend it the spill's */
	anvil_outfile_buffer(&o);
	o.buf = k->json.buf;
	anvil_jw_flat(&o, c, 4);  /* a check sits at depth 4: report, tests, a test, its checks */
	k->json.buf = o.buf;
	anvil_junit_case(&k->cases.buf, t, c);
	anvil_junit_outline(&k->lines.buf, c);
	anvil_prom_check_later(k->prom, t, c);
	anvil_spill_flush(&k->json, 0);
	anvil_spill_flush(&k->cases, 0);
	anvil_spill_flush(&k->lines, 0);
}

static void sunk_init(struct sunk *k)
{
	anvil_spill_init(&k->json);
	anvil_spill_init(&k->cases);
	anvil_spill_init(&k->lines);
	k->prom = anvil_prom_later_new();
}

static void sunk_release(struct sunk *k)
{
	anvil_spill_release(&k->json);
	anvil_spill_release(&k->cases);
	anvil_spill_release(&k->lines);
	anvil_prom_later_free(k->prom);
	k->prom = NULL;
}

/* An array of a test a line per element. */
static void lines_array(struct anvil_outfile *o, const cJSON *a)
{
	struct strbuf *sb = &o->buf;
	strbuf_addch(sb, '[');
	for (const cJSON *c = a->child; c; c = c->next) {
		strbuf_addch(sb, '\n');
		anvil_jw_flat(o, c, 4);
		if (c->next)
			strbuf_addch(sb, ',');
		anvil_outfile_flush(o, 0);
	}
	strbuf_addch(sb, ']');
}

/* A test whose checks were set aside: the spill stands in for "checks". */
static void write_test(struct anvil_outfile *o, const cJSON *t, struct anvil_spill *checks)
{
	struct strbuf *sb = &o->buf;
	strbuf_addch(sb, '{');
	for (const cJSON *m = t->child; m; m = m->next) {
		anvil_jw_string(sb, m->string);
		strbuf_addch(sb, ':');
		if (checks && !strcmp(m->string, "checks")) {
			strbuf_adds(sb, checks->buf.len || checks->total ? "[\n" : "[");
			anvil_spill_copy(checks, o);
			strbuf_addch(sb, ']');
		} else if (cJSON_IsArray(m)) {
			lines_array(o, m);
		} else {
			anvil_jw_flat(o, m, 3);
		}
		strbuf_adds(sb, m->next ? ",\n" : "");
		anvil_outfile_flush(o, 0);
	}
	strbuf_addch(sb, '}');
}

/* report.json's part of a test, on a second thread while the first writes
 * junit.xml and the Prometheus lines of the same (read-only) tree. */
struct json_job {
	struct anvil_outfile *o;
	const cJSON *t;
	struct anvil_spill *checks;  /* NULL: the checks are in the tree */
	int first;
};

static void *json_job_run(void *arg)
{
	struct json_job *job = arg;
	if (!job->first)
		strbuf_add(&job->o->buf, ",\n", 2);
	write_test(job->o, job->t, job->checks);
	anvil_outfile_flush(job->o, 0);
	return NULL;
}

static void junit_test(struct anvil_junit *ju, const cJSON *t, const cJSON *counts, struct sunk *k,
		       struct anvil_outfile *o)
{
	int n[ANVIL_V_FAIL + 1];
	if (!counts) {
		anvil_junit_suite(ju, t, o);
		return;
	}
	for (int v = ANVIL_V_PASS; v <= ANVIL_V_FAIL; v++)
		n[v] = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(counts, anvil_verdict_name((enum anvil_verdict)v)));
	anvil_junit_head(ju, t, n, o);
	anvil_spill_copy(&k->cases, o);
	strbuf_adds(&o->buf, "    <system-out>");
	anvil_spill_copy(&k->lines, o);
	strbuf_adds(&o->buf, "</system-out>\n    <system-err></system-err>\n  </testsuite>\n");
}

/* A test of less journal text than this is judged in malloc'd memory, not
 * in a set of arena regions, so that it does not wait for a set: a score of
 * small tests (NCCL's without GPUs, MPI's, the inventory) each waited for
 * the large test before them to be written out, and the large test after
 * them with them. */
#define SMALL_TEST ((uint64_t)2 << 20)

/* A judged test on its way out: written to report.json (on a thread of its
 * own), junit.xml and the Prometheus families, cut down to its view and
 * kept as text, its arena set (if it has one) then emptied, and the records
 * of a later test read back into the set. On the writing-out thread, in
 * order, while the judging thread goes on. A job with no test only reads
 * records. */
struct out_job {
	cJSON *t;               /* the test, or NULL */
	size_t i;
	int set;                /* the arena set t (and the records read) are in; -1: malloc */
	struct sunk k;          /* t's checks, as the sink wrote them */
	uint64_t mark;          /* once the engine's sink has written this many batches (anvil_engine_sink_mark) */
	size_t read_i;          /* then this test's records are read into the set (n: none) */
	cJSON *recs;            /* they, or NULL with err */
	char err[512];
	int done;               /* under the queue's lock, as the next two */
	int reading;            /* the writing-out thread is reading the records */
	int wanted;             /* the judging thread waits for the set: it reads them itself */
	struct out_job *next;
};

/* The jobs, and what they write to. */
struct outq {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct out_job *head, *tail;  /* head: the job being run, then those waiting */
	int quit;
	struct anvil_engine *e;
	struct outputs *out;
	struct anvil_junit *ju;
	struct anvil_prom *prom;
	cJSON *tests;           /* the view's */
	const cJSON *profile;   /* the view's run.profile_doc */
	struct strbuf *sections;   /* each test's section of the page */
};

static void job_free(struct out_job *o)
{
	if (o) {
		sunk_release(&o->k);
		free(o);
	}
}

static void write_out(struct outq *q, struct out_job *o)
{
	cJSON *t = o->t;
	int arena = o->set >= 0;
	anvil_engine_sink_wait(q->e, o->mark);  /* t's checks written by the sink */
	if (arena) {
		anvil_arena_set(o->set);
		anvil_arena_on(ANVIL_ARENA_TEST);
	}
	/* counts are the view's, not report.json's: out of the tree while it is written */
	cJSON *counts = anvil_engine_sunk(t) ? cJSON_DetachItemFromObjectCaseSensitive(t, "check_counts") : NULL;
	struct json_job job = { &q->out->json, t, counts ? &o->k.json : NULL, o->i == 0 };
	pthread_t th;
	int threaded = pthread_create(&th, NULL, json_job_run, &job) == 0;
	if (!threaded)
		json_job_run(&job);
	junit_test(q->ju, t, counts, &o->k, &q->out->junit);
	/* the check lines made as the checks were judged (set aside), or those in the tree */
	anvil_prom_checks(q->prom, o->k.prom);
	if (!counts)
		anvil_prom_test_checks(q->prom, t);
	anvil_prom_test_figures(q->prom, t);
	struct anvil_view_prep *prep = anvil_view_prepare(t);  /* reads t, as the thread does */
	if (threaded)
		pthread_join(th, NULL);
	if (counts)
		cJSON_AddItemToObject(t, "check_counts", counts);
	anvil_view_test_prepared(t, prep);
	/* the test's section of the page, drawn now; the view, out of the
	 * arena and without what only the section reads, as text until the
	 * page is drawn (parsed again by report_dir) */
	anvil_arena_on(0);
	anvil_html_test_section(&q->sections[o->i], t, (int)o->i, q->profile);
	anvil_html_drop_section_only(t);
	struct strbuf vt = STRBUF_INIT;
	anvil_jw_compact(&vt, t);
	cJSON *raw = cJSON_CreateRaw("");
	cJSON_free(raw->valuestring);
	raw->valuestring = strbuf_detach(&vt);
	cJSON_AddItemToArray(q->tests, raw);
	cJSON_Delete(t);
	o->t = NULL;
	if (arena)
		anvil_arena_reset_set(o->set);
}

static void job_run(struct outq *q, struct out_job *o)
{
	size_t n = anvil_engine_ntests(q->e);
	if (o->t)
		write_out(q, o);
	/* the records, unless the judging thread is waiting for them: then it
	 * reads them, and this thread goes on to write out the next test */
	pthread_mutex_lock(&q->mu);
	if (o->wanted)
		o->read_i = n;
	o->reading = o->read_i < n;
	pthread_mutex_unlock(&q->mu);
	if (o->reading) {
		anvil_arena_set(o->set);
		anvil_arena_on(ANVIL_ARENA_TEST);
		o->recs = anvil_engine_records(q->e, o->read_i, o->err, sizeof(o->err));
		anvil_arena_on(0);
	}
}

static void *out_worker(void *arg)
{
	struct outq *q = arg;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->head && !q->quit)
			pthread_cond_wait(&q->work, &q->mu);
		struct out_job *o = q->head;
		if (!o)
			break;
		pthread_mutex_unlock(&q->mu);
		job_run(q, o);
		pthread_mutex_lock(&q->mu);
		q->head = o->next;
		if (!q->head)
			q->tail = NULL;
		o->done = 1;
		if (o->set < 0)  /* a small test: no one waits for it */
			job_free(o);
		pthread_cond_broadcast(&q->done);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* A job to the writing-out thread (threaded), or run at once. */
static void job_push(struct outq *q, struct out_job *o, int threaded)
{
	if (!threaded) {
		job_run(q, o);
		o->done = 1;
		if (o->set < 0)  /* a small test: no one waits for it */
			job_free(o);
		return;
	}
	pthread_mutex_lock(&q->mu);
	if (q->tail)
		q->tail->next = o;
	else
		q->head = o;
	q->tail = o;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
}

static struct out_job *job_new(size_t i, int set, size_t none)
{
	struct out_job *o = calloc(1, sizeof(*o));
	if (o) {
		o->i = i;
		o->set = set;
		o->read_i = none;
		sunk_init(&o->k);
	}
	return o;
}

/* Big test i's records, into its set: read by the job that last had the
 * set (which is then freed), or here. NULL with err. */
static cJSON *big_records(struct outq *q, struct out_job **owner, int set, size_t i, char *err, size_t errlen)
{
	struct out_job *prev = *owner;
	*owner = NULL;
	if (prev) {  /* the set is free once its last job is done */
		pthread_mutex_lock(&q->mu);
		if (!prev->done && !prev->reading)
			prev->wanted = 1;
		while (!prev->done)
			pthread_cond_wait(&q->done, &q->mu);
		pthread_mutex_unlock(&q->mu);
		int read = prev->read_i == i;
		cJSON *recs = prev->recs;
		if (read && !recs)
			snprintf(err, errlen, "%s", prev->err);
		if (!read)
			cJSON_Delete(recs);
		job_free(prev);
		if (read)
			return recs;
	}
	anvil_arena_set(set);
	anvil_arena_on(ANVIL_ARENA_TEST);
	cJSON *recs = anvil_engine_records(q->e, i, err, errlen);
	anvil_arena_on(0);
	return recs;
}

/* Every test, judged (its checks written as they come) and handed to the
 * writing-out thread, which writes the tests out one at a time, in order,
 * while the next are judged. A large test is judged into one of two sets of
 * arena regions, the large tests taking turns; the job that writes one out
 * then reads the records of the large test after the next into its set
 * (reading a test back is half the time of judging it at a thousand nodes),
 * so that the judging thread only judges; it reads the first two large
 * tests' records before anything else. A small test is judged in
 * malloc'd memory and waits for nothing. */
static int stream_tests(struct anvil_engine *e, cJSON *view, struct outputs *out, struct anvil_prom *prom,
			struct strbuf *sections, char *err, size_t errlen)
{
	struct anvil_junit ju;
	size_t n = anvil_engine_ntests(e), nbig = 0, b = 0;
	struct outq q = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0,
			  e, out, &ju, prom, cJSON_GetObjectItemCaseSensitive(view, "tests"),
			  anvil_jget(anvil_jget(view, "run"), "profile_doc"), sections };
	size_t *big = malloc((n + 1) * sizeof(*big));  /* the large tests, in order */
	if (!big) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (anvil_engine_records_bytes(e, i) >= SMALL_TEST)
			big[nbig++] = i;
	struct out_job *owner[2] = { NULL, NULL };  /* the last job on each set */
	json_head(&out->json, view);
	anvil_junit_begin(&ju, view, &out->junit);
	int rc = 0, was_set = anvil_arena_which_set();
	pthread_t th;
	int threaded = pthread_create(&th, NULL, out_worker, &q) == 0;
	/* the first two large tests' records, read while the small tests before them are judged */
	for (size_t k = 0; k < 2 && k < nbig; k++)
		if ((owner[k] = job_new(n, (int)k, big[k])))
			job_push(&q, owner[k], threaded);
	for (size_t i = 0; i < n && !rc; i++) {
		int is_big = b < nbig && big[b] == i, set = is_big ? (int)(b & 1) : -1;
		struct out_job *o = job_new(i, set, n);
		if (!o) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
			break;
		}
		cJSON *recs;
		if (is_big) {
			recs = big_records(&q, &owner[set], set, i, err, errlen);
			o->read_i = b + 2 < nbig ? big[b + 2] : n;
			b++;
		} else {
			recs = anvil_engine_records(e, i, err, errlen);
		}
		if (!recs) {
			job_free(o);
			rc = -1;
			break;
		}
		struct anvil_engine_sink sink = { sink_keep, sink_write, &o->k };
		anvil_engine_set_sink(e, &sink);
		if (is_big) {
			anvil_arena_set(set);
			anvil_arena_on(ANVIL_ARENA_TEST);  /* the test's tree, dropped at once when it is done */
		}
		o->t = anvil_engine_judge(e, i, recs);
		o->mark = anvil_engine_sink_mark(e);
		anvil_arena_on(0);
		if (is_big)
			owner[set] = o;
		job_push(&q, o, threaded);
	}
	if (threaded) {  /* every job done, then the thread ends */
		pthread_mutex_lock(&q.mu);
		q.quit = 1;
		pthread_cond_signal(&q.work);
		pthread_mutex_unlock(&q.mu);
		pthread_join(th, NULL);
	}
	for (int s = 0; s < 2; s++) {
		if (owner[s])
			cJSON_Delete(owner[s]->recs);
		job_free(owner[s]);
	}
	free(big);
	anvil_arena_set(was_set);
	/* the tests' regions emptied, their pages kept for the views read back
	 * for the page, and given back when the arena is uninstalled (given back
	 * here, the views faulted in a fifth of the run's huge pages afresh: on
	 * a VM whose freed memory the host has taken back, the dearest faults
	 * of the run) */
	anvil_arena_reset();
	anvil_engine_set_sink(e, NULL);
	if (rc)
		return rc;
	strbuf_adds(&out->json.buf, "],\n");  /* the tests */
	anvil_junit_end(&ju, &out->junit);
	return 0;
}

/* After the tests: summary, verdict, exit code, baseline, waivers, inventory. */
static void json_tail(struct anvil_outfile *o, const cJSON *view, const struct anvil_baseline *base)
{
	static const char *const keys[] = { "summary", "verdict", "exit_code", "waivers", "inventory" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(view, keys[i]);
		if (v)
			json_member(o, keys[i], v, !strcmp(keys[i], "inventory"));
		if (base && !strcmp(keys[i], "exit_code")) {
			cJSON *sec = anvil_baseline_section(base, 1);
			json_member(o, "baseline", sec, 0);
			cJSON_Delete(sec);
		}
	}
	strbuf_adds(&o->buf, "}\n");
}

static int write_small(const char *dir, const char *name, struct strbuf *sb, char *err, size_t errlen)
{
	int rc = anvil_write_atomic(dir, name, strbuf_str(sb), sb->len, err, errlen);
	strbuf_release(sb);
	return rc;
}

/* The inventory's section of the page, drawn on a thread of its own while
 * the first tests are judged, when the judging thread leaves the second
 * core idle at times (a table of every node's inventory: a tenth of a
 * second or two at a thousand nodes). */
struct inventory_job {
	const cJSON *inventory;
	struct strbuf html;
};

static void *inventory_job_run(void *arg)
{
	struct inventory_job *j = arg;
	anvil_html_inventory(&j->html, j->inventory);
	return NULL;
}

/* The second half of the tests' views read back, on a thread of its own,
 * into the helper region of the set the first half goes to. */
struct unraw_job {
	cJSON *tests;
	int set;
};

static void *unraw_job_run(void *arg)
{
	struct unraw_job *j = arg;
	anvil_arena_set(j->set);
	anvil_arena_on(ANVIL_ARENA_HELPER);
	anvil_jw_unraw(j->tests);
	anvil_arena_on(0);
	return NULL;
}

/* The tests' views, kept as text, back as trees (in the arena until the
 * page is drawn): two halves on two threads. */
static void unraw_views(cJSON *tests)
{
	int n = cJSON_GetArraySize(tests);
	struct unraw_job j = { anvil_jtree_split(tests, n / 2), anvil_arena_which_set() };
	pthread_t th;
	int threaded = n >= 2 && pthread_create(&th, NULL, unraw_job_run, &j) == 0;
	anvil_arena_on(ANVIL_ARENA_TEST);
	anvil_jw_unraw(tests);
	if (!threaded)
		anvil_jw_unraw(j.tests);
	anvil_arena_on(0);
	if (threaded)
		pthread_join(th, NULL);
	anvil_jtree_append_all(tests, j.tests);
	cJSON_Delete(j.tests);
}

static int report_dir(const char *dir, struct anvil_jsource *src, const cJSON *profile,
		      struct anvil_baseline *base, FILE *table, char *err, size_t errlen)
{
	char hw[PATH_MAX];
	hardware_dir(hw, sizeof(hw));
	struct anvil_engine_opts eo = { profile, hw, dir, base, NULL };
	struct anvil_engine *e = anvil_engine_new(src, &eo, err, errlen);
	if (!e)
		return -1;
	struct outputs out;
	if (outputs_open(&out, dir, err, errlen)) {
		anvil_engine_free(e);
		return -1;
	}
	cJSON *view = anvil_engine_head(e);
	struct anvil_prom *prom = anvil_prom_new();
	anvil_prom_checks_to(prom, &out.prom);
	int arena = anvil_arena_install() == 0;
	size_t ntests = anvil_engine_ntests(e);
	struct strbuf *sections = calloc(ntests + 1, sizeof(*sections));  /* zeroed: empty strbufs */
	struct inventory_job inv = { NULL, STRBUF_INIT };
	pthread_t inv_th;
	inv.inventory = anvil_engine_inventory(e);  /* not changed until it is taken, after the tests */
	int drawn = pthread_create(&inv_th, NULL, inventory_job_run, &inv) == 0;
	int rc = stream_tests(e, view, &out, prom, sections, err, errlen);
	if (!rc)
		rc = anvil_jsource_check_unread(src, err, errlen);
	if (drawn)
		pthread_join(inv_th, NULL);
	if (!rc) {
		anvil_engine_summary(e, view);
		cJSON *w = anvil_engine_waivers(e);
		if (w)
			cJSON_AddItemToObject(view, "waivers", w);
		cJSON_AddItemToObject(view, "inventory", anvil_engine_take_inventory(e));
		json_tail(&out.json, view, base);
		if (base)
			cJSON_AddItemToObject(view, "baseline", anvil_baseline_section(base, 0));
	}
	anvil_prom_finish(prom, view, &out.prom);
	anvil_engine_free(e);
	/* the page is drawn while the writer thread writes the rest out (the
	 * tests' views back as trees, in the arena until it is drawn); it is
	 * written once the other outputs are in place */
	struct strbuf page = STRBUF_INIT;
	if (!rc) {
		anvil_outfile_flush(&out.json, 1);
		anvil_outfile_flush(&out.junit, 1);
		anvil_outfile_flush(&out.prom, 1);
		unraw_views(cJSON_GetObjectItemCaseSensitive(view, "tests"));
		anvil_report_html_parts(view, sections, ntests, drawn ? &inv.html : NULL, &page);
		rc = outputs_commit(&out, err, errlen);
	}
	strbuf_release(&inv.html);
	outputs_abort(&out);
	if (!rc)
		rc = write_small(dir, "report.html", &page, err, errlen);
	strbuf_release(&page);
	for (size_t i = 0; i < ntests; i++)
		strbuf_release(&sections[i]);
	free(sections);
	int code = rc ? -1 : anvil_report_exit_code(view);
	if (!rc && table) {
		anvil_report_table(view, table);
		fprintf(table, "report: %s/report.html (also report.json, junit.xml, metrics.prom)\n", dir);
	}
	cJSON_Delete(view);
	if (arena)
		anvil_arena_uninstall();
	return code;
}

int anvil_report_run(const char *dir, const struct anvil_report_opts *o, char *err, size_t errlen)
{
	char path[PATH_MAX];
	/* Millions of small tree nodes come and go here, between allocations of
	 * a few KiB (series text): glibc consolidates its fast bins before every
	 * such allocation, which took a quarter of the time at a thousand nodes.
	 * Without fast bins (small blocks still come from the per-thread cache)
	 * there is nothing to consolidate. */
	mallopt(M_MXFAST, 0);
	/* Two malloc arenas, not one per thread: the threads that read tests
	 * back and write them out come and go with each test, and memory one
	 * of them freed in its own arena was of no use to the next (15 MiB of
	 * the peak at a thousand nodes). */
	mallopt(M_ARENA_MAX, 2);
	snprintf(path, sizeof(path), "%s/%s", dir, ANVIL_JOURNAL_NAME);
	/* the tests' records checked as they are read back: the journal is
	 * not read through twice (anvil_jsource_check_unread before the
	 * outputs are committed) */
	struct anvil_jsource *src = anvil_jsource_file_deferred(path, err, errlen);
	if (!src)
		return -1;
	struct anvil_json_doc profile = { 0 };
	struct anvil_baseline *base = NULL;
	int code = -1;
	if (o && o->profile && anvil_profile_load(o->profile, &profile, err, errlen))
		goto out;
	if (o && o->baseline && !(base = anvil_baseline_load(o->baseline, err, errlen)))
		goto out;
	code = report_dir(dir, src, profile.root, base, o ? o->out : NULL, err, errlen);
out:
	anvil_baseline_free(base);
	if (profile.root)
		anvil_json_doc_release(&profile);
	anvil_jsource_free(src);
	return code;
}
