/*
 * GPU telemetry over a run, through NVML (common/nvml.h): one reading per
 * sample as series columns, aggregates for the verdict (max temperature,
 * mean power and SM clock, throttle samples, best PCIe link under load) and
 * ECC counters before and after. Used by gpu-burn; any runner that loads a
 * GPU for a while can use it. Without NVML every reading is NaN and emit()
 * says "telemetry unavailable" in a note.
 */
#ifndef ANVIL_GPU_TELEMETRY_H
#define ANVIL_GPU_TELEMETRY_H
#include "runners/gpu_common.h"

#ifdef ANVIL_HAVE_NVCC
/* Columns added by anvil_telemetry_columns(), filled by anvil_telemetry_sample(). */
#define ANVIL_TELEMETRY_NCOLS 12

struct anvil_telemetry {
	const struct anvil_gpu *gpu;        /* borrowed */
	double temp_max, power_sum, sm_sum;
	int ntemp, npower, nsm, nreasons;
	int throttled;                      /* samples with thermal or HW slowdown */
	unsigned long long reasons_seen;
	double pcie_gen_max, pcie_width_max;
	struct anvil_nvml_ecc ecc0, ecc1;
};

/* Starts the aggregates and reads the ECC counters before the load. */
void anvil_telemetry_start(struct anvil_telemetry *t, const struct anvil_gpu *g);
void anvil_telemetry_columns(struct anvil_series *s);
/* One reading into row[0 .. ANVIL_TELEMETRY_NCOLS-1] (NaN where unavailable). */
void anvil_telemetry_sample(struct anvil_telemetry *t, double *row);
/* After the load: ECC again, then the metrics temp_max_c, power_mean_w,
 * sm_clock_mean_mhz, pcie_gen, pcie_width, the checks ecc_uncorrected,
 * throttle, pcie_link_gen, pcie_link_width, "ecc" before/after into info,
 * and a note in notes for everything that could not be read. */
void anvil_telemetry_emit(struct anvil_ctx *ctx, struct anvil_telemetry *t, cJSON *info, cJSON *notes);
#endif

#endif
