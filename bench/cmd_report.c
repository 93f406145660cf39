/* anvil report DIR: every output rebuilt from the journal. */
#include "bench/cli.h"
#include "reports/report.h"
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void report_usage(FILE *out)
{
	fprintf(out,
		"usage: anvil report DIR [-p profile] [--baseline DIR|report.json]\n\n"
		"Rebuilds DIR/report.json, report.html, junit.xml and metrics.prom from\n"
		"DIR/journal.jsonl alone, prints the verdict table, and exits with the verdict.\n\n"
		"  -p, --profile NAME   judge with this profile instead of the run's own\n"
		"      --baseline X     compare with an earlier run (its dir or report.json)\n"
		"  -h, --help           this text\n");
}

int anvil_cmd_report(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "profile", required_argument, NULL, 'p' }, { "baseline", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct anvil_report_opts o = { .out = stdout };
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":p:h", longs, NULL)) != -1) {
		switch (c) {
		case 'p': o.profile = optarg; break;
		case 'b': o.baseline = optarg; break;
		case 'h': report_usage(stdout); return 0;
		case ':': anvil_die_msg("report: option %s needs a value (see anvil report --help)", argv[optind - 1]); return ANVIL_EXIT_USAGE;
		default: anvil_die_msg("report: unknown option %s (see anvil report --help)", argv[optind - 1]); return ANVIL_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		anvil_die_msg("report: expected one run directory (see anvil report --help)");
		return ANVIL_EXIT_USAGE;
	}
	char err[1024];
	int code = anvil_report_run(argv[optind], &o, err, sizeof(err));
	if (code < 0) {
		anvil_die_msg("%s", err);
		return ANVIL_EXIT_USAGE;
	}
	return code;
}
