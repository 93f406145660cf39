/* fio's JSON in several versions' shapes (tests/data/fio/README.md) into
 * anvil's figures, and the I/O window of one fio process. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "runners/fio_json.h"
#include "runners/io_util.h"

static struct anvil_fio_result parse_ok(const char *name)
{
	char path[4096], err[512], why[512] = "";
	snprintf(path, sizeof(path), "%s/tests/data/fio/%s",
		 getenv("ANVIL_SOURCE_DIR") ? getenv("ANVIL_SOURCE_DIR") : ".", name);
	char *text = anvil_read_file(path, 1 << 20, NULL, err, sizeof(err));
	if (!text)
		fail_msg("%s", err);
	struct anvil_fio_result r;
	int rc = anvil_fio_parse(text, &r, why, sizeof(why));
	free(text);
	if (rc)
		fail_msg("%s: %s", name, why);
	return r;
}

static int parse_fails(const char *name, char *why, size_t len)
{
	char path[4096], err[512];
	snprintf(path, sizeof(path), "%s/tests/data/fio/%s",
		 getenv("ANVIL_SOURCE_DIR") ? getenv("ANVIL_SOURCE_DIR") : ".", name);
	char *text = anvil_read_file(path, 1 << 20, NULL, err, sizeof(err));
	assert_non_null(text);
	struct anvil_fio_result r;
	int rc = anvil_fio_parse(text, &r, why, len);
	free(text);
	return rc != 0;
}

#define assert_close(a, b) assert_true(fabs((double)(a) - (double)(b)) <= 1e-9 * fabs((double)(b)) + 1e-9)
/* epoch seconds near 1.8e9 carry about 0.2 us of rounding */
#define assert_near_us(a, b) assert_true(fabs((double)(a) - (double)(b)) <= 1e-6)

static void test_fio333_seq_read(void **state)
{
	(void)state;
	struct anvil_fio_result r = parse_ok("fio-3.33-seq-read.json");
	assert_string_equal(r.version, "fio-3.33");
	assert_int_equal(r.error, 0);
	assert_int_equal(r.njobs, 1);
	const struct anvil_fio_ddir *d = &r.ddir[ANVIL_IO_READ];
	assert_close(d->bytes, 917504000);
	assert_close(d->ios, 875);
	assert_close(d->bw_bytes, 900396467);
	assert_close(d->iops, 858.684985);
	assert_close(d->runtime_s, 1.019);
	assert_close(d->clat_us[0], 17432.576);  /* clat_ns / 1000 */
	assert_close(d->clat_us[1], 36438.016);
	assert_close(d->clat_us[2], 39583.744);
	assert_close(r.end_epoch, 1795260667.520);
	/* the direction it did not do: zero, and no percentiles */
	assert_close(r.ddir[ANVIL_IO_WRITE].bytes, 0);
	assert_true(isnan(r.ddir[ANVIL_IO_WRITE].clat_us[1]));
}

static void test_fio333_kinds(void **state)
{
	(void)state;
	struct anvil_fio_result w = parse_ok("fio-3.33-seq-write.json");
	assert_close(w.ddir[ANVIL_IO_WRITE].bytes, 3474980864.0);
	assert_close(w.ddir[ANVIL_IO_WRITE].bw_bytes, 3447401650.0);
	assert_close(w.ddir[ANVIL_IO_WRITE].clat_us[2], 14090.240);
	struct anvil_fio_result rr = parse_ok("fio-3.33-rand-read.json");
	assert_close(rr.ddir[ANVIL_IO_READ].iops, 52320.679321);
	assert_close(rr.ddir[ANVIL_IO_READ].ios, 52373);
	assert_close(rr.ddir[ANVIL_IO_READ].clat_us[0], 254.976);
	struct anvil_fio_result rw = parse_ok("fio-3.33-rand-write.json");
	assert_close(rw.ddir[ANVIL_IO_WRITE].iops, 75100.899101);
	assert_close(rw.ddir[ANVIL_IO_WRITE].clat_us[1], 317.440);
	struct anvil_fio_result m = parse_ok("fio-3.33-mixed.json");
	assert_close(m.ddir[ANVIL_IO_READ].iops, 39221.778222);
	assert_close(m.ddir[ANVIL_IO_WRITE].iops, 16836.163836);
	assert_close(m.ddir[ANVIL_IO_READ].bytes, 160813056);
	assert_close(m.ddir[ANVIL_IO_WRITE].bytes, 69029888);
	/* 70/30 as asked, within what one second of random draws gives */
	double frac = m.ddir[ANVIL_IO_READ].ios / (m.ddir[ANVIL_IO_READ].ios + m.ddir[ANVIL_IO_WRITE].ios);
	assert_true(frac > 0.68 && frac < 0.72);
}

static void test_fio336_job_start(void **state)
{
	(void)state;
	/* fio 3.36 adds job_start; the rest of the shape is 3.x: same figures */
	struct anvil_fio_result a = parse_ok("fio-3.36-mixed.json"), b = parse_ok("fio-3.33-mixed.json");
	assert_string_equal(a.version, "fio-3.36");
	for (int d = 0; d < 2; d++) {
		assert_close(a.ddir[d].bytes, b.ddir[d].bytes);
		assert_close(a.ddir[d].clat_us[2], b.ddir[d].clat_us[2]);
	}
}

