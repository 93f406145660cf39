/* anvil run: plan, dispatch every test, journal, then report. */
#include "anvil_build_config.h"
#include "bench/cli.h"
#include "bench/config.h"
#include "bench/ctx.h"
#include "bench/dispatch.h"
#include "bench/inventory.h"
#include "bench/monitor.h"
#include "bench/plan.h"
#include "bench/plan_args.h"
#include "bench/slurm.h"
#include "bench/storage.h"
#include "bench/world.h"
#include "common/fsutil.h"
#include "common/hostlist.h"
#include "common/journal.h"
#include "reports/report.h"
#include "runners/registry.h"
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ERR_MAX 1024

struct run_opts {
	struct anvil_plan_args args;
	const char *resume;
	int dry_run;
};

/* What rank 0 decides before any test, sent to every rank. */
struct run_setup {
	int code;           /* 0 go on, else the exit code */
	char *plan_json;    /* owned */
	char dir[PATH_MAX];
	cJSON *done;        /* test ids already in the journal (resume); rank 0 only */
	cJSON *profile;     /* profile document (rank 0) */
	cJSON *cluster;     /* cluster document or NULL (rank 0) */
	int resumed;
};

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: anvil run [-c cluster.json] [-p profile] [-o DIR] [--only a,b] [--skip a,b]\n"
		"                 [--set runner.key=value ...] [--resume DIR] [--dry-run]\n\n"
		"Runs a profile's tests across the ranks of this job (alone, or under mpirun/srun),\n"
		"journals every result in DIR/journal.jsonl and writes the report there.\n\n"
		"  -c, --cluster FILE   cluster config (peaks, parameters, storage); optional\n"
		"  -p, --profile NAME   profile name in configs/profiles or a path (default: quick)\n"
		"  -o, --output DIR     run directory (default: ./anvil-runs/<UTC timestamp>)\n"
		"      --only LIST      only these tests or runners (comma-separated)\n"
		"      --skip LIST      all but these\n"
		"      --set N.K=V      set parameter K of test or runner N (repeatable)\n"
		"      --resume DIR     run what DIR's journal lacks, appending to it\n"
		"      --dry-run        print the resolved plan and what is available; run nothing\n"
		"  -h, --help           this text\n");
}

static int parse_run(int argc, char **argv, struct run_opts *o)
{
	static const struct option longs[] = {
		ANVIL_PLAN_ARGS_LONGOPTS,
		{ "resume", required_argument, NULL, 'r' }, { "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof(*o));
	anvil_plan_args_init(&o->args, argc);
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":c:p:o:h", longs, NULL)) != -1) {
		if (anvil_plan_args_take(&o->args, c, optarg))
			continue;
		switch (c) {
		case 'r': o->resume = optarg; break;
		case 'n': o->dry_run = 1; break;
		case 'h': run_usage(stdout); return 1;
		default: anvil_die_bad_option("run", c, argv); return -1;
		}
	}
	if (optind < argc) {
		anvil_die_msg("run: unexpected argument \"%s\" (see anvil run --help)", argv[optind]);
		return -1;
	}
	const struct anvil_plan_args *a = &o->args;
	if (o->resume && (a->profile || a->cluster || a->plan.only || a->plan.skip || a->plan.nsets || a->out)) {
		anvil_die_msg("run: --resume takes the plan and the directory from the journal; it cannot be combined with -p, -c, -o, --only, --skip or --set");
		return -1;
	}
	return 0;
}

/* Reads a resumed run's first start record: plan, profile, cluster, and what is done. */
static int load_resume(const char *dir, struct run_setup *s, char *err, size_t errlen)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, ANVIL_JOURNAL_NAME);
	struct anvil_journal_read jr;
	if (anvil_journal_read(path, &jr, err, errlen))
		return -1;
	s->done = cJSON_CreateArray();
	const cJSON *rec, *start = NULL;
	long i = 0, start_line = 0;
	cJSON_ArrayForEach(rec, jr.records) {
		const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "kind"));
		if (kind && !strcmp(kind, "run") && !start &&
		    cJSON_GetObjectItemCaseSensitive(rec, "plan")) {
			start = rec;
			start_line = jr.line_of[i];
		}
		i++;
		if (kind && !strcmp(kind, "test"))
			cJSON_AddItemToArray(s->done, cJSON_CreateString(
				cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "test"))));
	}
	if (!start) {
		snprintf(err, errlen, "%s: no run start record: nothing to resume", path);
		anvil_journal_read_release(&jr);
		return -1;
	}
	/* the recorded plan is refused here, where the journal's line is known */
	struct anvil_plan plan;
	char why[ERR_MAX - 64];
	if (anvil_plan_from_json(&plan, cJSON_GetObjectItemCaseSensitive(start, "plan"), why, sizeof(why))) {
		snprintf(err, errlen, "%s:%ld:1: %s", path, start_line, why);
		anvil_journal_read_release(&jr);
		return -1;
	}
	anvil_plan_release(&plan);
	s->plan_json = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(start, "plan"));
	s->profile = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(start, "profile_doc"), 1);
	const cJSON *cl = cJSON_GetObjectItemCaseSensitive(start, "cluster");
	s->cluster = cJSON_IsObject(cl) ? cJSON_Duplicate(cl, 1) : NULL;
	s->resumed = 1;
	anvil_journal_read_release(&jr);
	return 0;
}

