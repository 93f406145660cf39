/* reports/peaks.c: a datasheet as configs/hardware holds it, loaded beside
 * nothing else, then matched by its own patterns and asked for its peaks. */
#include "tests/fuzz/fuzz.h"
#include "common/json.h"
#include "reports/peaks.h"
#include <stdio.h>

static void ask(const struct anvil_peaks *p, const char *kind, const char *name)
{
	char inv_text[600], src[512];
	snprintf(inv_text, sizeof(inv_text), "{\"cpu\": {\"model\": \"%s\", \"sockets\": 2}}", "x");
	cJSON *inv = cJSON_Parse(inv_text);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(inv, "cpu"), "model", cJSON_CreateString(name));
	double v;
	anvil_peaks_match(p, kind, name);
	anvil_peaks_get(p, "cpu.fp64_gflops", inv, NULL, &v, src, sizeof(src));
	anvil_peaks_get(p, "cpu.mem_bw_gbs", inv, NULL, &v, src, sizeof(src));
	anvil_peaks_get(p, "gpu.fp64_tflops", inv, name, &v, src, sizeof(src));
	cJSON_Delete(inv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a cluster config that pins the sheet by id, when it has one */
	cJSON *cluster = cJSON_CreateObject();
	struct anvil_peaks *p = anvil_peaks_load(NULL, NULL);
	anvil_peaks_add(p, (const char *)data, size, "fuzz-sheet.json");
	anvil_peaks_problems(p);
	ask(p, "cpu", "AMD EPYC 9654 96-Core Processor");
	ask(p, "gpu", "NVIDIA H100 80GB HBM3");
	/* its own patterns and id, and every figure it names */
	struct anvil_json_doc doc;
	char err[512];
	if (anvil_json_parse((const char *)data, size, "s", &doc, err, sizeof(err)) == 0) {
		const cJSON *m, *f;
		cJSON_ArrayForEach(m, cJSON_GetObjectItem(doc.root, "match"))
			if (cJSON_IsString(m))
				ask(p, "cpu", m->valuestring), ask(p, "gpu", m->valuestring);
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(doc.root, "id"));
		if (id) {
			anvil_peaks_by_id(p, id);
			cJSON *hw = cJSON_AddObjectToObject(cluster, "hardware");
			cJSON_AddStringToObject(hw, "cpu", id);
			cJSON_AddStringToObject(hw, "gpu", id);
		}
		cJSON_ArrayForEach(f, cJSON_GetObjectItem(doc.root, "figures")) {
			char key[300], src[512];
			double v;
			snprintf(key, sizeof(key), "gpu.%s", f->string);
			anvil_peaks_get(p, key, NULL, "H100", &v, src, sizeof(src));
		}
		anvil_json_doc_release(&doc);
	}
	anvil_peaks_free(p);
	/* the same sheet, pinned */
	p = anvil_peaks_load(NULL, cluster);
	anvil_peaks_add(p, (const char *)data, size, "fuzz-sheet.json");
	ask(p, "cpu", "unknown");
	anvil_peaks_free(p);
	cJSON_Delete(cluster);
	return 0;
}
