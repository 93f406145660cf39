/*
 * The options that pick and adjust a plan: -c, -p, -o, --only, --skip and
 * --set. anvil run takes them, and anvil slurm takes them to pass on to the
 * anvil run of its script, so both parse them here.
 */
#ifndef ANVIL_PLAN_ARGS_H
#define ANVIL_PLAN_ARGS_H
#include "bench/plan.h"

struct anvil_plan_args {
	const char *cluster, *profile, *out;   /* NULL when not given; point into argv */
	struct anvil_plan_opts plan;           /* --only, --skip, and the --set values in `sets` */
	const char **sets;                     /* owned: room for every argument */
};

/* Their getopt_long entries, to begin a command's table with. */
#define ANVIL_PLAN_ARGS_LONGOPTS \
	{ "cluster", required_argument, NULL, 'c' }, { "profile", required_argument, NULL, 'p' }, \
	{ "output", required_argument, NULL, 'o' }, { "only", required_argument, NULL, 'O' }, \
	{ "skip", required_argument, NULL, 'S' }, { "set", required_argument, NULL, 's' }

/* Zeroes a and makes room for as many --set values as argc allows. */
void anvil_plan_args_init(struct anvil_plan_args *a, int argc);
/* Takes getopt's option c with its argument when it is one of them: 1; else 0. */
int anvil_plan_args_take(struct anvil_plan_args *a, int c, const char *arg);
void anvil_plan_args_release(struct anvil_plan_args *a);

#endif