static int make_plan(const struct run_opts *o, struct run_setup *s, char *err, size_t errlen)
{
	struct anvil_json_doc profile, cluster;
	int have_cluster = 0;
	if (anvil_profile_load(o->args.profile ? o->args.profile : "quick", &profile, err, errlen))
		return -1;
	if (o->args.cluster) {
		if (anvil_cluster_load(o->args.cluster, &cluster, err, errlen)) {
			anvil_json_doc_release(&profile);
			return -1;
		}
		have_cluster = 1;
	}
	struct anvil_plan plan;
	int rc = anvil_plan_build(&plan, &profile, have_cluster ? &cluster : NULL, &o->args.plan, err, errlen);
	if (!rc) {
		cJSON *pj = anvil_plan_to_json(&plan);
		s->plan_json = cJSON_PrintUnformatted(pj);
		cJSON_Delete(pj);
		anvil_plan_release(&plan);
		s->profile = cJSON_Duplicate(profile.root, 1);
		s->cluster = have_cluster ? cJSON_Duplicate(cluster.root, 1) : NULL;
	}
	anvil_json_doc_release(&profile);
	if (have_cluster)
		anvil_json_doc_release(&cluster);
	return rc;
}

static int make_dir(const struct run_opts *o, struct run_setup *s, char *err, size_t errlen)
{
	if (o->resume) {
		snprintf(s->dir, sizeof(s->dir), "%s", o->resume);
		return anvil_dir_writable(s->dir, err, errlen);
	}
	if (o->args.out) {
		snprintf(s->dir, sizeof(s->dir), "%s", o->args.out);
	} else {
		char stamp[32];
		anvil_utc_stamp(stamp, sizeof(stamp));
		snprintf(s->dir, sizeof(s->dir), "anvil-runs/%s", stamp);
	}
	if (anvil_mkdir_p(s->dir, err, errlen))
		return -1;
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/%s", s->dir, ANVIL_JOURNAL_NAME);
	if (access(path, F_OK) == 0) {
		snprintf(err, errlen, "%s already holds a run (a journal); use --resume %s, or another -o", s->dir, s->dir);
		return -1;
	}
	return anvil_dir_writable(s->dir, err, errlen);
}

/* I/O tests across nodes need the shared directory (bench/storage.h). */
static int check_storage(const struct run_setup *s, int nnodes, char *err, size_t errlen)
{
	struct anvil_plan plan;
	cJSON *pj = cJSON_Parse(s->plan_json);
	int rc = anvil_plan_from_json(&plan, pj, err, errlen);
	cJSON_Delete(pj);
	if (!rc) {
		rc = anvil_storage_check(&plan, nnodes, err, errlen);
		anvil_plan_release(&plan);
	}
	return rc;
}

/* Rank 0: everything that can be refused before any test runs. */
static int setup_rank0(const struct run_opts *o, struct run_setup *s, int nnodes)
{
	char err[ERR_MAX];
	if (o->resume ? load_resume(o->resume, s, err, sizeof(err)) : make_plan(o, s, err, sizeof(err))) {
		anvil_die_msg("%s", err);
		return ANVIL_EXIT_USAGE;
	}
	if (check_storage(s, nnodes, err, sizeof(err))) {
		anvil_die_msg("%s", err);
		return ANVIL_EXIT_USAGE;
	}
	if (o->dry_run)
		return 0;
	if (make_dir(o, s, err, sizeof(err))) {
		anvil_die_msg("%s", err);
		return ANVIL_EXIT_USAGE;
	}
	return 0;
}

