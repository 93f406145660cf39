#include "runners/io_guard.h"
#include <errno.h>
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

/* After SIGKILL: wait (at most 2 s) until the child can no longer create a
 * file, so the unlinks below are final. Someone else may reap it first. */
static void wait_gone(pid_t pid)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	for (int i = 0; i < 200; i++) {
		pid_t r = waitpid(pid, NULL, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			return;
		nanosleep(&nap, NULL);
	}
}

static void on_signal(int sig)
{
	int saved = errno;
	struct anvil_io_guard *g = armed;
	if (g) {
		pid_t child = (pid_t)g->child;
		if (child > 0) {
			kill(-child, SIGKILL);
			kill(child, SIGKILL);
			wait_gone(child);
		}
		anvil_io_guard_remove(g);
	}
	for (size_t i = 0; i < NGUARDED; i++)
		if (guarded[i] == sig && installed[i])
			sigaction(sig, &previous[i], NULL);
	errno = saved;
	raise(sig);  /* delivered once this handler returns, to the old disposition */
}

void anvil_io_guard_arm(struct anvil_io_guard *g)
{
	armed = g;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < NGUARDED; i++) {
		if (installed[i])
			continue;
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
}
