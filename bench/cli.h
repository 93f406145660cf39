/* The subcommands. Each returns the process exit code. */
#ifndef ANVIL_CLI_H
#define ANVIL_CLI_H

enum anvil_exit {
	ANVIL_EXIT_PASS = 0,     /* every acceptance check passed */
	ANVIL_EXIT_FAIL = 1,     /* an acceptance check failed */
	ANVIL_EXIT_USAGE = 2,    /* bad usage or bad input */
	ANVIL_EXIT_HARNESS = 3,  /* anvil itself could not do its work */
};

int anvil_cmd_run(int argc, char **argv);
int anvil_cmd_report(int argc, char **argv);
int anvil_cmd_list(int argc, char **argv);
int anvil_cmd_slurm(int argc, char **argv);
int anvil_cmd_compare(int argc, char **argv);
void anvil_print_version(void);

/* "anvil: " + message on stderr, one line. */
void anvil_die_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The line for what getopt_long returned as c when it is no option of
 * subcommand cmd: ':' (an option without its value) or '?' (unknown). */
void anvil_die_bad_option(const char *cmd, int c, char **argv);

#endif
