/* What the I/O runners share: the aggregate window, the size cap, the
 * signal guard that removes test files (and kills fio), and the subprocess
 * options it relies on (stderr captured, child pid published). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/subproc.h"
#include "runners/io_guard.h"
#include "runners/io_util.h"

#define assert_close(a, b) assert_true(fabs((double)(a) - (double)(b)) <= 1e-9 * fabs((double)(b)) + 1e-12)

static struct anvil_io_span span(double s, double e, double rbytes, double wbytes)
{
	return (struct anvil_io_span){ .start = s, .end = e, .bytes = { rbytes, wbytes },
				       .ops = { rbytes / 4096, wbytes / 4096 } };
}

/* ---- the aggregate window ------------------------------------------------ */

static void test_window_overlapping(void **state)
{
	(void)state;
	/* three nodes, started together within ms, one finishing late */
	struct anvil_io_span n[3] = { span(0.001, 10.001, 10e9, 0), span(0.002, 10.5, 10e9, 0),
				      span(0.0, 9.0, 9e9, 0) };
	struct anvil_io_span all = anvil_io_span_empty();
	double sum_of_rates = 0;
	for (int i = 0; i < 3; i++) {
		anvil_io_span_merge(&all, &n[i]);
		sum_of_rates += n[i].bytes[0] / anvil_io_span_window(&n[i]);
	}
	assert_close(all.start, 0.0);
	assert_close(all.end, 10.5);
	assert_close(anvil_io_span_window(&all), 10.5);
	assert_close(all.bytes[0], 29e9);
	assert_close(all.ops[0], 29e9 / 4096);
	double agg = all.bytes[0] / anvil_io_span_window(&all);
	assert_close(agg, 29e9 / 10.5);
	assert_true(agg < sum_of_rates);  /* 2.76 GB/s, not 2.96 */
}

static void test_window_disjoint(void **state)
{
	(void)state;
	/* two nodes that ran one after the other share no time: the file
	 * system served 1 GB/s, though each node saw 1 GB/s on its own */
	struct anvil_io_span a = span(0, 10, 0, 10e9), b = span(10, 20, 0, 10e9);
	struct anvil_io_span all = anvil_io_span_empty();
	anvil_io_span_merge(&all, &b);
	anvil_io_span_merge(&all, &a);
	assert_close(all.bytes[1] / anvil_io_span_window(&all), 1e9);
	assert_close(a.bytes[1] / anvil_io_span_window(&a) + b.bytes[1] / anvil_io_span_window(&b), 2e9);
}

static void test_window_degenerate(void **state)
{
	(void)state;
	struct anvil_io_span e = anvil_io_span_empty();
	assert_close(anvil_io_span_window(&e), 0);
	struct anvil_io_span rev = span(5, 4, 1, 0);
	assert_close(anvil_io_span_window(&rev), 0);
	/* a node that measured nothing (empty) does not move the window */
	struct anvil_io_span all = anvil_io_span_empty(), one = span(1, 3, 8, 0);
	anvil_io_span_merge(&all, &one);
	anvil_io_span_merge(&all, &e);
	assert_close(all.start, 1);
	assert_close(all.end, 3);
}

/* ---- the size cap -------------------------------------------------------- */

static void test_cap(void **state)
{
	(void)state;
	const long long MiB = 1 << 20, GiB = 1LL << 30;
	/* fits: unchanged (even when not a multiple of align) */
	assert_int_equal(anvil_io_cap_size(3 * MiB + 1, 4, 3, 0.5, 1e12, MiB), 3 * MiB + 1);
	/* no cap */
	assert_int_equal(anvil_io_cap_size(100 * GiB, 4, 3, 0, 1e6, MiB), 100 * GiB);
	/* 4 files on each of 3 nodes may take half of 12 GiB: 512 MiB each */
	assert_int_equal(anvil_io_cap_size(GiB, 4, 3, 0.5, 12.0 * GiB, MiB), 512 * MiB);
	/* rounded down to whole blocks */
	assert_int_equal(anvil_io_cap_size(4096, 1, 1, 1.0, 1000, 64), 960);
	assert_int_equal(anvil_io_cap_size(GiB, 3, 1, 0.25, 10.0 * GiB, MiB), 853 * MiB);
	/* not one block fits */
	assert_int_equal(anvil_io_cap_size(GiB, 4, 4, 0.5, 16.0 * MiB, 2 * MiB), 0);
	/* the cap never makes a file larger than asked */
	assert_int_equal(anvil_io_cap_size(MiB, 1, 1, 1.0, 64.0 * MiB, MiB), MiB);
}

