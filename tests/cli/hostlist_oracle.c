/* For test_hostlist_slurm.sh: reads one hostlist expression a line and
 * prints its expansion ("E:" names) and its sorted unique compressed form
 * ("C:"), with anvil's common/hostlist.c, or with libslurm when built with
 * -DWITH_SLURM (Slurm's hostlist_create, hostlist_uniq, ranged string). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef WITH_SLURM
#include <slurm/slurm.h>
#else
#include "common/hostlist.h"
#endif

static char line[1 << 16];

static void one(const char *expr)
{
#ifdef WITH_SLURM
	hostlist_t hl = slurm_hostlist_create(expr), set = slurm_hostlist_create(expr);
	if (!hl || !set) {
		printf("E:ERROR\nC:ERROR\n");
		return;
	}
	printf("E:");
	char *h;
	for (int i = 0; (h = slurm_hostlist_shift(hl)); i++) {
		printf("%s%s", i ? " " : "", h);
		free(h);
	}
	slurm_hostlist_uniq(set);
	char *r = slurm_hostlist_ranged_string_malloc(set);
	printf("\nC:%s\n", r ? r : "");
	free(r);
	slurm_hostlist_destroy(hl);
	slurm_hostlist_destroy(set);
#else
	struct anvil_hostlist hl = ANVIL_HOSTLIST_INIT;
	char err[256];
	if (anvil_hostlist_expand(&hl, expr, strlen(expr), err, sizeof(err))) {
		printf("E:ERROR\nC:ERROR\n");
	} else {
		printf("E:");
		for (size_t i = 0; i < hl.n; i++)
			printf("%s%s", i ? " " : "", hl.hosts[i]);
		char *c = anvil_hostlist_ranged(&hl);
		printf("\nC:%s\n", c);
		free(c);
	}
	anvil_hostlist_release(&hl);
#endif
}

int main(void)
{
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		one(line);
	}
	return 0;
}
