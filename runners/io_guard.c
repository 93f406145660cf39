/*
 * Why a helper process: mpirun (ORTE) answers Ctrl-C with SIGTERM to each
 * rank's process group and SIGKILL a few milliseconds later, less time than
 * thousands of unlinks take, and a process forked inside the handler may be
 * caught by that SIGKILL before it leaves the group. So the remover is
 * forked when the guard is armed, in a session of its own, and waits on a
 * pipe: 'C' (+ fio's pid) from the handler means remove now; 'D' from
 * disarm means done, remove nothing; end of file without a word means anvil
 * died some other way (SIGKILL, the monitor's _exit on a timeout): remove.
 * It uses only async-signal-safe calls (it is the fork of a threaded MPI
 * process) and knows the paths from its copy of the guard.
 */
#include "runners/io_guard.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const int guarded[] = { SIGINT, SIGTERM };
#define NGUARDED (sizeof(guarded) / sizeof(guarded[0]))

static struct anvil_io_guard *volatile armed;
static struct sigaction previous[NGUARDED];
static int installed[NGUARDED];
static volatile int helper_fd = -1;  /* write end of the helper's pipe */
static pid_t helper_pid;

struct helper_msg {
	char what;   /* 'C' remove now, 'D' done */
	pid_t child; /* with 'C': fio, to wait for */
};

/* stem + index + suffix into buf (len >= PATH_MAX + 64), without stdio. */
static void file_name(const struct anvil_io_guard *g, long index, char *buf, size_t len)
{
	size_t n = 0;
	for (const char *s = g->stem; *s && n + 1 < len; s++)
		buf[n++] = *s;
	if (index >= 0) {
		char digits[24];
		int d = 0;
		unsigned long v = (unsigned long)index;
		do {
			digits[d++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		while (d && n + 1 < len)
			buf[n++] = digits[--d];
		for (const char *s = g->suffix; *s && n + 1 < len; s++)
			buf[n++] = *s;
	}
	buf[n] = '\0';
}

int anvil_io_guard_remove(const struct anvil_io_guard *g)
{
	char path[PATH_MAX + 64];
	int failed = 0;
	if (g->count < 0) {
		file_name(g, -1, path, sizeof(path));
		failed += unlink(path) != 0 && errno != ENOENT;
	}
	for (long i = 0; i < g->count; i++) {
		file_name(g, i, path, sizeof(path));
		failed += unlink(path) != 0 && errno != ENOENT;
	}
	for (int d = 0; d < ANVIL_IO_GUARD_DIRS; d++)
		if (g->dirs[d][0])
			failed += rmdir(g->dirs[d]) != 0 && errno != ENOENT && errno != ENOTEMPTY &&
				  errno != EEXIST;
	return failed;
}

/* Until pid is gone (at most 2 s): kill(pid, 0) fails once it is reaped. */
static void wait_gone(pid_t pid)
{
	struct timespec nap = { 0, 5 * 1000 * 1000 };
	for (int i = 0; i < 400 && kill(pid, 0) == 0; i++)
		nanosleep(&nap, NULL);
}

static void helper_main(const struct anvil_io_guard *g, int fd)
{
	struct sigaction dfl;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (size_t i = 0; i < NGUARDED; i++)
		sigaction(guarded[i], &dfl, NULL);
	setsid();
	/* hold none of anvil's files, sockets, journal */
	if ((fd > 0 && close_range(0, (unsigned)fd - 1, 0) != 0) || close_range((unsigned)fd + 1, ~0u, 0) != 0)
		for (int i = 0; i < 4096; i++)
			if (i != fd)
				close(i);
	struct helper_msg m = { 0, 0 };
	ssize_t n;
	while ((n = read(fd, &m, sizeof(m))) < 0 && errno == EINTR)
		;
	if (n > 0 && m.what == 'D')
		_exit(0);
	anvil_io_guard_remove(g);
	if (n == (ssize_t)sizeof(m) && m.child > 0) {
		wait_gone(m.child);
	} else {  /* fio dies with anvil (PR_SET_PDEATHSIG); give it a moment */
		struct timespec nap = { 0, 300 * 1000 * 1000 };
		nanosleep(&nap, NULL);
	}
	anvil_io_guard_remove(g);  /* what fio may have made meanwhile, and the folders */
	_exit(0);
}

static void on_signal(int sig)
{
	int saved = errno;
	struct anvil_io_guard *g = armed;
	if (g) {
		pid_t child = (pid_t)g->child;
		if (child > 0) {  /* fio runs its jobs as threads (--thread): one process */
			kill(-child, SIGKILL);
			kill(child, SIGKILL);
		}
		struct helper_msg m;
		memset(&m, 0, sizeof(m));  /* the padding too: all of it goes down the pipe */
		m.what = 'C';
		m.child = child;
		if (helper_fd < 0 || write(helper_fd, &m, sizeof(m)) != (ssize_t)sizeof(m))
			anvil_io_guard_remove(g);  /* no helper: do what we can here */
	}
	for (size_t i = 0; i < NGUARDED; i++)
		if (guarded[i] == sig && installed[i])
			sigaction(sig, &previous[i], NULL);
	errno = saved;
	raise(sig);  /* delivered once this handler returns, to the old disposition */
}

/* The helper, forked now with the guard as it stands. */
static void start_helper(const struct anvil_io_guard *g)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[1]);
		helper_main(g, p[0]);
	}
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return;
	}
	helper_pid = pid;
	helper_fd = p[1];
}

static void stop_helper(void)
{
	int fd = helper_fd;
	if (fd < 0)
		return;
	helper_fd = -1;
	struct helper_msg m;
	memset(&m, 0, sizeof(m));  /* the padding too: all of it goes down the pipe */
	m.what = 'D';
	ssize_t w = write(fd, &m, sizeof(m));
	(void)w;
	close(fd);
	while (waitpid(helper_pid, NULL, 0) < 0 && errno == EINTR)
		;
}

void anvil_io_guard_arm(struct anvil_io_guard *g)
{
	if (armed)
		anvil_io_guard_disarm();
	start_helper(g);
	armed = g;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < NGUARDED; i++) {
		struct sigaction old;
		if (sigaction(guarded[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
			continue;
		previous[i] = old;
		installed[i] = sigaction(guarded[i], &sa, NULL) == 0;
	}
}

void anvil_io_guard_disarm(void)
{
	for (size_t i = 0; i < NGUARDED; i++) {
		if (installed[i])
			sigaction(guarded[i], &previous[i], NULL);
		installed[i] = 0;
	}
	armed = NULL;
	stop_helper();
}
