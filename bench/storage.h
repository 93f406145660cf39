/*
 * Where the I/O tests (runners with ANVIL_NEEDS_STORAGE) put their files.
 * The plan fills their "dir" parameter from the cluster config's
 * storage.path (bench/plan.c); a test whose "dir" is still "" then works in
 * the run directory's scratch/. Across nodes that would be one private
 * folder per node, not the shared file system under test, so such a run is
 * refused before anything is made.
 */
#ifndef ANVIL_STORAGE_H
#define ANVIL_STORAGE_H
#include <stddef.h>
#include "bench/plan.h"

/* 0, or -1 with one line in err when a test needs storage.path on nnodes > 1. */
int anvil_storage_check(const struct anvil_plan *plan, int nnodes, char *err, size_t errlen);
/* Points every I/O test without a "dir" at RUN_DIR/scratch (made here).
 * 0, or -1 with err. */
int anvil_storage_default(struct anvil_plan *plan, const char *run_dir, char *err, size_t errlen);

#endif
