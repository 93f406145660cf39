/*
 * The files an I/O test makes are removed when SIGINT or SIGTERM ends the
 * run in the middle of it, or anvil dies otherwise while they exist. A
 * runner fills a guard with every path it will create (before creating
 * any), arms it around its I/O and disarms it when done. Arming forks a
 * small helper (its own session) that waits; on the signal the handler
 * kills the child the guard names (fio) and its process group, tells the
 * helper to remove the files and directories, puts the old handler back
 * and raises the signal again, so anvil still ends as it would have. The
 * helper also removes them when anvil disappears without a word (SIGKILL,
 * a timeout's _exit). Only async-signal-safe calls run in the handler and
 * the helper. The removal is asynchronous: it may end a little after anvil.
 *
 * The same removal serves the normal path (anvil_io_guard_remove), so what
 * an interrupt cleans is exactly what a finished run cleans.
 */
#ifndef ANVIL_IO_GUARD_H
#define ANVIL_IO_GUARD_H
#include <limits.h>
#include <signal.h>

#define ANVIL_IO_GUARD_DIRS 2

struct anvil_io_guard {
	/* Files: stem + decimal index + suffix for index in [0, count) — e.g.
	 * "/fs/anvil-fio.node1.42/anvil." + j + ".0"; count -1 means the stem
	 * alone is the one file; 0: no files. */
	char stem[PATH_MAX];
	char suffix[32];
	long count;
	/* Removed after the files, in this order; "" = none. A directory
	 * another rank still fills is left for that rank (rmdir fails). */
	char dirs[ANVIL_IO_GUARD_DIRS][PATH_MAX];
	/* The child to kill first (a process-group leader), 0 when none:
	 * anvil_run_capture_opts keeps it up to date. */
	volatile sig_atomic_t child;
};

/* Installs the handler for SIGINT and SIGTERM (not where the process
 * ignores the signal: a background job stays immune) and starts the helper
 * with g as it is now: fill g first. g must stay valid until
 * anvil_io_guard_disarm. One guard per process at a time; arming another
 * replaces it. */
void anvil_io_guard_arm(struct anvil_io_guard *g);
/* Puts the previous handlers back; the helper ends, removing nothing. */
void anvil_io_guard_disarm(void);
/* Removes the guard's files and directories now. Returns how many could not
 * be removed for another reason than "not there" (0 = all gone). */
int anvil_io_guard_remove(const struct anvil_io_guard *g);

#endif
