/* Golden reports: every tests/data/golden/<case>/journal.jsonl (with its
 * baseline/ run where there is one) through anvil_report_run, the path
 * `anvil report` takes, and report.json compared exactly with the stored
 * one once the fields that change from run to run are taken out (when it
 * was made, by which version, from which directory). The exit code is
 * compared too, and the tree anvil_report_build makes in memory must say the
 * same as the file written test by test.
 *
 * To regenerate after an intended change: scripts/update-goldens.sh (runs
 * this with ANVIL_GOLDEN_UPDATE=1), then review the diff. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "anvil_build_config.h"
#include "reports/report.h"
#include "reports/engine.h"
#include "reports/jsource.h"
#include "reports/baseline.h"
#include "common/fsutil.h"
#include "common/json.h"

static char golden[PATH_MAX];

static char *slurp(const char *path)
{
	size_t len;
	char err[512];
	char *text = anvil_read_file(path, (size_t)1 << 30, &len, err, sizeof(err));
	if (!text)
		fail_msg("%s", err);
	return text;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		fail_msg("cannot write %s", path);
}

/* What differs between two runs of the same journal. */
static void normalise(cJSON *r)
{
	cJSON_DeleteItemFromObjectCaseSensitive(r, "generated");
	cJSON_DeleteItemFromObjectCaseSensitive(r, "anvil_version");
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "run"), "dir");
	cJSON *b = cJSON_GetObjectItemCaseSensitive(r, "baseline");
	cJSON_DeleteItemFromObjectCaseSensitive(b, "source");
	cJSON_DeleteItemFromObjectCaseSensitive(b, "generated");
}

/* dir/report.json as written, less what changes from run to run. */
static cJSON *written_report(const char *dir)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/report.json", dir);
	char *text = slurp(path);
	cJSON *got = cJSON_Parse(text);
	free(text);
	assert_non_null(got);
	normalise(got);
	return got;
}

static void same_in_memory(const char *name, const char *tmp, const char *base, const cJSON *got);
static void remove_run(const char *tmp);

static void one_case(const char *name)
{
	char dir[PATH_MAX], tmp[] = "/tmp/anvil-golden.XXXXXX", path[PATH_MAX + 64], base[PATH_MAX + 16], err[1024];
	snprintf(dir, sizeof(dir), "%s/%s", golden, name);
	snprintf(base, sizeof(base), "%s/baseline", dir);
	struct stat st;
	int has_base = stat(base, &st) == 0;
	assert_non_null(mkdtemp(tmp));
	snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
	char *journal = slurp(path);
	snprintf(path, sizeof(path), "%s/journal.jsonl", tmp);
	spit(path, journal);
	free(journal);

	struct anvil_report_opts o = { NULL, has_base ? base : NULL, NULL };
	int code = anvil_report_run(tmp, &o, err, sizeof(err));
	if (code < 0)
		fail_msg("%s: %s", name, err);
	cJSON *got = written_report(tmp);
	char *got_text = cJSON_Print(got);
	char code_text[16];
	snprintf(code_text, sizeof(code_text), "%d\n", code);

	if (getenv("ANVIL_GOLDEN_UPDATE")) {
		snprintf(path, sizeof(path), "%s/report.json", dir);
		spit(path, got_text);
		snprintf(path, sizeof(path), "%s/exit_code", dir);
		spit(path, code_text);
		printf("updated %s (exit %d)\n", name, code);
	} else {
		snprintf(path, sizeof(path), "%s/exit_code", dir);
		char *want_code = slurp(path);
		if (strcmp(want_code, code_text))
			fail_msg("%s: exit %d, the golden says %s", name, code, want_code);
		free(want_code);
		snprintf(path, sizeof(path), "%s/report.json", dir);
		char *want = slurp(path);
		if (strcmp(want, got_text)) {
			snprintf(path, sizeof(path), "%s/report.json.got", tmp);
			spit(path, got_text);
			fail_msg("%s: report.json differs from the golden (kept in %s; "
				 "diff it with %s/report.json, or run scripts/update-goldens.sh if the change is meant)",
				 name, path, dir);
		}
		free(want);
	}

	same_in_memory(name, tmp, has_base ? base : NULL, got);
	free(got_text);
	cJSON_Delete(got);
	remove_run(tmp);
}

