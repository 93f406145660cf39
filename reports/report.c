/* anvil_report_run: the journal in, every output file and the table out. */
#include "reports/report.h"
#include "reports/baseline.h"
#include "bench/config.h"
#include "common/fsutil.h"
#include "common/journal.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A baseline is a run dir (its journal, judged by its own profile) or a report.json. */
static cJSON *load_baseline(const char *path, char *err, size_t errlen)
{
	char jpath[PATH_MAX], hw[PATH_MAX];
	snprintf(jpath, sizeof(jpath), "%s/%s", path, ANVIL_JOURNAL_NAME);
	if (access(jpath, F_OK) == 0) {
		struct anvil_journal_read jr;
		if (anvil_journal_read(jpath, &jr, err, errlen))
			return NULL;
		snprintf(hw, sizeof(hw), "%s/hardware", anvil_config_dir());
		cJSON *r = anvil_report_build(jr.records, NULL, hw, path, jr.torn_tail, jr.torn_line, err, errlen);
		anvil_journal_read_release(&jr);
		return r;
	}
	struct anvil_json_doc doc;
	if (anvil_json_load(path, 0, &doc, err, errlen))
		return NULL;
	const char *schema = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc.root, "schema"));
	if (!schema || strcmp(schema, ANVIL_REPORT_SCHEMA)) {
		snprintf(err, errlen, "%s: not an anvil report (expected \"schema\": \"%s\") nor a run directory",
			 path, ANVIL_REPORT_SCHEMA);
		anvil_json_doc_release(&doc);
		return NULL;
	}
	cJSON *r = doc.root;
	doc.root = NULL;
	anvil_json_doc_release(&doc);
	return r;
}

static int write_out(const char *dir, const char *name, struct strbuf *sb, char *err, size_t errlen)
{
	int rc = anvil_write_atomic(dir, name, strbuf_str(sb), sb->len, err, errlen);
	strbuf_release(sb);
	return rc;
}

int anvil_report_run(const char *dir, const struct anvil_report_opts *o, char *err, size_t errlen)
{
	char path[PATH_MAX], hw[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, ANVIL_JOURNAL_NAME);
	snprintf(hw, sizeof(hw), "%s/hardware", anvil_config_dir());
	struct anvil_journal_read jr;
	if (anvil_journal_read(path, &jr, err, errlen))
		return -1;
	struct anvil_json_doc profile = { 0 };
	if (o && o->profile && anvil_profile_load(o->profile, &profile, err, errlen)) {
		anvil_journal_read_release(&jr);
		return -1;
	}
	cJSON *report = anvil_report_build(jr.records, profile.root, hw, dir, jr.torn_tail,
					   jr.torn_line, err, errlen);
	anvil_journal_read_release(&jr);
	if (profile.root)
		anvil_json_doc_release(&profile);
	if (!report)
		return -1;
	if (o && o->baseline) {
		cJSON *base = load_baseline(o->baseline, err, errlen);
		if (!base) {
			cJSON_Delete(report);
			return -1;
		}
		anvil_baseline_compare(report, base, o->baseline,
				       cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(report, "run"), "profile_doc"));
		anvil_report_summarise(report);
		cJSON_Delete(base);
	}
	struct strbuf sb = STRBUF_INIT;
	char *json = cJSON_Print(report);
	strbuf_adds(&sb, json);
	strbuf_addch(&sb, '\n');
	free(json);
	int rc = write_out(dir, "report.json", &sb, err, errlen);
	if (!rc) {
		anvil_report_html(report, &sb);
		rc = write_out(dir, "report.html", &sb, err, errlen);
	}
	if (!rc) {
		anvil_report_junit(report, &sb);
		rc = write_out(dir, "junit.xml", &sb, err, errlen);
	}
	if (!rc) {
		anvil_report_prom(report, &sb);
		rc = write_out(dir, "metrics.prom", &sb, err, errlen);
	}
	int code = rc ? -1 : anvil_report_exit_code(report);
	if (!rc && o && o->out) {
		anvil_report_table(report, o->out);
		fprintf(o->out, "report: %s/report.html (also report.json, junit.xml, metrics.prom)\n", dir);
	}
	cJSON_Delete(report);
	return code;
}