static void bcast_string(char **s, int root, MPI_Comm comm, int rank)
{
	int len = rank == root ? (int)strlen(*s) + 1 : 0;
	MPI_Bcast(&len, 1, MPI_INT, root, comm);
	if (rank != root)
		*s = malloc((size_t)len);
	MPI_Bcast(*s, len, MPI_CHAR, root, comm);
}

static void print_dry_run(const struct anvil_world *w, const struct anvil_plan *plan)
{
	printf("plan: profile %s, %d test(s), %d rank(s) on %d node(s)\n", plan->profile,
	       plan->ntests, w->size, w->nnodes);
	for (int i = 0; i < plan->ntests; i++) {
		const struct anvil_test *t = &plan->tests[i];
		char why[512] = "";
		const char *unmet = anvil_dispatch_unmet(w, t->runner, why, sizeof(why));
		char *params = cJSON_PrintUnformatted(t->params);
		printf("  %2d. %-18s %-9s timeout %5.0fs  %s\n      params %s\n", i + 1, t->id,
		       anvil_scope_name(t->runner->scope), t->timeout_s,
		       unmet ? unmet : "available", params);
		free(params);
	}
}

static int journal_start(const struct anvil_world *w, struct anvil_monitor *mon,
			 const struct run_setup *s, int argc, char **argv)
{
	char err[ERR_MAX];
	cJSON *rec = anvil_record_new("run", NULL, NULL, -1);
	cJSON_AddStringToObject(rec, "event", s->resumed ? "resume" : "start");
	cJSON_AddStringToObject(rec, "anvil_version", ANVIL_VERSION);
	cJSON_AddStringToObject(rec, "features", ANVIL_FEATURES);
	cJSON *args = cJSON_AddArrayToObject(rec, "argv");
	for (int i = 0; i < argc; i++)
		cJSON_AddItemToArray(args, cJSON_CreateString(argv[i]));
	cJSON_AddNumberToObject(rec, "ranks", w->size);
	cJSON_AddNumberToObject(rec, "nodes", w->nnodes);
	cJSON *hosts = cJSON_AddArrayToObject(rec, "hosts");
	for (int i = 0; i < w->nnodes; i++)
		cJSON_AddItemToArray(hosts, cJSON_CreateString(w->hostnames[i]));
	char *hl = anvil_hostlist_compress((const char *const *)w->hostnames, (size_t)w->nnodes);
	cJSON_AddStringToObject(rec, "hostlist", hl ? hl : "");
	free(hl);
	cJSON *slurm = anvil_slurm_env();
	if (slurm)
		cJSON_AddItemToObject(rec, "slurm", slurm);
	if (!s->resumed) {
		cJSON_AddItemToObject(rec, "plan", cJSON_Parse(s->plan_json));
		cJSON_AddItemToObject(rec, "profile_doc", cJSON_Duplicate(s->profile, 1));
		cJSON_AddItemToObject(rec, "cluster", s->cluster ? cJSON_Duplicate(s->cluster, 1) : cJSON_CreateNull());
	}
	int rc = anvil_monitor_append(mon, rec, err, sizeof(err));
	cJSON_Delete(rec);
	if (rc)
		anvil_die_msg("%s", err);
	return rc;
}

/* Leaders collect their node's inventory; rank 0 journals each and writes inventory.json. */
static int record_inventory(const struct anvil_world *w, struct anvil_monitor *mon, const char *dir)
{
	char ver[MPI_MAX_LIBRARY_VERSION_STRING] = "";
	int len;
	MPI_Get_library_version(ver, &len);
	char *mine = NULL;
	if (w->local_rank == 0) {
		cJSON *inv = anvil_inventory_collect(ver);
		mine = cJSON_PrintUnformatted(inv);
		cJSON_Delete(inv);
	} else {
		mine = strdup("");
	}
	cJSON *all = anvil_world_gather_json(w, mine);
	free(mine);
	int rc = 0;
	if (w->rank == 0) {
		char err[ERR_MAX];
		cJSON *nodes = cJSON_CreateObject();
		for (int r = 0; r < w->size && !rc; r++) {
			cJSON *inv = cJSON_DetachItemFromArray(all, 0);
			if (!cJSON_IsObject(inv)) {
				cJSON_Delete(inv);
				continue;
			}
			const char *host = w->hostnames[w->node_of[r]];
			cJSON *rec = anvil_record_new("inventory", NULL, host, r);
			cJSON_AddItemToObject(rec, "inventory", cJSON_Duplicate(inv, 1));
			rc = anvil_monitor_append(mon, rec, err, sizeof(err));
			cJSON_Delete(rec);
			cJSON_AddItemToObject(nodes, host, inv);
		}
		char *text = cJSON_Print(nodes);
		if (!rc)
			rc = anvil_write_atomic(dir, "inventory.json", text, strlen(text), err, sizeof(err));
		if (rc)
			anvil_die_msg("%s", err);
		free(text);
		cJSON_Delete(nodes);
	}
	cJSON_Delete(all);
	MPI_Bcast(&rc, 1, MPI_INT, 0, w->comm);
	return rc;
}

