/* common/json.c: anvil_json_parse on any bytes, then positions of every node. */
#include "tests/fuzz/fuzz.h"
#include "common/json.h"

static void walk(const struct anvil_json_doc *doc, const cJSON *n)
{
	char w[256];
	for (const cJSON *c = n; c; c = c->next) {
		anvil_json_where(doc, c, w, sizeof(w));
		anvil_json_type_name(c);
		walk(doc, c->child);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct anvil_json_doc doc;
	char err[512];
	if (anvil_json_parse((const char *)data, size, "fuzz.json", &doc, err, sizeof(err)))
		return 0;
	if (size < 4096)  /* every node's position is quadratic; keep the large inputs fast */
		walk(&doc, doc.root);
	static const struct anvil_json_field fields[] = {
		{ "a", AJ_NUMBER, 1 }, { "b", AJ_STRING | AJ_ARRAY, 0 }, { NULL, 0, 0 },
	};
	anvil_json_check(&doc, doc.root, "the input", fields, err, sizeof(err));
	anvil_json_check_number(&doc, doc.root, "the input", -1e9, 1e9, 1, err, sizeof(err));
	char *text = cJSON_PrintUnformatted(doc.root);
	free(text);
	anvil_json_doc_release(&doc);
	return 0;
}
