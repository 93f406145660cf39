/* reports/: any journal that parses, through the whole report stage as
 * `anvil report DIR` runs it: the tree judged with the real datasheets,
 * compared with itself as a baseline, every rendering, and the drain
 * commands. */
#include "tests/fuzz/fuzz.h"
#include "bench/config.h"
#include "common/journal.h"
#include "common/strbuf.h"
#include "reports/baseline.h"
#include "reports/ops.h"
#include "reports/report.h"
#include <limits.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char hw[PATH_MAX];
	static FILE *devnull;
	if (!hw[0]) {
		snprintf(hw, sizeof(hw), "%s/hardware", anvil_config_dir());
		devnull = fopen("/dev/null", "w");
	}
	struct anvil_journal_read jr;
	char err[1024];
	if (anvil_journal_parse((const char *)data, size, "fuzz/journal.jsonl", &jr, err, sizeof(err)))
		return 0;
	cJSON *report = anvil_report_build(jr.records, NULL, hw, "fuzz", jr.torn_tail, jr.torn_line,
					   err, sizeof(err));
	if (report) {
		cJSON *base = cJSON_Duplicate(report, 1);
		anvil_baseline_compare(report, base, "fuzz-base",
				       cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(report, "run"), "profile_doc"));
		anvil_report_summarise(report);
		cJSON_Delete(base);
		struct strbuf sb = STRBUF_INIT;
		anvil_report_html(report, &sb);
		strbuf_release(&sb);
		anvil_report_junit(report, &sb);
		strbuf_release(&sb);
		anvil_report_prom(report, &sb);
		strbuf_release(&sb);
		struct strbuf notes = STRBUF_INIT;
		anvil_ops_drain(report, &sb, &notes);
		strbuf_release(&sb);
		strbuf_release(&notes);
		anvil_report_table(report, devnull);
		anvil_report_exit_code(report);
		char *text = cJSON_Print(report);
		free(text);
		cJSON_Delete(report);
	}
	anvil_journal_read_release(&jr);
	return 0;
}
