/* anvil compare A B [C ...]: runs side by side (reports/compare.c does the work). */
#include "bench/cli.h"
#include "bench/config.h"
#include "reports/compare.h"
#include "reports/jwrite.h"
#include "common/fsutil.h"
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void compare_usage(FILE *out)
{
	fprintf(out,
		"usage: anvil compare A B [C ...] [-o DIR] [-q]\n\n"
		"Puts runs side by side for capacity planning: every figure per GPU, per node,\n"
		"per node pair, in total and per kW of datasheet power (GPU tdp_w x GPUs +\n"
		"CPU tdp_w x sockets; \"unknown\" where a node's hardware matches no datasheet),\n"
		"with each run's change against A. A run is its directory (read from the\n"
		"journal, judged by its own profile) or a report.json.\n\n"
		"Writes DIR/compare.json and DIR/compare.html (DIR: the current directory)\n"
		"and prints the table.\n\n"
		"  -o, --output DIR   where compare.json and compare.html go (made if missing)\n"
		"  -q, --quiet        no table on stdout\n"
		"  -h, --help         this text\n");
}

static int write_outputs(const char *dir, const cJSON *tree, char *err, size_t errlen)
{
	struct strbuf sb = STRBUF_INIT;
	char *json = cJSON_Print(tree);
	strbuf_adds(&sb, json);
	strbuf_addch(&sb, '\n');
	free(json);
	int rc = anvil_mkdir_p(dir, err, errlen) || anvil_write_atomic(dir, "compare.json", sb.buf, sb.len, err, errlen);
	strbuf_release(&sb);
	if (!rc) {
		anvil_compare_html(tree, &sb);
		rc = anvil_write_atomic(dir, "compare.html", sb.buf, sb.len, err, errlen);
		strbuf_release(&sb);
	}
	return rc;
}

int anvil_cmd_compare(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "output", required_argument, NULL, 'o' }, { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *dir = ".";
	int quiet = 0, c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:qh", longs, NULL)) != -1) {
		switch (c) {
		case 'o': dir = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': compare_usage(stdout); return 0;
		default: anvil_die_bad_option("compare", c, argv); return ANVIL_EXIT_USAGE;
		}
	}
	int n = argc - optind;
	if (n < 2 || n > ANVIL_COMPARE_MAX_RUNS) {
		anvil_die_msg("compare: expected 2 to %d runs (run directories or report.json files; see anvil compare --help)",
			      ANVIL_COMPARE_MAX_RUNS);
		return ANVIL_EXIT_USAGE;
	}
	char hw[PATH_MAX], err[1024];
	snprintf(hw, sizeof(hw), "%s/hardware", anvil_config_dir());
	struct anvil_compare *cmp = anvil_compare_new(hw);
	for (int i = optind; i < argc; i++) {
		if (anvil_compare_add(cmp, argv[i], err, sizeof(err))) {
			anvil_die_msg("compare: %s", err);
			anvil_compare_free(cmp);
			return ANVIL_EXIT_USAGE;
		}
	}
	cJSON *tree = anvil_compare_tree(cmp);
	anvil_compare_free(cmp);
	int rc = write_outputs(dir, tree, err, sizeof(err));
	if (rc)
		anvil_die_msg("compare: %s", err);
	else if (!quiet) {
		anvil_compare_table(tree, stdout);
		printf("\ncompare: %s/compare.html (also compare.json)\n", dir);
	}
	cJSON_Delete(tree);
	return rc ? ANVIL_EXIT_HARNESS : 0;
}
