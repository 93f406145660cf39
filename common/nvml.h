/*
 * NVML, loaded at run time with dlopen("libnvidia-ml.so.1"): anvil has no
 * link-time dependency on the driver, and where NVML is missing GPU telemetry
 * is "unavailable" (a note in the results), never an error. The few types and
 * constants used are those of nvml.h (NVML API version 11), declared here so
 * the header is not needed at build time.
 *
 * One process-wide handle: anvil_nvml_open() loads and initialises NVML once
 * (later calls return the first answer); anvil_nvml_close() shuts it down.
 */
#ifndef ANVIL_NVML_H
#define ANVIL_NVML_H
#include <stddef.h>
#include <cjson/cJSON.h>

/* nvmlDevice_t: an opaque handle owned by NVML. */
typedef struct anvil_nvml_device_st *anvil_nvml_device;

/* nvmlClocksEventReasons / nvmlClocksThrottleReasons bits (nvml.h). */
#define ANVIL_NVML_REASON_GPU_IDLE        0x0000000000000001ULL
#define ANVIL_NVML_REASON_APP_CLOCKS      0x0000000000000002ULL
#define ANVIL_NVML_REASON_SW_POWER_CAP    0x0000000000000004ULL
#define ANVIL_NVML_REASON_HW_SLOWDOWN     0x0000000000000008ULL
#define ANVIL_NVML_REASON_SYNC_BOOST      0x0000000000000010ULL
#define ANVIL_NVML_REASON_SW_THERMAL      0x0000000000000020ULL
#define ANVIL_NVML_REASON_HW_THERMAL      0x0000000000000040ULL
#define ANVIL_NVML_REASON_HW_POWER_BRAKE  0x0000000000000080ULL
/* What an acceptance test calls throttling: thermal or hardware slowdown.
 * The software power cap is how a GPU normally runs at full load, so it is
 * recorded but not counted here. */
#define ANVIL_NVML_REASONS_BAD (ANVIL_NVML_REASON_HW_SLOWDOWN | ANVIL_NVML_REASON_SW_THERMAL | \
				ANVIL_NVML_REASON_HW_THERMAL | ANVIL_NVML_REASON_HW_POWER_BRAKE)

/* One reading; a figure NVML cannot give is NAN (reasons_ok == 0 for reasons). */
struct anvil_nvml_sample {
	double temp_c, power_w, power_limit_w, sm_mhz, mem_mhz;
	double pcie_gen, pcie_width;       /* current link (drops when idle) */
	unsigned long long reasons;
	int reasons_ok;
};

/* ECC counters; -1 where not supported (ECC off, or a GPU without ECC). */
struct anvil_nvml_ecc {
	int enabled;                       /* 1 on, 0 off, -1 unknown */
	long long volatile_corrected, volatile_uncorrected;
	long long aggregate_corrected, aggregate_uncorrected;
};

/* 0 when NVML is loaded and initialised; else -1 and why ("libnvidia-ml.so.1:
 * cannot open shared object file", "nvmlInit_v2: Driver Not Loaded"). */
int anvil_nvml_open(char *why, size_t len);
void anvil_nvml_close(void);

/* NVML's device count and handles by NVML index (not CUDA index). */
int anvil_nvml_count(unsigned *n, char *why, size_t len);
int anvil_nvml_by_index(unsigned index, anvil_nvml_device *dev, char *why, size_t len);
/* The handle for a PCI bus id as cudaDeviceGetPCIBusId writes it ("0000:65:00.0"):
 * CUDA and NVML number devices differently, the bus id is common to both. */
int anvil_nvml_by_pci(const char *bus_id, anvil_nvml_device *dev, char *why, size_t len);

void anvil_nvml_sample(anvil_nvml_device dev, struct anvil_nvml_sample *s);
void anvil_nvml_ecc(anvil_nvml_device dev, struct anvil_nvml_ecc *e);
/* Active NVLink links (0 on a PCIe-only GPU), or -1 when NVML cannot tell. */
int anvil_nvml_nvlink_active(anvil_nvml_device dev);
/* Fixed facts: name, uuid, serial, vbios, driver_version, cuda_driver_version,
 * mig_mode (and mig_mode_pending when a change waits for a reset), pci_bus_id,
 * memory_bytes, pcie_max_gen/width (device and system), pcie_gpu_max_gen,
 * power_default_limit_w, ecc_enabled, nvlink_active_links, remapped_rows.
 * with_ids == 0 leaves out what differs between identical nodes (uuid,
 * serial, pci_bus_id stays). Fields NVML cannot give are absent. Caller owns. */
cJSON *anvil_nvml_facts(anvil_nvml_device dev, int with_ids);
/* A sentence naming the throttle reasons set in bits ("HW thermal slowdown, SW power cap"). */
void anvil_nvml_reasons_text(unsigned long long bits, char *buf, size_t len);

#endif
