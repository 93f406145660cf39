/* anvil slurm: prints an sbatch script that runs a profile on the cluster
 * config's nodes, with a time limit estimated from the plan. Prints only;
 * submitting is the operator's call. */
#include "anvil_build_config.h"
#include "bench/cli.h"
#include "bench/config.h"
#include "bench/monitor.h"
#include "bench/plan.h"
#include "bench/plan_args.h"
#include "common/hostlist.h"
#include "common/strbuf.h"
#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_MARGIN 1.5     /* estimates are estimates */
#define OVERHEAD_S 300.0       /* start-up, inventory, report */

struct slurm_opts {
	struct anvil_plan_args args;  /* passed on to anvil run */
	long nodes;                /* -N; 0: from the config */
};

static void slurm_usage(FILE *out)
{
	fprintf(out,
		"usage: anvil slurm -c cluster.json [-p profile] [-N nodes] [-o DIR] [--only a,b] [--skip a,b]\n"
		"                   [--set runner.key=value ...]\n\n"
		"Prints an sbatch script that runs the profile on the cluster config's nodes:\n"
		"--nodes and --nodelist from its \"nodes\" hostlist (or -N), one task per GPU\n"
		"(expect.gpus_per_node) or per node, --gres=gpu:N, --time estimated from the plan,\n"
		"and the srun line (srun --mpi from slurm.mpi, default pmix). Nothing is submitted.\n\n"
		"  -c, --cluster FILE   cluster config (required)\n"
		"  -p, --profile NAME   profile name or path (default: quick)\n"
		"  -N, --nodes N        N nodes of the partition instead of the config's node list\n"
		"  -o, --output DIR     run directory in the job; %%j is the job id (default anvil-runs/%%j)\n"
		"      --only, --skip, --set   as for anvil run; passed on to it\n"
		"  -h, --help           this text\n");
}

static int parse_slurm(int argc, char **argv, struct slurm_opts *o)
{
	static const struct option longs[] = {
		ANVIL_PLAN_ARGS_LONGOPTS,
		{ "nodes", required_argument, NULL, 'N' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof(*o));
	anvil_plan_args_init(&o->args, argc);
	opterr = 0;
	optind = 1;
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, ":c:p:N:o:h", longs, NULL)) != -1) {
		if (anvil_plan_args_take(&o->args, c, optarg))
			continue;
		switch (c) {
		case 'N':
			o->nodes = strtol(optarg, &end, 10);
			if (*end || o->nodes < 1 || o->nodes > 100000) {
				anvil_die_msg("slurm: -N \"%s\" is not a node count (expected 1..100000)", optarg);
				return -1;
			}
			break;
		case 'h': slurm_usage(stdout); return 1;
		default: anvil_die_bad_option("slurm", c, argv); return -1;
		}
	}
	if (optind < argc) {
		anvil_die_msg("slurm: unexpected argument \"%s\" (see anvil slurm --help)", argv[optind]);
		return -1;
	}
	if (!o->args.cluster) {
		anvil_die_msg("slurm: -c cluster.json is required: it names the nodes (see anvil slurm --help)");
		return -1;
	}
	return 0;
}

/* A shell word: as is when plain, else single-quoted with ' written '\''. */
static void add_word(struct strbuf *sb, const char *w)
{
	int plain = *w != '\0';
	for (const char *p = w; *p && plain; p++)
		plain = isalnum((unsigned char)*p) || strchr("-_./=,:@+%", *p);
	if (plain) {
		strbuf_adds(sb, w);
		return;
	}
	strbuf_addch(sb, '\'');
	for (const char *p = w; *p; p++)
		strbuf_adds(sb, *p == '\'' ? "'\\''" : (char[]){ *p, 0 });
	strbuf_addch(sb, '\'');
}

/* The run directory inside double quotes, %j standing for the job id; only
 * characters that mean nothing inside double quotes are allowed. */