static int is_done(const cJSON *done, const char *id)
{
	const cJSON *d;
	cJSON_ArrayForEach(d, done)
		if (cJSON_IsString(d) && !strcmp(d->valuestring, id))
			return 1;
	return 0;
}

static double estimate_after(const struct anvil_plan *plan, int i)
{
	double sum = 0;
	for (int k = i; k < plan->ntests; k++) {
		if (plan->tests[k].estimate_s <= 0)
			return 0;  /* unknown: the monitor falls back to the average so far */
		sum += plan->tests[k].estimate_s;
	}
	return sum;
}

static int run_tests(const struct anvil_world *w, struct anvil_monitor *mon,
		     const struct anvil_plan *plan, const cJSON *done)
{
	char err[ERR_MAX];
	for (int i = 0; i < plan->ntests; i++) {
		const struct anvil_test *t = &plan->tests[i];
		int skip = w->rank == 0 ? is_done(done, t->id) : 0;
		MPI_Bcast(&skip, 1, MPI_INT, 0, w->comm);
		if (skip)
			continue;
		if (anvil_dispatch_test(w, mon, t, i, estimate_after(plan, i), err, sizeof(err))) {
			if (w->rank == 0)
				anvil_die_msg("%s", err);
			return ANVIL_EXIT_HARNESS;
		}
	}
	return 0;
}

static int finish(const struct anvil_world *w, struct anvil_monitor *mon, const char *dir, int code)
{
	if (w->rank != 0 || !mon)  /* no monitor: the journal never opened, nothing to end */
		return code;
	char err[ERR_MAX];
	cJSON *rec = anvil_record_new("run", NULL, NULL, -1);
	cJSON_AddStringToObject(rec, "event", "end");
	cJSON_AddStringToObject(rec, "status", code ? "aborted" : "complete");
	int rc = anvil_monitor_append(mon, rec, err, sizeof(err));
	cJSON_Delete(rec);
	anvil_monitor_stop(mon);
	if (rc) {
		anvil_die_msg("%s", err);
		return ANVIL_EXIT_HARNESS;
	}
	if (code)
		return code;
	struct anvil_report_opts ro = { .out = stdout };
	int verdict = anvil_report_run(dir, &ro, err, sizeof(err));
	if (verdict < 0) {
		anvil_die_msg("%s", err);
		return ANVIL_EXIT_HARNESS;
	}
	return verdict;
}

