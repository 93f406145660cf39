/* Where a test's threads run. Launchers differ (mpirun binds to a core by
 * default for two ranks, the scripts here and many sites use --bind-to
 * none, srun follows the site's settings), and a test suffers from either
 * mistake: a per-node test's threads all squeezed onto the one core its
 * leader was bound to, or one-thread ranks left unbound so that the
 * scheduler moves them about and two of them share a core while another
 * idles (ScaLAPACK's LU ran 2-3x slower so here). So for the length of each
 * test anvil places the whole process itself, then puts it back:
 *   - per-node and pair tests (the node's leader with every core): every
 *     CPU this process may use (cgroup cpusets respected);
 *   - tests on every rank: a rank the launcher left unbound gets its own
 *     share of the node's cores (local rank i: cores i*t .. i*t+t-1, t its
 *     threads) when the node's ranks fit on its cores; a rank the launcher
 *     bound keeps that binding.
 * ANVIL_BIND=none in the environment leaves placement to the launcher. */
#ifndef ANVIL_AFFINITY_H
#define ANVIL_AFFINITY_H
#include "bench/world.h"
#include "runners/runner.h"

struct anvil_affinity {
	void *saved;    /* hwloc_bitmap_t of the process before the test; NULL: nothing changed */
	char what[96];  /* what was done, for the journal ("" when nothing) */
};

/* Places the process for a test of this scope with this many threads per
 * process. Never fails the test: a placement the system refuses is left as it was. */
void anvil_affinity_enter(struct anvil_affinity *a, const struct anvil_world *w,
			  enum anvil_scope scope, int threads);
/* Puts the process back as it was before anvil_affinity_enter. */
void anvil_affinity_leave(struct anvil_affinity *a);

#endif
