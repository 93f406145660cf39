#include "bench/dispatch.h"
#include "bench/affinity.h"
#include "bench/ctx.h"
#include "bench/pairs.h"
#include "bench/subproc.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHY_MAX 256

/* What the job's shape lacks; asked after the runner's own availability, so
 * "no RDMA device" is said before "needs 2 nodes". */
static const char *shape_unmet(const struct anvil_world *w, const struct anvil_runner *r,
			       char *why, size_t len)
{
	if ((r->needs & ANVIL_NEEDS_2RANKS) && w->size < 2) {
		snprintf(why, len, "needs at least 2 ranks; this job has 1 (launch with mpirun -np 2 or more)");
		return why;
	}
	if (((r->needs & ANVIL_NEEDS_2NODES) || r->scope == ANVIL_SCOPE_PAIRS) && w->nnodes < 2) {
		snprintf(why, len, "needs ranks on at least 2 nodes; this job spans %d", w->nnodes);
		return why;
	}
	return NULL;
}

static int participates(const struct anvil_world *w, enum anvil_scope scope);

const char *anvil_dispatch_unmet_here(const struct anvil_runner *r, char *why, size_t len)
{
	char path[PATH_MAX];
	if (!r->run) {
		snprintf(why, len, "not built: %s", r->not_built ? r->not_built : "unknown reason");
		return why;
	}
	if ((r->needs & ANVIL_NEEDS_FIO) && anvil_program_find("fio", path, sizeof(path)) < 0) {
		snprintf(why, len, "fio not found in PATH");
		return why;
	}
	return NULL;
}

const char *anvil_dispatch_unmet(const struct anvil_world *w, const struct anvil_runner *r,
				 char *why, size_t len)
{
	if (anvil_dispatch_unmet_here(r, why, len))
		return why;
	/* the runner's own word first: "no RDMA device" before "needs 2 nodes" */
	if (participates(w, r->scope) && r->available && !r->available(why, len)) {
		if (!why[0])
			snprintf(why, len, "unavailable (no reason given)");
		return why;
	}
	return shape_unmet(w, r, why, len);
}

static int participates(const struct anvil_world *w, enum anvil_scope scope)
{
	return scope == ANVIL_SCOPE_PER_NODE || scope == ANVIL_SCOPE_PAIRS ? w->local_rank == 0 : 1;
}

static int threads_for(const struct anvil_world *w, enum anvil_scope scope)
{
	if (scope == ANVIL_SCOPE_PER_NODE || scope == ANVIL_SCOPE_PAIRS)
		return w->cores;
	int t = w->cores / (w->local_size > 0 ? w->local_size : 1);
	return t > 0 ? t : 1;
}

/* Every rank's verdict on availability; rank 0 gets the first "no" and its host. */
static int agree_available(const struct anvil_world *w, const struct anvil_test *t,
			   char *why, size_t len)
{
	char mine[WHY_MAX] = "";
	anvil_dispatch_unmet(w, t->runner, mine, sizeof(mine));
	char *all = w->rank == 0 ? calloc((size_t)w->size, WHY_MAX) : NULL;
	MPI_Gather(mine, WHY_MAX, MPI_CHAR, all, WHY_MAX, MPI_CHAR, 0, w->comm);
	int verdict = 1;
	if (w->rank == 0) {
		for (int r = 0; r < w->size && verdict; r++) {
			const char *y = all + (size_t)r * WHY_MAX;
			if (!y[0])
				continue;
			verdict = 0;
			if (w->nnodes > 1)
				snprintf(why, len, "%.*s (on %s)", WHY_MAX, y, w->hostnames[w->node_of[r]]);
			else
				snprintf(why, len, "%.*s", WHY_MAX, y);
		}
		free(all);
	}
	MPI_Bcast(&verdict, 1, MPI_INT, 0, w->comm);
	return verdict;
}

/* The test's one deadline (MPI_Wtime) on this rank: warm-ups, pair rounds
 * and the measured run all count against the profile's timeout. */
static double left_until(double deadline)
{
	double left = deadline - MPI_Wtime();
	return left > 1e-3 ? left : 1e-3;
}

/* 1 on every rank of comm when any of them is past the deadline: they stop together. */
static int agree_late(MPI_Comm comm, double deadline)
{
	int late = MPI_Wtime() > deadline;
	MPI_Allreduce(MPI_IN_PLACE, &late, 1, MPI_INT, MPI_MAX, comm);
	return late;
}

