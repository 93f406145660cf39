/* reports/outfile.c: output files written by the writer thread, in the
 * order handed, with spills through their temporary files copied in
 * between; a write error, or a spill that cannot be read back, shows at
 * the commit and leaves no file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "reports/outfile.h"

/* n bytes of a pattern that differs from piece to piece */
static void piece(struct strbuf *a, struct strbuf *b, int tag, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = (char)('a' + (tag * 7 + (int)(i % 23)) % 26);
		strbuf_addch(a, ch);
		if (b)
			strbuf_addch(b, ch);
	}
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		strbuf_add(&sb, chunk, n);
	fclose(f);
	*len = sb.len;
	return strbuf_detach(&sb);
}

/* rounds of writes straight into the file, then text set aside and copied in;
 * the file must hold it all, in order */
static void order_case(int rounds, int writes, size_t wsize, int spills, size_t ssize)
{
	char dir[] = "/tmp/anvil-outfile-XXXXXX", err[512] = "", path[600];
	assert_non_null(mkdtemp(dir));
	struct anvil_outfile o;
	struct anvil_spill sp;
	struct strbuf want = STRBUF_INIT, held = STRBUF_INIT;
	assert_int_equal(anvil_outfile_open(&o, dir, "out.txt", err, sizeof(err)), 0);
	anvil_spill_init(&sp);
	for (int round = 0; round < rounds; round++) {
		/* straight into the file: several buffers' worth */
		for (int k = 0; k < writes; k++) {
			piece(&o.buf, &want, round * 100 + k, wsize + (size_t)k * 13);
			anvil_outfile_flush(&o, 0);
		}
		/* set aside (through the spill's file: past 256 KiB), shorter each round */
		held.len = 0;
		for (int k = 0; k < spills - 10 * round; k++) {
			piece(&sp.buf, &held, round * 1000 + k, ssize);
			anvil_spill_flush(&sp, 0);
		}
		if (round == 1)
			assert_true(sp.total > 0);  /* the file was used */
		anvil_spill_copy(&sp, &o);
		strbuf_add(&want, held.buf, held.len);
	}
	anvil_spill_release(&sp);
	assert_int_equal(anvil_outfile_commit(&o, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	size_t len = 0;
	char *got = slurp(path, &len);
	assert_non_null(got);
	assert_int_equal(len, want.len);
	assert_memory_equal(got, want.buf, len);
	free(got);
	unlink(path);
	rmdir(dir);
	strbuf_release(&want);
	strbuf_release(&held);
}

static void test_order(void **state)
{
	(void)state;
	order_case(3, 40, 70000, 30, 90001);
}

/* Past 2 MiB the writer goes around the page cache (O_DIRECT) in whole
 * stages: a file of 50 MB, pieces and spills of odd sizes, and its tail
 * (not a whole block) written at the commit. */
static void test_large(void **state)
{
	(void)state;
	order_case(2, 30, 800003, 25, 333331);
}

/* a spill that went to its file, copied into a buffer-only output */
static void test_spill_to_buffer(void **state)
{
	(void)state;
	struct anvil_outfile o;
	struct anvil_spill sp;
	struct strbuf want = STRBUF_INIT;
	anvil_outfile_buffer(&o);
	anvil_spill_init(&sp);
	strbuf_adds(&o.buf, "head:");
	strbuf_adds(&want, "head:");
	for (int k = 0; k < 12; k++) {
		piece(&sp.buf, &want, k, 300000);
		anvil_spill_flush(&sp, 0);
	}
	anvil_spill_copy(&sp, &o);
	assert_int_equal(o.buf.len, want.len);
	assert_memory_equal(o.buf.buf, want.buf, want.len);
	anvil_spill_release(&sp);
	strbuf_release(&o.buf);
	strbuf_release(&want);
}

/* a write that fails (here: the file is read-only) is reported by the commit */
static void test_write_error(void **state)
{
	(void)state;
	char dir[] = "/tmp/anvil-outfile-XXXXXX", err[512] = "", path[600];
	assert_non_null(mkdtemp(dir));
	struct anvil_outfile o;
	assert_int_equal(anvil_outfile_open(&o, dir, "bad.txt", err, sizeof(err)), 0);
	int ro = open("/dev/null", O_RDONLY);
	assert_true(ro >= 0);
	assert_true(dup2(ro, o.fd) == o.fd);
	close(ro);
	piece(&o.buf, NULL, 1, 3u << 20);
	anvil_outfile_flush(&o, 0);
	assert_int_equal(anvil_outfile_commit(&o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad.txt: cannot write"));
	snprintf(path, sizeof(path), "%s/bad.txt", dir);
	assert_int_equal(access(path, F_OK), -1);  /* nothing renamed into place */
	assert_int_equal(rmdir(dir), 0);           /* and no temporary file left */
}

/* a spill's file that cannot be read back (here: write-only) fails the
 * file it is copied into, and the commit says it was the reading */
static void test_spill_read_error(void **state)
{
	(void)state;
	char dir[] = "/tmp/anvil-outfile-XXXXXX", err[512] = "", path[600];
	assert_non_null(mkdtemp(dir));
	struct anvil_outfile o;
	struct anvil_spill sp;
	assert_int_equal(anvil_outfile_open(&o, dir, "copy.txt", err, sizeof(err)), 0);
	anvil_spill_init(&sp);
	piece(&sp.buf, NULL, 2, 600000);
	anvil_spill_flush(&sp, 0);
	assert_true(sp.fd >= 0 && sp.total > 0);  /* it went to its file */
	int wo = open("/dev/null", O_WRONLY);
	assert_true(wo >= 0);
	assert_true(dup2(wo, sp.fd) == sp.fd);
	close(wo);
	anvil_spill_copy(&sp, &o);
	anvil_spill_release(&sp);
	assert_int_equal(anvil_outfile_commit(&o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "copy.txt: cannot read back a temporary file of it"));
	snprintf(path, sizeof(path), "%s/copy.txt", dir);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_spill_to_buffer),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_spill_read_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
