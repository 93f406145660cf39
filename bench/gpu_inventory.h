/* The "gpus" part of the node inventory, from NVML (common/nvml.h). */
#ifndef ANVIL_GPU_INVENTORY_H
#define ANVIL_GPU_INVENTORY_H
#include <cjson/cJSON.h>

/*
 * Appends one object per GPU NVML sees to gpus (NVML's order): "index",
 * "name", "vbios", "driver_version", "memory_bytes", "pcie_max_gen",
 * "pcie_max_width", "pcie_gpu_max_gen", "power_default_limit_w",
 * "ecc_enabled", "nvlink_active_links", "remapped_rows" — what should be
 * equal on identical nodes, so the drift check can compare it. UUIDs and
 * serial numbers differ on identical nodes by nature: the GPU runners record
 * them in their info records instead. No NVML library (a node without an
 * NVIDIA driver) leaves gpus empty; NVML present but failing adds a line
 * "gpus: why" to unreadable (may be NULL).
 */
void anvil_gpu_inventory(cJSON *gpus, cJSON *unreadable);

#endif
