/* runners/fio_json.c: fio's --output-format=json as the fio runners read it
 * (anvil_fio_parse), then the I/O window computed from it. Built when
 * runners/fio_json.c is in the tree. */
#include "tests/fuzz/fuzz.h"
#include "runners/fio_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct anvil_fio_result r;
	char why[512];
	if (text && anvil_fio_parse(text, &r, why, sizeof(why)) == 0) {
		double s, e;
		anvil_fio_window(&r, 1000.0, 1010.0, &s, &e);
	}
	free(text);
	return 0;
}