static void test_free_bytes(void **state)
{
	(void)state;
	double f = -1;
	char why[256];
	assert_int_equal(anvil_io_free_bytes("/", &f, why, sizeof(why)), 0);
	assert_true(f > 0);
	assert_int_equal(anvil_io_free_bytes("/no/such/dir/anvil", &f, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "/no/such/dir/anvil"));
}

/* ---- the guard ----------------------------------------------------------- */

static void touch(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
}

/* A folder with files stem0.x .. stem(n-1).x under it, and a guard over them. */
static void make_files(char *dir, size_t len, struct anvil_io_guard *g, int n)
{
	snprintf(dir, len, "/tmp/anvil-guard-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	memset(g, 0, sizeof(*g));
	snprintf(g->stem, sizeof(g->stem), "%s/anvil.", dir);
	snprintf(g->suffix, sizeof(g->suffix), ".0");
	g->count = n;
	snprintf(g->dirs[0], sizeof(g->dirs[0]), "%s", dir);
	for (int i = 0; i < n; i++) {
		char p[PATH_MAX + 32];
		snprintf(p, sizeof(p), "%s/anvil.%d.0", dir, i);
		touch(p);
	}
}

static void test_guard_remove(void **state)
{
	(void)state;
	char dir[64];
	struct anvil_io_guard g;
	make_files(dir, sizeof(dir), &g, 12);
	assert_int_equal(anvil_io_guard_remove(&g), 0);
	assert_int_not_equal(access(dir, F_OK), 0);
	/* again: nothing there is no failure */
	assert_int_equal(anvil_io_guard_remove(&g), 0);
	/* a single-file guard */
	char file[] = "/tmp/anvil-guard-one.XXXXXX";
	int fd = mkstemp(file);
	close(fd);
	memset(&g, 0, sizeof(g));
	snprintf(g.stem, sizeof(g.stem), "%s", file);
	g.count = -1;
	assert_int_equal(anvil_io_guard_remove(&g), 0);
	assert_int_not_equal(access(file, F_OK), 0);
	/* something it cannot unlink counts */
	make_files(dir, sizeof(dir), &g, 2);
	char p[128];
	snprintf(p, sizeof(p), "%s/anvil.1.0", dir);
	unlink(p);
	assert_int_equal(mkdir(p, 0755), 0);  /* a directory where a file was */
	assert_int_equal(anvil_io_guard_remove(&g), 1);
	rmdir(p);
	rmdir(dir);
}

static int process_with_arg(const char *arg)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int found = 0;
	while (d && (e = readdir(d))) {
		char path[300], buf[256] = "";
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		if (n > 0 && strstr(buf, arg) && strncmp(buf, "sleep", 5) == 0)
			found++;
	}
	if (d)
		closedir(d);
	return found;
}

/* SIGTERM while a child runs under the guard: child killed, files gone, the
 * process still ends by SIGTERM. */
static void test_guard_signal(void **state)
{
	(void)state;
	char dir[64];
	static struct anvil_io_guard g;
	make_files(dir, sizeof(dir), &g, 3);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		anvil_io_guard_arm(&g);
		char *argv[] = { "sleep", "31.4159", NULL };
		struct anvil_subproc_opts o = { .pid = &g.child };
		anvil_run_capture_opts(argv, NULL, 0, 60, &o);
		_exit(0);  /* not reached: the signal ends us */
	}
	for (int i = 0; i < 200 && !process_with_arg("31.4159"); i++)
		usleep(10000);
	assert_int_equal(process_with_arg("31.4159"), 1);
	kill(pid, SIGTERM);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	/* the removal runs detached: it may end just after the process */
	for (int i = 0; i < 300 && access(dir, F_OK) == 0; i++)
		usleep(10000);
	assert_int_not_equal(access(dir, F_OK), 0);
	for (int i = 0; i < 100 && process_with_arg("31.4159"); i++)
		usleep(10000);
	assert_int_equal(process_with_arg("31.4159"), 0);
}

