/* anvil report DIR: every output rebuilt from the journal. */
#include "bench/cli.h"
#include "common/json.h"
#include "kernels/blas_threads.h"
#include "reports/ops.h"
#include "reports/report.h"
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void report_usage(FILE *out)
{
	fprintf(out,
		"usage: anvil report DIR [-p profile] [--baseline DIR|report.json] [--drain-commands]\n\n"
		"Rebuilds DIR/report.json, report.html, junit.xml and metrics.prom from\n"
		"DIR/journal.jsonl alone, prints the verdict table, and exits with the verdict.\n\n"
		"  -p, --profile NAME   judge with this profile instead of the run's own\n"
		"      --baseline X     compare with an earlier run (its dir or report.json)\n"
		"      --drain-commands instead of the table, print (never run) one line per\n"
		"                       failed check: scontrol update NodeName=\"<hostlist>\"\n"
		"                       State=DRAIN Reason=\"anvil: <test> <check> <rule>\"\n"
		"  -h, --help           this text\n");
}

/* The report just written, read back, as scontrol lines on stdout. */
static int print_drain(const char *dir)
{
	char path[PATH_MAX], err[1024];
	snprintf(path, sizeof(path), "%s/report.json", dir);
	struct anvil_json_doc doc;
	if (anvil_json_load(path, 0, &doc, err, sizeof(err))) {
		anvil_die_msg("%s", err);
		return -1;
	}
	struct strbuf out = STRBUF_INIT, notes = STRBUF_INIT;
	int n = anvil_ops_drain(doc.root, &out, &notes);
	fputs(strbuf_str(&out), stdout);
	for (char *line = notes.buf, *nl; line && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		anvil_die_msg("report: %s", line);
	}
	if (!n)
		fprintf(stderr, "anvil: report: no failed check names a node: nothing to drain\n");
	strbuf_release(&out);
	strbuf_release(&notes);
	anvil_json_doc_release(&doc);
	return 0;
}

int anvil_cmd_report(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "profile", required_argument, NULL, 'p' }, { "baseline", required_argument, NULL, 'b' },
		{ "drain-commands", no_argument, NULL, 'D' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct anvil_report_opts o = { .out = stdout };
	int drain = 0;
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":p:h", longs, NULL)) != -1) {
		switch (c) {
		case 'p': o.profile = optarg; break;
		case 'b': o.baseline = optarg; break;
		case 'D': drain = 1; break;
		case 'h': report_usage(stdout); return 0;
		default: anvil_die_bad_option("report", c, argv); return ANVIL_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		anvil_die_msg("report: expected one run directory (see anvil report --help)");
		return ANVIL_EXIT_USAGE;
	}
	char err[1024];
	if (drain)
		o.out = NULL;  /* stdout holds the commands alone */
	anvil_blas_threads_stop();  /* the report does no linear algebra: a core's tenth of a second back */
	int code = anvil_report_run(argv[optind], &o, err, sizeof(err));
	if (code < 0) {
		anvil_die_msg("%s", err);
		return ANVIL_EXIT_USAGE;
	}
	if (drain && print_drain(argv[optind]))
		return ANVIL_EXIT_HARNESS;
	return code;
}
