/*
 * Running a helper program (fio, nvidia-smi, ibstat …) and capturing what it
 * prints. Never through a shell: argv goes to execv as it is, so nothing in
 * it is ever expanded or split.
 */
#ifndef ANVIL_SUBPROC_H
#define ANVIL_SUBPROC_H
#include <signal.h>
#include <stddef.h>

/*
 * Runs argv[0] (searched in PATH when it has no '/') with argv, stdin from
 * /dev/null, stdout captured into out, stderr discarded.
 *
 * out is always NUL-terminated (when outlen > 0; out may be NULL when
 * outlen is 0); output beyond outlen - 1 bytes is read and dropped so the
 * child never blocks on a full pipe. The caller owns out.
 *
 * The child runs in its own process group and gets SIGKILL if the thread
 * that started it exits (PR_SET_PDEATHSIG): call this from a thread that
 * outlives the child, e.g. the main thread.
 *
 * timeout_s > 0 bounds the whole run: past it the child's process group gets
 * SIGTERM, then SIGKILL one second later, and the child is reaped. timeout_s
 * <= 0 waits for as long as the child runs.
 *
 * Returns:
 *   0..255        the child exited with this status;
 *   256 + signo   a signal (not sent by us) ended the child;
 *   -ENOENT       no such program in PATH (nothing was started);
 *   -EACCES       the program exists but is not executable (nothing started);
 *   -ETIMEDOUT    it ran past timeout_s and was killed (out holds what it
 *                 printed until then);
 *   -EINVAL       argv or argv[0] is NULL;
 *   -errno        it could not be started (pipe, fork or exec failed).
 */
int anvil_run_capture(char *const argv[], char *out, size_t outlen, double timeout_s);

/* What anvil_run_capture_opts adds; zero what is not used. */
struct anvil_subproc_opts {
	char *err;                   /* stderr is captured here, NUL-terminated, when errlen > 0 */
	size_t errlen;               /* (else it goes to /dev/null); the caller owns err */
	volatile sig_atomic_t *pid;  /* when set: the child's pid (= its process group) while it
				      * runs, 0 before and after: for a signal handler that must
				      * kill it (kill(-pid, SIGKILL)) */
};

/* anvil_run_capture with the options above; o may be NULL. */
int anvil_run_capture_opts(char *const argv[], char *out, size_t outlen, double timeout_s,
			   const struct anvil_subproc_opts *o);

/* Finds a program as execvp would (a name with a '/' is taken as it is):
 * 0 with its path, or -ENOENT / -EACCES. Starts nothing. */
int anvil_program_find(const char *name, char *path, size_t pathlen);

#endif
