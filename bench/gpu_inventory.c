#include "bench/gpu_inventory.h"
#include "common/nvml.h"
#include <stdio.h>
#include <string.h>

static void note(cJSON *unreadable, const char *why)
{
	char line[320];
	snprintf(line, sizeof(line), "gpus: %s", why);
	if (unreadable)
		cJSON_AddItemToArray(unreadable, cJSON_CreateString(line));
}

void anvil_gpu_inventory(cJSON *gpus, cJSON *volatile_part, cJSON *unreadable)
{
	char why[256];
	unsigned n = 0;
	if (!gpus)
		return;
	if (anvil_nvml_open(why, sizeof(why))) {
		/* no library: no NVIDIA driver here, which is no fault of a CPU node */
		if (!strstr(why, "libnvidia-ml.so.1:"))
			note(unreadable, why);
		return;
	}
	if (anvil_nvml_count(&n, why, sizeof(why)))
		note(unreadable, why);
	cJSON *links = n && volatile_part ? cJSON_AddArrayToObject(volatile_part, "gpu_pcie_links") : NULL;
	for (unsigned i = 0; i < n; i++) {
		anvil_nvml_device dev;
		if (anvil_nvml_by_index(i, &dev, why, sizeof(why))) {
			note(unreadable, why);
			continue;
		}
		cJSON *g = anvil_nvml_facts(dev, 1);
		cJSON_AddNumberToObject(g, "index", i);
		cJSON_AddItemToArray(gpus, g);
		/* the current link: an idle GPU trains down to save power, so it is
		 * kept for the record, not compared (gpu-burn judges it under load) */
		struct anvil_nvml_sample smp;
		anvil_nvml_sample(dev, &smp);
		cJSON *l = links ? cJSON_CreateObject() : NULL;
		if (l) {
			cJSON_AddNumberToObject(l, "index", i);
			if (smp.pcie_gen == smp.pcie_gen)
				cJSON_AddNumberToObject(l, "pcie_gen", smp.pcie_gen);
			if (smp.pcie_width == smp.pcie_width)
				cJSON_AddNumberToObject(l, "pcie_width", smp.pcie_width);
			cJSON_AddItemToArray(links, l);
		}
	}
	anvil_nvml_close();
}