/* Runs the runner once on comm; keeps the records when keep != 0. */
static enum anvil_status run_once(const struct anvil_world *w, const struct anvil_test *t,
				  MPI_Comm comm, cJSON *keep, char *why, size_t len, const char *peer,
				  double deadline)
{
	struct anvil_ctx ctx;
	int threads = t->threads > 0 ? t->threads : threads_for(w, t->runner->scope);
	if (anvil_ctx_init(&ctx, w, t->runner, t->id, comm, t->params, left_until(deadline), threads)) {
		anvil_ctx_release(&ctx);
		snprintf(why, len, "out of memory making the test context");
		return ANVIL_ERROR;
	}
	if (peer)
		anvil_ctx_label(&ctx, "peer", peer);
	struct anvil_affinity placed;
	anvil_affinity_enter(&placed, w, t->runner->scope, threads);
	MPI_Barrier(comm);  /* all start together, so a slow node shows against its peers */
	enum anvil_status st = t->runner->run(&ctx);
	anvil_affinity_leave(&placed);
	if (st != ANVIL_OK)
		snprintf(why, len, "%s", ctx.why[0] ? ctx.why : "no reason given");
	if (keep) {
		cJSON *recs = anvil_ctx_take_records(&ctx);
		cJSON *r;
		while ((r = cJSON_DetachItemFromArray(recs, 0)))
			cJSON_AddItemToArray(keep, r);
		cJSON_Delete(recs);
	}
	anvil_ctx_release(&ctx);
	return st;
}

static enum anvil_status run_pairs(const struct anvil_world *w, const struct anvil_test *t,
				   cJSON *keep, char *why, size_t len, double deadline, int *cut)
{
	enum anvil_status worst = ANVIL_OK;
	int rounds = anvil_pairs_rounds(w->nnodes);
	for (int r = 0; r < rounds; r++) {
		if (r && agree_late(w->leaders, deadline)) {
			*cut = 1;  /* out of time: the rounds left are not started */
			break;
		}
		int partner = anvil_pairs_partner(w->nnodes, r, w->node);
		int color = partner < 0 ? MPI_UNDEFINED : (w->node < partner ? w->node : partner);
		MPI_Comm pair;
		MPI_Comm_split(w->leaders, color, w->node, &pair);
		if (pair != MPI_COMM_NULL) {
			char y[WHY_MAX] = "";
			enum anvil_status st = run_once(w, t, pair, keep, y, sizeof(y),
							w->hostnames[partner], deadline);
			if (st > worst) {
				worst = st;
				snprintf(why, len, "%s", y);
			}
			MPI_Comm_free(&pair);
		}
		/* rounds one after the other: a pair's figure is never shared with another round */
		anvil_world_quiet_barrier(w->leaders);
	}
	return worst;
}

/* Warm-ups then the measured run, on this rank's part of the scope. After
 * each warm-up the ranks of the scope agree whether to go on (none failed,
 * none past the deadline), so that all stop together or none does. */
static enum anvil_status run_scope(const struct anvil_world *w, const struct anvil_test *t,
				   cJSON *recs, char *why, size_t len, double deadline, int *cut)
{
	enum anvil_scope scope = t->runner->scope;
	MPI_Comm comm = scope == ANVIL_SCOPE_PER_NODE ? w->leaders :
			scope == ANVIL_SCOPE_PER_RANK ? MPI_COMM_SELF :
			scope == ANVIL_SCOPE_PAIRS ? w->leaders : w->comm;
	enum anvil_status st = ANVIL_OK;
	for (int i = 0; i <= t->warmup; i++) {
		cJSON *keep = i == t->warmup ? recs : NULL;
		st = scope == ANVIL_SCOPE_PAIRS ? run_pairs(w, t, keep, why, len, deadline, cut)
						: run_once(w, t, comm, keep, why, len, NULL, deadline);
		if (i == t->warmup)
			break;
		int stop[2] = { st != ANVIL_OK, MPI_Wtime() > deadline };
		MPI_Allreduce(MPI_IN_PLACE, stop, 2, MPI_INT, MPI_MAX, comm);
		if (stop[0] || stop[1]) {
			*cut = stop[1];
			break;
		}
	}
	return st;
}

/* This rank's part: status, why, records and, when it ran past the
 * timeout, "late" with "took" and "cut" (warm-ups or rounds left unrun), as one JSON text. */
static char *run_here(const struct anvil_world *w, const struct anvil_test *t)
{
	cJSON *out = cJSON_CreateObject();
	cJSON *recs = cJSON_CreateArray();
	char why[WHY_MAX] = "";
	enum anvil_status st = ANVIL_OK;
	double t0 = MPI_Wtime(), took = 0;
	double deadline = t0 + (t->timeout_s > 0 ? t->timeout_s : 1e9);
	int cut = 0;
	if (participates(w, t->runner->scope)) {
		if (t->runner->scope == ANVIL_SCOPE_PER_RANK)
			MPI_Barrier(w->comm);
		st = run_scope(w, t, recs, why, sizeof(why), deadline, &cut);
		took = MPI_Wtime() - t0;
	}
	/* idle ranks sleep here instead of spinning beside a PER_NODE test */
	anvil_world_quiet_barrier(w->comm);
	cJSON_AddNumberToObject(out, "status", st);
	cJSON_AddStringToObject(out, "why", why);
	if (cut || (t->timeout_s > 0 && took > t->timeout_s)) {
		cJSON_AddTrueToObject(out, "late");
		cJSON_AddNumberToObject(out, "took", took);
		if (cut)
			cJSON_AddTrueToObject(out, "cut");
	}
	cJSON_AddItemToObject(out, "records", recs);
	char *text = cJSON_PrintUnformatted(out);
	cJSON_Delete(out);
	return text;
}