/* The in-memory tree of the journal in tmp says the same as report.json (got). */
static void same_in_memory(const char *name, const char *tmp, const char *base, const cJSON *got)
{
	char path[PATH_MAX + 64], err[1024];
	snprintf(path, sizeof(path), "%s/journal.jsonl", tmp);
	struct anvil_jsource *src = anvil_jsource_file(path, err, sizeof(err));
	assert_non_null(src);
	struct anvil_baseline *b = base ? anvil_baseline_load(base, err, sizeof(err)) : NULL;
	if (b)
		anvil_baseline_keep_all(b);
	char hw[PATH_MAX];
	snprintf(hw, sizeof(hw), "%s/configs/hardware", ANVIL_SOURCE_DIR);
	struct anvil_engine_opts eo = { NULL, hw, tmp, b, NULL };
	cJSON *tree = anvil_report_build_from(src, &eo, err, sizeof(err));
	assert_non_null(tree);
	normalise(tree);
	if (!cJSON_Compare(tree, got, 1)) {
		char *t = cJSON_Print(tree);
		snprintf(path, sizeof(path), "%s/tree.json", tmp);
		spit(path, t);
		free(t);
		fail_msg("%s: the in-memory tree differs from report.json (see %s)", name, path);
	}
	cJSON_Delete(tree);
	anvil_baseline_free(b);
	anvil_jsource_free(src);
}

static void remove_run(const char *tmp)
{
	char path[PATH_MAX + 64];
	static const char *const outs[] = { "journal.jsonl", "report.json", "report.html", "junit.xml", "metrics.prom" };
	for (size_t i = 0; i < sizeof(outs) / sizeof(*outs); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp, outs[i]);
		unlink(path);
	}
	rmdir(tmp);
}

/* A journal with tests large enough to be judged in the arena's sets
 * (reports/report.c: over 2 MiB of records; here gpu-burn and the three
 * RDMA latency tests, with small tests between them), made by the
 * generator of tests/perf/report-scale at 64 nodes: the report written test
 * by test, two large tests at a time and the records of the next read
 * ahead, says what the in-memory tree says. */
static void test_large_tests(void **state)
{
	(void)state;
	char tmp[] = "/tmp/anvil-golden-large.XXXXXX", cmd[PATH_MAX * 2 + 128], err[1024];
	assert_non_null(mkdtemp(tmp));
	snprintf(cmd, sizeof(cmd), "python3 %s/tests/perf/report_scale_gen.py %s --nodes 64 --gpus 8 >/dev/null",
		 ANVIL_SOURCE_DIR, tmp);
	assert_int_equal(system(cmd), 0);
	struct anvil_report_opts o = { NULL, NULL, NULL };
	int code = anvil_report_run(tmp, &o, err, sizeof(err));
	if (code < 0)
		fail_msg("%s", err);
	assert_int_equal(code, 1);  /* the generator plants failures */
	cJSON *got = written_report(tmp);
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(got, "tests")) >= 20);
	same_in_memory("large", tmp, NULL, got);
	cJSON_Delete(got);
	remove_run(tmp);
}

static void test_golden(void **state)
{
	struct dirent **list;
	int n = scandir(golden, &list, NULL, alphasort), cases = 0;
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX + 300];
		snprintf(path, sizeof(path), "%s/%s/journal.jsonl", golden, list[i]->d_name);
		if (list[i]->d_name[0] != '.' && access(path, R_OK) == 0) {
			one_case(list[i]->d_name);
			cases++;
		}
		free(list[i]);
	}
	free(list);
	assert_true(cases >= 8);
}

int main(void)
{
	char cfg[PATH_MAX];
	snprintf(cfg, sizeof(cfg), "%s/configs", ANVIL_SOURCE_DIR);
	setenv("ANVIL_CONFIG_DIR", cfg, 1);  /* the source tree's datasheets, whatever the build dir */
	snprintf(golden, sizeof(golden), "%s/tests/data/golden", ANVIL_SOURCE_DIR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_large_tests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
