/* anvil: parses the subcommand and hands over; nothing else. */
#include "bench/cli.h"
#include <stdio.h>
#include <string.h>

struct anvil_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct anvil_cmd commands[] = {
	{ "run", anvil_cmd_run, "run a profile's tests on this machine or under mpirun/srun" },
	{ "report", anvil_cmd_report, "rebuild report.json, report.html, junit.xml from a run's journal" },
	{ "list", anvil_cmd_list, "list runners (built, available here or why not), datasheets and profiles" },
	{ "slurm", anvil_cmd_slurm, "print an sbatch script for a profile on the cluster config's nodes" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: anvil <command> [options]   (anvil <command> --help for its options)\n\n");
	for (const struct anvil_cmd *c = commands; c->name; c++)
		fprintf(out, "  %-8s %s\n", c->name, c->summary);
	fprintf(out, "\n  --version  what this build has compiled in\n  --help     this text\n"
		     "\nexit codes: 0 every check passed, 1 an acceptance check failed,\n"
		     "            2 bad usage or bad input, 3 harness error\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return ANVIL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		anvil_print_version();
		return 0;
	}
	for (const struct anvil_cmd *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "anvil: unknown command \"%s\" (expected run, report, list or slurm; see anvil --help)\n", argv[1]);
	return ANVIL_EXIT_USAGE;
}
