#include "bench/plan_args.h"
#include <stdlib.h>
#include <string.h>

void anvil_plan_args_init(struct anvil_plan_args *a, int argc)
{
	memset(a, 0, sizeof(*a));
	a->sets = calloc((size_t)argc + 1, sizeof(char *));
	a->plan.sets = a->sets;
}

int anvil_plan_args_take(struct anvil_plan_args *a, int c, const char *arg)
{
	switch (c) {
	case 'c': a->cluster = arg; return 1;
	case 'p': a->profile = arg; return 1;
	case 'o': a->out = arg; return 1;
	case 'O': a->plan.only = arg; return 1;
	case 'S': a->plan.skip = arg; return 1;
	case 's': a->sets[a->plan.nsets++] = arg; return 1;
	}
	return 0;
}

void anvil_plan_args_release(struct anvil_plan_args *a)
{
	free(a->sets);
	memset(a, 0, sizeof(*a));
}
