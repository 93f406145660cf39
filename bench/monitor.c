#include "bench/monitor.h"
#include "bench/ctx.h"
#include "reports/report.h"
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct anvil_monitor {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct anvil_journal *journal;
	char dir[PATH_MAX];    /* the run directory: the report is written there on a hard timeout */
	FILE *out;
	int tty, stop, ntests;
	int index;             /* running test, or -1 */
	char id[128];
	double started, timeout_s, estimate_left;
	double run_started;
	double done_seconds;   /* sum of finished tests' durations */
	int done;
};

void anvil_format_duration(double s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, len, "%.1fs", s);
	else if (s < 3600)
		snprintf(buf, len, "%dm%02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(buf, len, "%dh%02dm", (int)s / 3600, ((int)s % 3600) / 60);
}

/* What is left: the running test's remaining estimate plus the later ones'. */
static void estimate_text(const struct anvil_monitor *m, double now, char *buf, size_t len)
{
	double elapsed = now - m->started;
	double avg = m->done ? m->done_seconds / m->done : 0;
	double left = m->estimate_left;
	if (left <= 0 && avg > 0)
		left = avg * (m->ntests - m->index - 1);
	if (left <= 0) {
		snprintf(buf, len, "estimating");
		return;
	}
	char d[32];
	anvil_format_duration(left + (elapsed < avg ? avg - elapsed : 0), d, sizeof(d));
	snprintf(buf, len, "about %s left", d);
}

static void draw(struct anvil_monitor *m, double now)
{
	char el[32], est[64];
	anvil_format_duration(now - m->started, el, sizeof(el));
	estimate_text(m, now, est, sizeof(est));
	fprintf(m->out, "\r\033[K[%d/%d] %s  %s  (%s)", m->index + 1, m->ntests, m->id, el, est);
	fflush(m->out);
}

double anvil_monitor_grace(double timeout_s)
{
	return 10.0 + 0.1 * timeout_s;
}

/* A test past its timeout and its grace: some rank did not return, and a
 * hung collective cannot be unwound. Journal it, write the report, end. */
static void watchdog_fire(struct anvil_monitor *m, double now)
{
	char why[300], err[512];
	snprintf(why, sizeof(why), "exceeded its timeout of %.0f s and did not return within %.0f s more "
		 "(ran %.1f s); the run was ended", m->timeout_s, anvil_monitor_grace(m->timeout_s), now - m->started);
	cJSON *rec = anvil_record_new("test", m->id, NULL, -1);
	cJSON_AddStringToObject(rec, "status", "timeout");
	cJSON_AddStringToObject(rec, "why", why);
	cJSON_AddNumberToObject(rec, "duration_s", now - m->started);
	int rc = anvil_journal_append(m->journal, rec, err, sizeof(err));
	cJSON_Delete(rec);
	rec = anvil_record_new("run", NULL, NULL, -1);
	cJSON_AddStringToObject(rec, "event", "end");
	cJSON_AddStringToObject(rec, "status", "aborted");
	cJSON_AddStringToObject(rec, "why", why);
	if (!rc)
		rc = anvil_journal_append(m->journal, rec, err, sizeof(err));
	cJSON_Delete(rec);
	fprintf(stderr, "%sanvil: test %s %s%s%s\n", m->tty ? "\n" : "", m->id, why,
		rc ? "; and the journal could not record it: " : "", rc ? err : "");
	if (!rc && m->dir[0]) {
		/* the main thread is stuck in the test: the report is made from here */
		struct anvil_report_opts ro = { .out = stdout };
		if (anvil_report_run(m->dir, &ro, err, sizeof(err)) < 0)
			fprintf(stderr, "anvil: the report could not be written: %s\n", err);
	}
	fprintf(stderr, "anvil: the journal is intact; continue with: anvil run --resume %s\n",
		m->dir[0] ? m->dir : "<run dir>");
	fflush(NULL);
	/* mpirun (or srun) ends the other ranks when this one exits */
	_exit(3);
}

static void *monitor_main(void *arg)
{
	struct anvil_monitor *m = arg;
	pthread_mutex_lock(&m->lock);
	while (!m->stop) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&m->wake, &m->lock, &ts);
		if (m->stop || m->index < 0)
			continue;
		double now = anvil_now();
		/* grace: for a runner that returns late but returns (the dispatcher
		 * then records the timeout and the run goes on), and the gather */
		if (m->timeout_s > 0 && now > m->started + m->timeout_s + anvil_monitor_grace(m->timeout_s))
			watchdog_fire(m, now);
		if (m->tty)
			draw(m, now);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

struct anvil_monitor *anvil_monitor_start(struct anvil_journal *j, const char *dir, int ntests, FILE *out)
{
	struct anvil_monitor *m = calloc(1, sizeof(*m));
	snprintf(m->dir, sizeof(m->dir), "%s", dir ? dir : "");
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->wake, NULL);
	m->journal = j;
	m->out = out;
	m->tty = isatty(fileno(out)) && getenv("ANVIL_NO_PROGRESS") == NULL;
	m->ntests = ntests;
	m->index = -1;
	m->run_started = anvil_now();
	pthread_create(&m->thread, NULL, monitor_main, m);
	return m;
}

void anvil_monitor_stop(struct anvil_monitor *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->stop = 1;
	pthread_cond_signal(&m->wake);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->wake);
	free(m);
}

void anvil_monitor_begin(struct anvil_monitor *m, int index, const char *id, double timeout_s,
			 double estimate_s)
{
	pthread_mutex_lock(&m->lock);
	m->index = index;
	snprintf(m->id, sizeof(m->id), "%s", id);
	m->started = anvil_now();
	m->timeout_s = timeout_s;
	m->estimate_left = estimate_s;
	if (!m->tty) {
		fprintf(m->out, "[%d/%d] %s: started\n", index + 1, m->ntests, id);
		fflush(m->out);
	}
	pthread_mutex_unlock(&m->lock);
}

void anvil_monitor_end(struct anvil_monitor *m, const char *status, const char *why)
{
	pthread_mutex_lock(&m->lock);
	double took = anvil_now() - m->started;
	char d[32];
	anvil_format_duration(took, d, sizeof(d));
	fprintf(m->out, "%s[%d/%d] %s: %s in %s%s%s\n", m->tty ? "\r\033[K" : "", m->index + 1,
		m->ntests, m->id, status, d, why && *why ? ": " : "", why ? why : "");
	fflush(m->out);
	m->done_seconds += took;
	m->done++;
	m->index = -1;
	pthread_mutex_unlock(&m->lock);
}

int anvil_monitor_append(struct anvil_monitor *m, cJSON *rec, char *err, size_t errlen)
{
	pthread_mutex_lock(&m->lock);
	int rc = anvil_journal_append(m->journal, rec, err, errlen);
	pthread_mutex_unlock(&m->lock);
	return rc;
}
