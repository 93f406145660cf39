/*
 * fork + execv with a pipe, a deadline and no shell. The program is looked up
 * in PATH before fork, so "not installed" is told apart from "exited 127"
 * without starting anything, and the child does only async-signal-safe work
 * between fork and exec (safe in a threaded MPI process).
 */
#include "bench/subproc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POLL_SLICE_MS 50      /* how often a running child is checked for exit */
#define KILL_GRACE_S 1.0      /* SIGTERM → SIGKILL */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* 0 when path is an executable regular file, else -errno. */
static int check_exec(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	return access(path, X_OK) < 0 ? -errno : 0;
}

/* execvp's search, done in the parent. Returns 0 and the path, or -errno. */
static int resolve_program(const char *name, char *path, size_t pathlen)
{
	if (!name || !*name)
		return -ENOENT;
	if (strchr(name, '/')) {
		if ((size_t)snprintf(path, pathlen, "%s", name) >= pathlen)
			return -ENAMETOOLONG;
		return check_exec(path);
	}
	const char *dirs = getenv("PATH");
	if (!dirs)
		dirs = "/usr/local/bin:/usr/bin:/bin";
	int err = -ENOENT;
	for (const char *p = dirs;; p++) {
		const char *end = strchrnul(p, ':');
		int dlen = (int)(end - p);
		/* An empty entry means the current directory, as in execvp. */
		struct stat st;
		if ((size_t)snprintf(path, pathlen, "%.*s%s%s", dlen, p, dlen ? "/" : "", name) < pathlen &&
		    stat(path, &st) == 0) {
			/* A directory we may not search is no hit; a file we may not run
			 * is, though later entries may still hold a runnable one. */
			int rc = check_exec(path);
			if (rc == 0)
				return 0;
			err = rc;
		}
		if (!*end)
			break;
		p = end;
	}
	return err;
}

/* In the child: only async-signal-safe calls, then exec or report errno. */
static void child_exec(const char *path, char *const argv[], int devnull, int out_fd,
		       int stderr_fd, int err_fd, pid_t parent)
{
	static const int reset[] = { SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP };
	struct sigaction dfl;
	sigset_t none;

	setpgid(0, 0);  /* its own group, so a timeout kills its children too */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (size_t i = 0; i < sizeof(reset) / sizeof(reset[0]); i++)
		sigaction(reset[i], &dfl, NULL);  /* SIG_IGN would survive exec */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);  /* do not outlive anvil */
	if (getppid() != parent)
		_exit(127);
	if (dup2(devnull, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(stderr_fd, 2) < 0)
		goto fail;
	execv(path, argv);
fail:;
	int e = errno;
	ssize_t w = write(err_fd, &e, sizeof(e));
	(void)w;
	_exit(127);
}

/* Waits for pid until deadline (<= 0: no deadline). 1 when reaped, 0 at deadline. */
static int reap_until(pid_t pid, int *status, double deadline)
{
	double nap = 0.001;
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return 1;
		if (deadline > 0 && now_s() >= deadline)
			return 0;
		sleep_s(nap);
		if (nap < POLL_SLICE_MS / 1000.0)
			nap *= 2;
	}
}

static void kill_and_reap(pid_t pid, int *status)
{
	kill(-pid, SIGTERM);
	kill(pid, SIGTERM);  /* in case setpgid had not run yet */
	if (reap_until(pid, status, now_s() + KILL_GRACE_S))
		return;
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}

struct capture {
	char *out;
	size_t outlen;
	size_t used;
};

/* Reads what is there; returns 0 at EOF, 1 otherwise. */
static int capture_read(int fd, struct capture *c)
{
	char scratch[4096];
	char *dst = scratch;
	size_t room = sizeof(scratch);
	if (c->outlen > 0 && c->used + 1 < c->outlen) {
		dst = c->out + c->used;
		room = c->outlen - 1 - c->used;
	}
	ssize_t n = read(fd, dst, room);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	if (n == 0)
		return 0;
	if (dst != scratch) {
		c->used += (size_t)n;
		c->out[c->used] = '\0';
	}
	return 1;
}

/* Collects stdout (and stderr when fds[1] >= 0) until the child is gone or
 * the deadline; 1 = reaped, 0 = deadline. */