static int add_run_dir(struct strbuf *sb, const char *dir)
{
	for (const char *p = dir; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_./=,:@+%", *p))
			return -1;
	strbuf_addch(sb, '"');
	for (const char *p = dir; *p; p++) {
		if (p[0] == '%' && p[1] == 'j') {
			strbuf_adds(sb, "${SLURM_JOB_ID}");
			p++;
		} else {
			strbuf_addch(sb, *p);
		}
	}
	strbuf_addch(sb, '"');
	return 0;
}

static void add_time(struct strbuf *sb, double seconds)
{
	long m = (long)ceil(seconds / 60.0);
	if (m >= 24 * 60)
		strbuf_addf(sb, "%ld-%02ld:%02ld:00", m / (24 * 60), (m / 60) % 24, m % 60);
	else
		strbuf_addf(sb, "%02ld:%02ld:00", m / 60, m % 60);
}

/* --time: margin × (estimates, or timeouts where a test has none) +
 * overhead, at most every test at its timeout and grace + overhead. */
static void time_limit(const struct anvil_plan *plan, double margin, struct strbuf *limit,
		       struct strbuf *how)
{
	double est = 0, worst = 0;
	int guessed = 0;
	for (int i = 0; i < plan->ntests; i++) {
		const struct anvil_test *t = &plan->tests[i];
		est += t->estimate_s > 0 ? t->estimate_s : t->timeout_s;
		guessed += t->estimate_s > 0;
		worst += t->timeout_s + anvil_monitor_grace(t->timeout_s);
	}
	double want = margin * est + OVERHEAD_S, cap = worst + OVERHEAD_S;
	double sec = want < cap ? want : cap;
	add_time(limit, sec);
	strbuf_addf(how, "# --time: %g x %.0f s (estimate_s of %d test(s), timeout_s of the %d without one) + %.0f s\n"
			 "#   for start-up, inventory and report = %.0f s%s, rounded up to whole minutes\n",
		    margin, est, guessed, plan->ntests - guessed, OVERHEAD_S, sec,
		    want > cap ? " (capped: every test at its timeout and grace)" : "");
}

struct cluster_facts {
	char name[128];        /* for the job name: letters, digits, '.', '_', '-' */
	char *nodelist;        /* compressed; owned; NULL without "nodes" */
	size_t nnodes;
	long gpus;             /* expect.gpus_per_node; 0 without */
	const cJSON *slurm;    /* borrowed */
};

static int read_cluster(const struct anvil_json_doc *doc, struct cluster_facts *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc->root, "name"));
	snprintf(f->name, sizeof(f->name), "anvil%s", name ? "-" : "");
	for (size_t n = strlen(f->name); name && *name && n + 1 < sizeof(f->name); name++)
		f->name[n++] = isalnum((unsigned char)*name) || strchr("._-", *name) ? *name : '_';
	const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(doc->root, "nodes");
	if (cJSON_IsString(nodes)) {
		struct anvil_hostlist hl = ANVIL_HOSTLIST_INIT;
		if (anvil_hostlist_expand(&hl, nodes->valuestring, strlen(nodes->valuestring), err, errlen) == 0) {
			f->nodelist = anvil_hostlist_ranged(&hl);
			f->nnodes = hl.n;
		}
		anvil_hostlist_release(&hl);
		if (!f->nodelist)
			return -1;
	}
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc->root, "expect"),
							  "gpus_per_node");
	f->gpus = cJSON_IsNumber(g) ? (long)g->valuedouble : 0;
	f->slurm = cJSON_GetObjectItemCaseSensitive(doc->root, "slurm");
	return 0;
}

static void sbatch_opt(struct strbuf *sb, const cJSON *slurm, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(slurm, key));
	if (v)  /* checked by the config check: no shell or quote characters */
		strbuf_addf(sb, "#SBATCH --%s=%s\n", key, v);
}