static void test_fio21_shape(void **state)
{
	(void)state;
	struct anvil_fio_result r = parse_ok("fio-2.1-rand-read.json");
	const struct anvil_fio_ddir *d = &r.ddir[ANVIL_IO_READ];
	assert_close(d->bytes, 409600.0 * 1024);   /* io_bytes was KiB */
	assert_close(d->bw_bytes, 40960.0 * 1024); /* bw in KiB/s, no bw_bytes */
	assert_close(d->iops, 10240);
	assert_close(d->ios, 102400);              /* no total_ios: iops x runtime */
	assert_close(d->runtime_s, 10);
	assert_close(d->clat_us[0], 96);            /* "clat" was already us */
	assert_close(d->clat_us[1], 1012);
	assert_close(d->clat_us[2], 2544);
	assert_true(isnan(r.end_epoch));            /* no timestamp before 2.20 */
}

static void test_fio220_shape(void **state)
{
	(void)state;
	struct anvil_fio_result r = parse_ok("fio-2.20-seq-write.json");
	const struct anvil_fio_ddir *d = &r.ddir[ANVIL_IO_WRITE];
	assert_close(d->bytes, 2147483648.0);
	assert_close(d->bw_bytes, 209715.0 * 1024);
	assert_close(d->ios, 2048);
	assert_close(d->clat_us[0], 38912);
	assert_close(d->clat_us[2], 71168);
	assert_close(r.end_epoch, 1500000000.123);
}

static void test_error_and_notes(void **state)
{
	(void)state;
	/* fio prints "fio: pid=..., err=28/..." on stdout before the JSON */
	struct anvil_fio_result r = parse_ok("fio-3.33-enospc.json");
	assert_int_equal(r.error, 28);
	assert_close(r.ddir[ANVIL_IO_WRITE].bytes, 16777216);
}

static void test_two_jobs_added(void **state)
{
	(void)state;
	struct anvil_fio_result r = parse_ok("fio-3.33-two-jobs.json");
	const struct anvil_fio_ddir *d = &r.ddir[ANVIL_IO_READ];
	assert_int_equal(r.njobs, 2);
	assert_close(d->bytes, 35667968.0 + 34185216.0);
	assert_close(d->ios, 8708.0 + 8346.0);
	assert_close(d->iops, 17381.237525 + 16494.071146);
	assert_close(d->runtime_s, 0.506);           /* the longer job */
	assert_close(d->clat_us[2], 6848.512);       /* the worse job */
	assert_close(d->clat_us[0], 144.384);
}

static void test_malformed(void **state)
{
	(void)state;
	char why[512];
	assert_true(parse_fails("bad-no-json.txt", why, sizeof(why)));
	assert_non_null(strstr(why, "no JSON"));
	assert_true(parse_fails("bad-no-io-bytes.json", why, sizeof(why)));
	assert_non_null(strstr(why, "\"read\""));
	struct anvil_fio_result r;
	assert_int_not_equal(anvil_fio_parse("{\"jobs\": [", &r, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "malformed"));
	assert_int_not_equal(anvil_fio_parse("{\"jobs\": []}", &r, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "empty"));
	assert_int_not_equal(anvil_fio_parse("{\"fio version\": \"x\"}", &r, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "jobs"));
}

static void test_window(void **state)
{
	(void)state;
	struct anvil_fio_result r = parse_ok("fio-3.33-seq-read.json");
	double s, e;
	/* fio ended at its timestamp and ran 1.019 s: the window inside the process's */
	anvil_fio_window(&r, r.end_epoch - 1.2, r.end_epoch + 0.05, &s, &e);
	assert_near_us(e, r.end_epoch);
	assert_near_us(e - s, 1.019);
	/* a timestamp outside the process (another clock?) is clamped to it */
	anvil_fio_window(&r, r.end_epoch - 10, r.end_epoch - 5, &s, &e);
	assert_near_us(e, r.end_epoch - 5);
	assert_near_us(s, r.end_epoch - 5 - 1.019);
	anvil_fio_window(&r, r.end_epoch - 0.5, r.end_epoch, &s, &e);
	assert_near_us(s, r.end_epoch - 0.5);          /* never before the process began */
	/* fio 2.1 has no timestamp: the process window */
	struct anvil_fio_result old = parse_ok("fio-2.1-rand-read.json");
	anvil_fio_window(&old, 100, 111, &s, &e);
	assert_near_us(s, 100);
	assert_near_us(e, 111);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fio333_seq_read),
		cmocka_unit_test(test_fio333_kinds),
		cmocka_unit_test(test_fio336_job_start),
		cmocka_unit_test(test_fio21_shape),
		cmocka_unit_test(test_fio220_shape),
		cmocka_unit_test(test_error_and_notes),
		cmocka_unit_test(test_two_jobs_added),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
