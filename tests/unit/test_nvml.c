/* NVML through dlopen (common/nvml.c) and the "gpus" part of the inventory
 * (bench/gpu_inventory.c): on a machine without the NVIDIA driver both must
 * say so quietly; with it, every GPU is listed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bench/gpu_inventory.h"
#include "common/nvml.h"

static void test_reasons_text(void **state)
{
	(void)state;
	char buf[200];
	anvil_nvml_reasons_text(0, buf, sizeof(buf));
	assert_string_equal(buf, "none");
	anvil_nvml_reasons_text(ANVIL_NVML_REASON_SW_POWER_CAP | ANVIL_NVML_REASON_HW_THERMAL, buf, sizeof(buf));
	assert_string_equal(buf, "SW power cap, HW thermal slowdown");
	/* the power cap is how a GPU runs at full load; thermal and HW slowdowns are faults */
	assert_false(ANVIL_NVML_REASON_SW_POWER_CAP & ANVIL_NVML_REASONS_BAD);
	assert_true(ANVIL_NVML_REASON_HW_SLOWDOWN & ANVIL_NVML_REASONS_BAD);
	assert_true(ANVIL_NVML_REASON_SW_THERMAL & ANVIL_NVML_REASONS_BAD);
	assert_true(ANVIL_NVML_REASON_HW_POWER_BRAKE & ANVIL_NVML_REASONS_BAD);
}

static void test_open_and_inventory(void **state)
{
	(void)state;
	char why[256] = "";
	int have = anvil_nvml_open(why, sizeof(why)) == 0;
	cJSON *gpus = cJSON_CreateArray(), *unreadable = cJSON_CreateArray();
	cJSON *vol = cJSON_CreateObject();
	anvil_gpu_inventory(gpus, vol, unreadable);
	if (!have) {
		/* no driver: a reason, an empty list, and no complaint in the inventory */
		assert_true(strlen(why) > 0);
		if (strstr(why, "libnvidia-ml.so.1:")) {
			assert_int_equal(cJSON_GetArraySize(gpus), 0);
			assert_int_equal(cJSON_GetArraySize(unreadable), 0);
		}
		/* a second open gives the same answer, without retrying */
		char again[256] = "";
		assert_int_equal(anvil_nvml_open(again, sizeof(again)), -1);
		assert_string_equal(why, again);
	} else {
		unsigned n = 0;
		assert_int_equal(anvil_nvml_count(&n, why, sizeof(why)), 0);
		assert_int_equal(cJSON_GetArraySize(gpus), (int)n);
		const cJSON *g;
		cJSON_ArrayForEach(g, gpus) {
			assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "name")));
			/* the identity is recorded (drift never compares it) */
			const char *uuid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "uuid"));
			assert_non_null(uuid);
			assert_memory_equal(uuid, "GPU-", 4);
			assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "driver_version")));
		}
		/* the current link of each GPU, kept apart from what is compared */
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(vol, "gpu_pcie_links")), (int)n);
		anvil_nvml_close();
	}
	cJSON_Delete(gpus);
	cJSON_Delete(vol);
	cJSON_Delete(unreadable);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reasons_text),
		cmocka_unit_test(test_open_and_inventory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