static int write_script(const struct slurm_opts *o, const struct cluster_facts *f,
			const struct anvil_plan *plan, struct strbuf *sb, char *err, size_t errlen)
{
	char exe[PATH_MAX], cfg[PATH_MAX], prof[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	snprintf(exe + (n > 0 ? n : 0), sizeof(exe) - (size_t)(n > 0 ? n : 0), "%s", n > 0 ? "" : "anvil");
	if (!realpath(o->args.cluster, cfg))
		snprintf(cfg, sizeof(cfg), "%s", o->args.cluster);
	const char *pname = o->args.profile ? o->args.profile : "quick";
	if ((strchr(pname, '/') || strstr(pname, ".json")) && realpath(pname, prof))
		pname = prof;
	const cJSON *tm = cJSON_GetObjectItemCaseSensitive(f->slurm, "time_margin");
	double margin = cJSON_IsNumber(tm) ? tm->valuedouble : DEFAULT_MARGIN;
	const char *mpi = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f->slurm, "mpi"));
	struct strbuf limit = STRBUF_INIT, how = STRBUF_INIT, run = STRBUF_INIT;
	time_limit(plan, margin, &limit, &how);

	strbuf_addf(sb, "#!/bin/bash\n# anvil %s: profile %s on %s; written by `anvil slurm`, submit with sbatch.\n",
		    ANVIL_VERSION, plan->profile, f->nodelist && !o->nodes ? f->nodelist : "the partition");
	strbuf_addf(sb, "#SBATCH --job-name=%s\n", f->name);
	strbuf_addf(sb, "#SBATCH --nodes=%zu\n", o->nodes ? (size_t)o->nodes : f->nnodes);
	if (f->nodelist && !o->nodes)
		strbuf_addf(sb, "#SBATCH --nodelist=%s\n", f->nodelist);
	strbuf_addf(sb, "#SBATCH --ntasks-per-node=%ld\n", f->gpus > 0 ? f->gpus : 1);
	if (f->gpus > 0)
		strbuf_addf(sb, "#SBATCH --gres=gpu:%ld\n", f->gpus);
	strbuf_addf(sb, "#SBATCH --time=%s\n", strbuf_str(&limit));
	strbuf_adds(sb, "#SBATCH --output=anvil-%j.out\n");
	sbatch_opt(sb, f->slurm, "partition");
	sbatch_opt(sb, f->slurm, "account");
	sbatch_opt(sb, f->slurm, "qos");
	sbatch_opt(sb, f->slurm, "constraint");
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f->slurm, "exclusive")))
		strbuf_adds(sb, "#SBATCH --exclusive\n");
	strbuf_adds(sb, strbuf_str(&how));
	strbuf_addf(sb, "# %s per node: %s.\n", f->gpus > 0 ? "one task per GPU" : "one task",
		    f->gpus > 0 ? "expect.gpus_per_node in the cluster config" : "no expect.gpus_per_node in the cluster config");

	strbuf_addf(&run, "srun --mpi=%s ", mpi ? mpi : "pmix");
	add_word(&run, exe);
	strbuf_adds(&run, " run -c ");
	add_word(&run, cfg);
	strbuf_adds(&run, " -p ");
	add_word(&run, pname);
	if (o->args.plan.only) {
		strbuf_adds(&run, " --only ");
		add_word(&run, o->args.plan.only);
	}
	if (o->args.plan.skip) {
		strbuf_adds(&run, " --skip ");
		add_word(&run, o->args.plan.skip);
	}
	for (int i = 0; i < o->args.plan.nsets; i++) {
		strbuf_adds(&run, " --set ");
		add_word(&run, o->args.sets[i]);
	}
	strbuf_adds(&run, " -o ");
	int rc = add_run_dir(&run, o->args.out ? o->args.out : "anvil-runs/%j");
	if (rc)
		snprintf(err, errlen, "slurm: -o \"%s\": use letters, digits and -_./=,:@+%% only (%%j is the job id)", o->args.out);
	strbuf_adds(sb, "# A run cut short (time limit, node failure) goes on with: srun --mpi=");
	strbuf_addf(sb, "%s ... run --resume <its run dir>\n", mpi ? mpi : "pmix");
	strbuf_addf(sb, "%s\n", strbuf_str(&run));
	strbuf_release(&limit);
	strbuf_release(&how);
	strbuf_release(&run);
	return rc;
}

int anvil_cmd_slurm(int argc, char **argv)
{
	struct slurm_opts o;
	int rc = parse_slurm(argc, argv, &o);
	if (rc) {
		anvil_plan_args_release(&o.args);
		return rc > 0 ? 0 : ANVIL_EXIT_USAGE;
	}
	char err[1024];
	struct anvil_json_doc profile, cluster;
	struct anvil_plan plan;
	struct cluster_facts f = { .nodelist = NULL };
	struct strbuf sb = STRBUF_INIT;
	int code = ANVIL_EXIT_USAGE, have_profile = 0, have_cluster = 0, have_plan = 0;
	if (anvil_profile_load(o.args.profile ? o.args.profile : "quick", &profile, err, sizeof(err)))
		goto out;
	have_profile = 1;
	if (anvil_cluster_load(o.args.cluster, &cluster, err, sizeof(err)))
		goto out;
	have_cluster = 1;
	if (anvil_plan_build(&plan, &profile, &cluster, &o.args.plan, err, sizeof(err)))
		goto out;
	have_plan = 1;
	if (read_cluster(&cluster, &f, err, sizeof(err)))
		goto out;
	if (!f.nodelist && !o.nodes) {
		snprintf(err, sizeof(err), "slurm: %s has no \"nodes\" (a hostlist, e.g. \"gpu[01-16]\") and no -N was given: how many nodes?",
			 o.args.cluster);
		goto out;
	}
	if (write_script(&o, &f, &plan, &sb, err, sizeof(err)))
		goto out;
	fputs(strbuf_str(&sb), stdout);
	code = 0;
out:
	if (code)
		anvil_die_msg("%s", err);
	strbuf_release(&sb);
	free(f.nodelist);
	if (have_plan)
		anvil_plan_release(&plan);
	if (have_cluster)
		anvil_json_doc_release(&cluster);
	if (have_profile)
		anvil_json_doc_release(&profile);
	anvil_plan_args_release(&o.args);
	return code;
}