/* Killed outright (SIGKILL: no handler runs): the helper sees anvil gone
 * and removes the files all the same. */
static void test_guard_sigkill(void **state)
{
	(void)state;
	char dir[64];
	static struct anvil_io_guard g;
	make_files(dir, sizeof(dir), &g, 4);
	pid_t pid = fork();
	if (pid == 0) {
		anvil_io_guard_arm(&g);
		pause();
		_exit(0);
	}
	usleep(100000);
	kill(pid, SIGKILL);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	for (int i = 0; i < 300 && access(dir, F_OK) == 0; i++)
		usleep(10000);
	assert_int_not_equal(access(dir, F_OK), 0);
}

/* Disarmed, the helper ends and removes nothing: the files are the
 * runner's to remove. */
static void test_guard_disarm_keeps(void **state)
{
	(void)state;
	char dir[64];
	static struct anvil_io_guard g;
	make_files(dir, sizeof(dir), &g, 2);
	anvil_io_guard_arm(&g);
	anvil_io_guard_disarm();
	usleep(400000);
	assert_int_equal(access(dir, F_OK), 0);
	assert_int_equal(anvil_io_guard_remove(&g), 0);
}

/* A process that ignores SIGINT (a background job) stays immune. */
static void test_guard_respects_ignore(void **state)
{
	(void)state;
	char dir[64];
	static struct anvil_io_guard g;
	make_files(dir, sizeof(dir), &g, 2);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_IGN);
		anvil_io_guard_arm(&g);
		raise(SIGINT);
		anvil_io_guard_disarm();
		_exit(access(dir, F_OK) == 0 ? 7 : 1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
	assert_int_equal(anvil_io_guard_remove(&g), 0);
}

/* Disarmed, the old handler is back. */
static volatile sig_atomic_t got_usr;
static void on_term(int s) { got_usr = s; }

static void test_guard_disarm_restores(void **state)
{
	(void)state;
	static struct anvil_io_guard g;
	memset(&g, 0, sizeof(g));
	signal(SIGTERM, on_term);
	anvil_io_guard_arm(&g);
	anvil_io_guard_disarm();
	raise(SIGTERM);
	assert_int_equal(got_usr, SIGTERM);
	signal(SIGTERM, SIG_DFL);
}

/* ---- subprocess options ---------------------------------------------------- */

static void test_capture_stderr(void **state)
{
	(void)state;
	char out[64], err[64];
	volatile sig_atomic_t pid = -1;
	struct anvil_subproc_opts o = { .err = err, .errlen = sizeof(err), .pid = &pid };
	char *argv[] = { "sh", "-c", "echo to-out; echo to-err >&2; exit 3", NULL };
	assert_int_equal(anvil_run_capture_opts(argv, out, sizeof(out), 5, &o), 3);
	assert_string_equal(out, "to-out\n");
	assert_string_equal(err, "to-err\n");
	assert_int_equal(pid, 0);
	/* lots on both streams at once: neither pipe may block the child */
	char *big[] = { "sh", "-c", "seq 1 200000; seq 1 200000 >&2", NULL };
	assert_int_equal(anvil_run_capture_opts(big, out, sizeof(out), 20, &o), 0);
	assert_int_equal(strncmp(err, "1\n2\n3\n", 6), 0);
	char path[4096];
	assert_int_equal(anvil_program_find("sh", path, sizeof(path)), 0);
	assert_true(path[0] == '/');
	assert_int_equal(anvil_program_find("anvil-no-such-program", path, sizeof(path)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_overlapping),
		cmocka_unit_test(test_window_disjoint),
		cmocka_unit_test(test_window_degenerate),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_free_bytes),
		cmocka_unit_test(test_guard_remove),
		cmocka_unit_test(test_guard_signal),
		cmocka_unit_test(test_guard_sigkill),
		cmocka_unit_test(test_guard_disarm_keeps),
		cmocka_unit_test(test_guard_respects_ignore),
		cmocka_unit_test(test_guard_disarm_restores),
		cmocka_unit_test(test_capture_stderr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