/* "rank 2 (node3) returned after 4.1 s, ..." when some rank ran past the
 * timeout; 0 when none did. */
static int late_why(const struct anvil_world *w, const struct anvil_test *t, const cJSON *parts,
		    char *why, size_t len)
{
	const cJSON *p;
	int r = 0, first = -1, n = 0, cut = 0;
	double worst = 0;
	cJSON_ArrayForEach(p, parts) {
		cut |= cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "cut"));
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "late"))) {
			double took = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(p, "took"));
			if (first < 0 || took > worst) {
				first = r;
				worst = took;
			}
			n++;
		}
		r++;
	}
	if (first < 0)
		return 0;
	char prev[WHY_MAX * 2];
	snprintf(prev, sizeof(prev), "%s", why);
	char who[160];
	if (n > 1)
		snprintf(who, sizeof(who), "%d ranks ran up to %.1f s (rank %d on %s the longest)", n, worst,
			 first, w->hostnames[w->node_of[first]]);
	else
		snprintf(who, sizeof(who), "rank %d (%s) ran %.1f s", first, w->hostnames[w->node_of[first]], worst);
	snprintf(why, len, "exceeded its timeout of %.0f s: %s%s; it returned, so the run went on%s%.200s",
		 t->timeout_s, who, cut ? " and the warm-ups or rounds left were not started" : "",
		 prev[0] ? "; also: " : "", prev);
	return 1;
}

static int journal_test(const struct anvil_world *w, struct anvil_monitor *mon,
			const struct anvil_test *t, cJSON *parts, double started, char *err,
			size_t errlen)
{
	int worst = ANVIL_OK, rc = 0;
	char why[WHY_MAX * 2] = "";
	cJSON *p;
	int r = 0;
	cJSON_ArrayForEach(p, parts) {
		cJSON *recs = cJSON_GetObjectItemCaseSensitive(p, "records"), *rec;
		cJSON_ArrayForEach(rec, recs) {
			if (!rc)
				rc = anvil_monitor_append(mon, rec, err, errlen);
		}
		int st = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(p, "status"));
		if (st > worst) {
			worst = st;
			const char *y = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "why"));
			if (w->size > 1)
				snprintf(why, sizeof(why), "rank %d (%s): %s", r, w->hostnames[w->node_of[r]], y ? y : "");
			else
				snprintf(why, sizeof(why), "%s", y ? y : "");
		}
		r++;
	}
	const char *status = worst == ANVIL_ERROR ? "error" : worst == ANVIL_SKIP ? "skipped" : "ok";
	if (late_why(w, t, parts, why, sizeof(why)))
		status = "timeout";  /* it returned, late: recorded, and the run goes on */
	cJSON *rec = anvil_record_new("test", t->id, NULL, -1);
	cJSON_AddStringToObject(rec, "runner", t->runner->name);
	cJSON_AddStringToObject(rec, "status", status);
	if (why[0])
		cJSON_AddStringToObject(rec, "why", why);
	cJSON_AddNumberToObject(rec, "started", started);
	cJSON_AddNumberToObject(rec, "duration_s", anvil_now() - started);
	if (!rc)
		rc = anvil_monitor_append(mon, rec, err, errlen);
	cJSON_Delete(rec);
	anvil_monitor_end(mon, status, why);
	return rc;
}

static int journal_skip(struct anvil_monitor *mon, const struct anvil_test *t, const char *why,
			char *err, size_t errlen)
{
	cJSON *rec = anvil_record_new("test", t->id, NULL, -1);
	cJSON_AddStringToObject(rec, "runner", t->runner->name);
	cJSON_AddStringToObject(rec, "status", "skipped");
	cJSON_AddStringToObject(rec, "why", why);
	cJSON_AddNumberToObject(rec, "duration_s", 0);
	int rc = anvil_monitor_append(mon, rec, err, errlen);
	cJSON_Delete(rec);
	anvil_monitor_end(mon, "skipped", why);
	return rc;
}

int anvil_dispatch_test(const struct anvil_world *w, struct anvil_monitor *mon,
			const struct anvil_test *t, int index, double estimate_left,
			char *err, size_t errlen)
{
	char why[WHY_MAX * 2] = "";
	int rc = 0;
	double started = anvil_now();
	if (w->rank == 0)
		anvil_monitor_begin(mon, index, t->id, t->timeout_s, estimate_left);
	if (!agree_available(w, t, why, sizeof(why))) {
		if (w->rank == 0)
			rc = journal_skip(mon, t, why, err, errlen);
	} else {
		char *mine = run_here(w, t);
		cJSON *parts = anvil_world_gather_json(w, mine);
		free(mine);
		if (w->rank == 0)
			rc = journal_test(w, mon, t, parts, started, err, errlen);
		cJSON_Delete(parts);
	}
	MPI_Bcast(&rc, 1, MPI_INT, 0, w->comm);
	return rc;
}