static int run_job(const struct anvil_world *w, const struct run_opts *o, struct run_setup *s,
		   int argc, char **argv)
{
	char err[ERR_MAX];
	struct anvil_plan plan;
	cJSON *pj = cJSON_Parse(s->plan_json);
	int rc = anvil_plan_from_json(&plan, pj, err, sizeof(err));
	cJSON_Delete(pj);
	if (rc) {
		if (w->rank == 0)
			anvil_die_msg("%s", err);
		return ANVIL_EXIT_USAGE;
	}
	if (o->dry_run) {
		if (w->rank == 0)
			print_dry_run(w, &plan);
		anvil_plan_release(&plan);
		return 0;
	}
	struct anvil_journal j = { .fd = -1 };
	struct anvil_monitor *mon = NULL;
	int code = 0;
	if (anvil_storage_default(&plan, s->dir, err, sizeof(err))) {
		if (w->rank == 0)
			anvil_die_msg("%s", err);
		code = ANVIL_EXIT_HARNESS;
	}
	if (w->rank == 0 && !code) {
		if (anvil_journal_open(&j, s->dir, err, sizeof(err))) {
			anvil_die_msg("%s", err);
			code = ANVIL_EXIT_USAGE;
		} else {
			mon = anvil_monitor_start(&j, s->dir, plan.ntests, stderr);
			char *hl = anvil_hostlist_compress((const char *const *)w->hostnames, (size_t)w->nnodes);
			cJSON *sl = anvil_slurm_env();
			const char *job = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sl, "job_id"));
			fprintf(stderr, "anvil: %s %s: %d test(s), %d rank(s) on %d node(s) (%s%s%s), profile %s\n",
				s->resumed ? "resuming" : "run", s->dir, plan.ntests, w->size, w->nnodes,
				hl ? hl : "?", job ? ", Slurm job " : "", job ? job : "", plan.profile);
			free(hl);
			cJSON_Delete(sl);
			if (journal_start(w, mon, s, argc, argv))
				code = ANVIL_EXIT_HARNESS;
			else if (!s->resumed) {
				cJSON *pp = cJSON_Parse(s->plan_json);
				char *text = cJSON_Print(pp);
				if (anvil_write_atomic(s->dir, "plan.json", text, strlen(text), err, sizeof(err))) {
					anvil_die_msg("%s", err);
					code = ANVIL_EXIT_HARNESS;
				}
				free(text);
				cJSON_Delete(pp);
			}
		}
	}
	MPI_Bcast(&code, 1, MPI_INT, 0, w->comm);
	if (!code && !s->resumed && record_inventory(w, mon, s->dir))
		code = ANVIL_EXIT_HARNESS;
	if (!code)
		code = run_tests(w, mon, &plan, s->done);
	code = finish(w, mon, s->dir, code);
	if (w->rank == 0)
		anvil_journal_close(&j);
	anvil_plan_release(&plan);
	MPI_Bcast(&code, 1, MPI_INT, 0, w->comm);
	return code;
}

/* Only the main thread ever calls MPI (the monitor thread and BLAS's threads
 * never do), and the anchors (hpcc, OSU, IMB) start MPI with MPI_Init, that
 * is MPI_THREAD_SINGLE: asking for more made Open MPI 4.1's 8-byte
 * ping-pong about 15% slower here (0.157 against 0.135 us, medians of 5
 * alternating runs). ANVIL_MPI_THREAD=funneled|serialized|multiple asks
 * for a higher level where an MPI library wants one. */
static int mpi_thread_level(void)
{
	static const struct { const char *name; int level; } levels[] = {
		{ "single", MPI_THREAD_SINGLE }, { "funneled", MPI_THREAD_FUNNELED },
		{ "serialized", MPI_THREAD_SERIALIZED }, { "multiple", MPI_THREAD_MULTIPLE },
	};
	const char *want = getenv("ANVIL_MPI_THREAD");
	if (!want || !*want)
		return MPI_THREAD_SINGLE;
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcmp(want, levels[i].name))
			return levels[i].level;
	anvil_die_msg("ANVIL_MPI_THREAD=%s: expected single, funneled, serialized or multiple", want);
	exit(ANVIL_EXIT_USAGE);
}

int anvil_cmd_run(int argc, char **argv)
{
	struct run_opts o;
	int rc = parse_run(argc, argv, &o);
	if (rc) {
		anvil_plan_args_release(&o.args);
		return rc > 0 ? 0 : ANVIL_EXIT_USAGE;
	}
	int provided;
	MPI_Init_thread(NULL, NULL, mpi_thread_level(), &provided);
	struct anvil_world w;
	char err[ERR_MAX];
	int code = 0;
	if (anvil_world_init(&w, err, sizeof(err))) {
		anvil_die_msg("%s", err);
		MPI_Abort(MPI_COMM_WORLD, ANVIL_EXIT_HARNESS);
	}
	struct run_setup s;
	memset(&s, 0, sizeof(s));
	if (w.rank == 0)
		code = setup_rank0(&o, &s, w.nnodes);
	MPI_Bcast(&code, 1, MPI_INT, 0, w.comm);
	if (!code) {
		bcast_string(&s.plan_json, 0, w.comm, w.rank);
		MPI_Bcast(s.dir, sizeof(s.dir), MPI_CHAR, 0, w.comm);
		MPI_Bcast(&s.resumed, 1, MPI_INT, 0, w.comm);
		code = run_job(&w, &o, &s, argc, argv);
	}
	free(s.plan_json);
	cJSON_Delete(s.done);
	cJSON_Delete(s.profile);
	cJSON_Delete(s.cluster);
	anvil_plan_args_release(&o.args);
	anvil_world_release(&w);
	MPI_Finalize();
	return code;
}