static int capture_until(pid_t pid, const int fds[2], struct capture cap[2], int *status,
			 double deadline)
{
	int open[2] = { fds[0] >= 0, fds[1] >= 0 }, reaped = 0;
	while (!reaped || open[0] || open[1]) {
		int wait_ms = POLL_SLICE_MS;
		if (deadline > 0) {
			double left = deadline - now_s();
			if (left <= 0)
				return 0;
			if (left * 1000 < wait_ms)
				wait_ms = (int)(left * 1000) + 1;
		}
		if (open[0] || open[1]) {
			struct pollfd p[2];
			int n = 0, which[2];
			for (int i = 0; i < 2; i++) {
				if (!open[i])
					continue;
				p[n] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
				which[n++] = i;
			}
			/* Once the child is reaped, take only what is already buffered:
			 * a grandchild holding a pipe must not keep us here. */
			int pr = poll(p, (nfds_t)n, reaped ? 0 : wait_ms);
			for (int k = 0; pr > 0 && k < n; k++)
				if (p[k].revents)
					open[which[k]] = capture_read(fds[which[k]], &cap[which[k]]);
			if (pr == 0 && reaped)
				open[0] = open[1] = 0;
		} else {
			sleep_s(wait_ms / 1000.0 < 0.005 ? wait_ms / 1000.0 : 0.005);
		}
		if (!reaped) {
			pid_t r = waitpid(pid, status, WNOHANG);
			reaped = r == pid || (r < 0 && errno == ECHILD);
		}
	}
	return 1;
}

int anvil_program_find(const char *name, char *path, size_t pathlen)
{
	return resolve_program(name, path, pathlen);
}

int anvil_run_capture(char *const argv[], char *out, size_t outlen, double timeout_s)
{
	return anvil_run_capture_opts(argv, out, outlen, timeout_s, NULL);
}

int anvil_run_capture_opts(char *const argv[], char *out, size_t outlen, double timeout_s,
			   const struct anvil_subproc_opts *o)
{
	char path[PATH_MAX];
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, stderrp[2] = { -1, -1 }, devnull = -1;
	int rc, status = 0;
	double deadline = timeout_s > 0 ? now_s() + timeout_s : 0;
	int want_err = o && o->err && o->errlen > 0;
	struct capture cap[2] = { { out, out ? outlen : 0, 0 },
				  { want_err ? o->err : NULL, want_err ? o->errlen : 0, 0 } };

	if (out && outlen)
		out[0] = '\0';
	if (want_err)
		o->err[0] = '\0';
	if (!argv || !argv[0])
		return -EINVAL;
	rc = resolve_program(argv[0], path, sizeof(path));
	if (rc < 0)
		return rc;
	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    (want_err && pipe2(stderrp, O_CLOEXEC) < 0) ||
	    (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
		rc = -errno;
		goto out;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		rc = -errno;
		goto out;
	}
	if (pid == 0)
		child_exec(path, argv, devnull, outp[1], want_err ? stderrp[1] : devnull, errp[1], parent);
	setpgid(pid, pid);  /* also here: whichever runs first wins, both agree */
	if (o && o->pid)
		*o->pid = pid;
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;
	if (stderrp[1] >= 0) {
		close(stderrp[1]);
		stderrp[1] = -1;
	}

	/* The error pipe closes on a successful exec, or carries exec's errno. */
	int exec_errno = 0;
	ssize_t n;
	while ((n = read(errp[0], &exec_errno, sizeof(exec_errno))) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(exec_errno)) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		rc = -exec_errno;
		goto out;
	}
	if (!capture_until(pid, (int[2]){ outp[0], stderrp[0] }, cap, &status, deadline)) {
		kill_and_reap(pid, &status);
		rc = -ETIMEDOUT;
	} else if (WIFEXITED(status)) {
		rc = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		rc = 256 + WTERMSIG(status);
	} else {
		rc = -ECHILD;
	}
out:
	if (o && o->pid)
		*o->pid = 0;
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
		if (stderrp[i] >= 0)
			close(stderrp[i]);
	}
	if (devnull >= 0)
		close(devnull);
	return rc;
}
