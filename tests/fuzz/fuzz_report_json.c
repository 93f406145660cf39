/* reports/: a report.json anyone may have edited, as `anvil report DIR
 * --baseline X` (X's report.json) and `--drain-commands` (DIR's report.json)
 * read it: the baseline compared with a fixed report, then rendered, and the
 * drain commands made from it. */
#include "tests/fuzz/fuzz.h"
#include "bench/config.h"
#include "common/json.h"
#include "common/journal.h"
#include "common/strbuf.h"
#include "reports/baseline.h"
#include "reports/ops.h"
#include "reports/report.h"
#include <limits.h>
#include <stdio.h>

/* A two-host run with figures in both directions, built once. */
static const char journal[] =
	"{\"kind\":\"run\",\"event\":\"start\",\"t\":1790000000,\"ranks\":2,\"nodes\":2,\"hosts\":[\"a\",\"b\"],"
	"\"plan\":{\"profile\":\"t\",\"tests\":[{\"id\":\"s\",\"runner\":\"stream\"}]},"
	"\"profile_doc\":{\"schema\":\"anvil-profile/1\",\"name\":\"t\",\"tests\":[{\"runner\":\"stream\"}],"
	"\"baseline\":{\"tolerance\":0.1,\"metrics\":{\"s/bw\":0.2}},"
	"\"checks\":[{\"test\":\"s\",\"metric\":\"bw\",\"rule\":\"peers\",\"min\":0.9}]},\"cluster\":null}\n"
	"{\"kind\":\"metric\",\"test\":\"s\",\"host\":\"a\",\"name\":\"bw\",\"value\":10,\"unit\":\"GB/s\",\"better\":\"higher\"}\n"
	"{\"kind\":\"metric\",\"test\":\"s\",\"host\":\"b\",\"name\":\"bw\",\"value\":5,\"unit\":\"GB/s\",\"better\":\"higher\"}\n"
	"{\"kind\":\"metric\",\"test\":\"s\",\"host\":\"b\",\"name\":\"lat\",\"value\":5,\"unit\":\"us\",\"better\":\"lower\",\"labels\":{\"peer\":\"a\"}}\n"
	"{\"kind\":\"test\",\"test\":\"s\",\"runner\":\"stream\",\"status\":\"ok\",\"duration_s\":1}\n"
	"{\"kind\":\"run\",\"event\":\"end\",\"status\":\"complete\"}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cJSON *fixed;
	static FILE *devnull;
	char err[1024];
	if (!fixed) {
		struct anvil_journal_read jr;
		if (anvil_journal_parse(journal, sizeof(journal) - 1, "j", &jr, err, sizeof(err)))
			abort();
		fixed = anvil_report_build(jr.records, NULL, NULL, "fuzz", 0, 0, err, sizeof(err));
		anvil_journal_read_release(&jr);
		devnull = fopen("/dev/null", "w");
		if (!fixed || !devnull)
			abort();
	}
	struct anvil_json_doc doc;
	if (anvil_json_parse((const char *)data, size, "fuzz/report.json", &doc, err, sizeof(err)))
		return 0;
	struct strbuf sb = STRBUF_INIT, notes = STRBUF_INIT;
	anvil_ops_drain(doc.root, &sb, &notes);
	strbuf_release(&sb);
	strbuf_release(&notes);
	cJSON *report = cJSON_Duplicate(fixed, 1);
	anvil_baseline_compare(report, doc.root, "fuzz-base",
			       cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(report, "run"), "profile_doc"));
	anvil_report_summarise(report);
	anvil_report_html(report, &sb);
	strbuf_release(&sb);
	anvil_report_junit(report, &sb);
	strbuf_release(&sb);
	anvil_report_prom(report, &sb);
	strbuf_release(&sb);
	anvil_report_table(report, devnull);
	cJSON_Delete(report);
	anvil_json_doc_release(&doc);
	return 0;
}
