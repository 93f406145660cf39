/* The dispatcher: runs one planned test on its ranks, whatever the runner. */
#ifndef ANVIL_DISPATCH_H
#define ANVIL_DISPATCH_H
#include "bench/monitor.h"
#include "bench/plan.h"
#include "bench/world.h"

/* Collective over the world. Checks needs and availability (recording
 * "skipped: why"), makes the scope's communicator, runs the warm-ups and the
 * measured run, gathers every rank's records to rank 0 and journals them with
 * the test's status. mon is rank 0's (NULL elsewhere). Returns 0, or -1 on
 * every rank when rank 0 could not write the journal (err says why there). */
int anvil_dispatch_test(const struct anvil_world *w, struct anvil_monitor *mon,
			const struct anvil_test *t, int index, double estimate_left,
			char *err, size_t errlen);

/* Why a runner cannot run on this rank in this job, or NULL: not built,
 * programs it needs missing (fio), unavailable here (its own reason), or the
 * job's shape (ranks, nodes). */
const char *anvil_dispatch_unmet(const struct anvil_world *w, const struct anvil_runner *r,
				 char *why, size_t len);
/* The part of that which needs no MPI job: the build and programs in PATH
 * (anvil list asks it too). */
const char *anvil_dispatch_unmet_here(const struct anvil_runner *r, char *why, size_t len);

#endif
