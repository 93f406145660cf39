/* The "gpus" part of the node inventory, from NVML (common/nvml.h). */
#ifndef ANVIL_GPU_INVENTORY_H
#define ANVIL_GPU_INVENTORY_H
#include <cjson/cJSON.h>

/*
 * Appends one object per GPU NVML sees to gpus (NVML's order): "index",
 * "name", "uuid", "serial", "vbios", "driver_version", "cuda_driver_version",
 * "mig_mode", "memory_bytes", "pcie_max_gen", "pcie_max_width",
 * "pcie_gpu_max_gen", "power_default_limit_w", "ecc_enabled",
 * "nvlink_active_links", "remapped_rows". The drift check compares every
 * field but the identities (uuid, serial: reports/drift.c). The current PCIe
 * link of each GPU goes to volatile_part's "gpu_pcie_links" (may be NULL):
 * it drops when a GPU idles, so it is recorded, never compared. No NVML
 * library (a node without an NVIDIA driver) leaves gpus empty; NVML present
 * but failing adds a line "gpus: why" to unreadable (may be NULL).
 */
void anvil_gpu_inventory(cJSON *gpus, cJSON *volatile_part, cJSON *unreadable);

#endif
