/*
 * What every GPU runner shares: whether this build has the GPU code, whether
 * this node has a CUDA device, the choice of device for a rank (local rank
 * modulo the devices it sees) and the labels and facts that go with it.
 */
#ifndef ANVIL_GPU_COMMON_H
#define ANVIL_GPU_COMMON_H
#include "runners/runner.h"
#include <stddef.h>

#if !defined(ANVIL_HAVE_CUDA)
#define ANVIL_GPU_NOT_BUILT "CUDA (runtime, cuBLAS, cuSOLVER) not found at configure time"
#elif !defined(ANVIL_HAVE_NVCC)
#define ANVIL_GPU_NOT_BUILT "nvcc not found at configure time, so the CUDA kernels were not compiled"
#endif

/* The end of a GPU runner's definition: its .available and .run, or, in a
 * build without the GPU code, the .not_built reason (run_ is then not
 * referred to):  .params = params, ANVIL_GPU_HOOKS(dgemm_run), */
#ifdef ANVIL_HAVE_NVCC
#define ANVIL_GPU_HOOKS(run_) .available = anvil_gpu_available, .run = run_
#else
#define ANVIL_GPU_HOOKS(run_) .not_built = ANVIL_GPU_NOT_BUILT
#endif

#ifdef ANVIL_HAVE_NVCC
#include <cuda_runtime_api.h>
#include "common/nvml.h"
#include "kernels/cuda_util.h"

struct anvil_gpu {
	int dev, ndev;                  /* CUDA device index; devices this rank sees */
	int local_rank, local_size;     /* this rank on its node */
	struct cudaDeviceProp prop;
	char bus_id[32];                /* "0000:65:00.0" */
	anvil_nvml_device nvml;         /* valid when have_nvml */
	int have_nvml;
	char nvml_why[256];             /* why not, when !have_nvml */
};

/* The .available hook of every GPU runner: 0 with "no CUDA device (…)" when
 * cudaGetDeviceCount fails or finds none. */
int anvil_gpu_available(char *why, size_t len);
/* Picks and sets this rank's device, labels the records "gpu" and "gpu_name"
 * (the report matches datasheets on gpu_name), and opens NVML where it can
 * (no NVML: have_nvml = 0 and nvml_why; not an error). 0, or -1 with err. */
int anvil_gpu_open(struct anvil_ctx *ctx, struct anvil_gpu *g, struct anvil_gpu_err *err);
void anvil_gpu_close(struct anvil_gpu *g);
/* Device facts for an info record (caller owns): CUDA index, name, compute
 * capability, SMs, memory, bus id, sharing, and NVML's facts with uuid and
 * serial, or "telemetry": "unavailable: why". */
cJSON *anvil_gpu_info(const struct anvil_gpu *g);
/* Returns the runner's harness error for err. */
enum anvil_status anvil_gpu_error(struct anvil_ctx *ctx, const struct anvil_gpu_err *err);
/* "12.3 GiB" */
void anvil_gpu_bytes_text(double bytes, char *buf, size_t len);
#endif

#endif
