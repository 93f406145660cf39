#include "runners/gpu_common.h"

#ifdef ANVIL_HAVE_NVCC
#include "bench/world.h"
#include <stdio.h>
#include <string.h>

int anvil_gpu_available(char *why, size_t len)
{
	int n = 0;
	cudaError_t e = cudaGetDeviceCount(&n);
	if (e != cudaSuccess) {
		snprintf(why, len, "no CUDA device (cudaGetDeviceCount: %s)", cudaGetErrorString(e));
		return 0;
	}
	if (n < 1) {
		snprintf(why, len, "no CUDA device (cudaGetDeviceCount found none)");
		return 0;
	}
	return 1;
}

static void open_nvml(struct anvil_gpu *g)
{
	g->have_nvml = 0;
	if (anvil_nvml_open(g->nvml_why, sizeof(g->nvml_why)))
		return;
	if (anvil_nvml_by_pci(g->bus_id, &g->nvml, g->nvml_why, sizeof(g->nvml_why))) {
		anvil_nvml_close();
		return;
	}
	g->have_nvml = 1;
}

int anvil_gpu_open(struct anvil_ctx *ctx, struct anvil_gpu *g, struct anvil_gpu_err *err)
{
	const struct anvil_world *w = anvil_ctx_world(ctx);
	memset(g, 0, sizeof(*g));
	g->local_rank = w->local_rank;
	g->local_size = w->local_size;
	ANVIL_CUDA(err, cudaGetDeviceCount(&g->ndev));
	if (g->ndev < 1)
		return anvil_gpu_failf(err, "no CUDA device on this rank");
	/* one GPU per rank by local rank; a launcher that gives each rank its
	 * own CUDA_VISIBLE_DEVICES makes this device 0 every time */
	g->dev = g->local_rank % g->ndev;
	ANVIL_CUDA(err, cudaSetDevice(g->dev));
	ANVIL_CUDA(err, cudaGetDeviceProperties(&g->prop, g->dev));
	ANVIL_CUDA(err, cudaDeviceGetPCIBusId(g->bus_id, (int)sizeof(g->bus_id), g->dev));
	char idx[16];
	snprintf(idx, sizeof(idx), "%d", g->dev);
	anvil_ctx_label(ctx, "gpu", idx);
	anvil_ctx_label(ctx, "gpu_name", g->prop.name);
	open_nvml(g);
	return 0;
}

void anvil_gpu_close(struct anvil_gpu *g)
{
	if (g->have_nvml)
		anvil_nvml_close();
	g->have_nvml = 0;
}

cJSON *anvil_gpu_info(const struct anvil_gpu *g)
{
	cJSON *o = cJSON_CreateObject();
	char cc[16];
	cJSON_AddNumberToObject(o, "cuda_device", g->dev);
	cJSON_AddStringToObject(o, "name", g->prop.name);
	snprintf(cc, sizeof(cc), "%d.%d", g->prop.major, g->prop.minor);
	cJSON_AddStringToObject(o, "compute_capability", cc);
	cJSON_AddNumberToObject(o, "sms", g->prop.multiProcessorCount);
	cJSON_AddNumberToObject(o, "memory_bytes", (double)g->prop.totalGlobalMem);
	cJSON_AddStringToObject(o, "pci_bus_id", g->bus_id);
	if (g->local_size > g->ndev) {
		char note[160];
		snprintf(note, sizeof(note), "%d ranks on this node share %d GPU(s): figures per rank are not per GPU",
			 g->local_size, g->ndev);
		cJSON_AddStringToObject(o, "note", note);
	}
	if (g->have_nvml) {
		cJSON_AddItemToObject(o, "nvml", anvil_nvml_facts(g->nvml, 1));
	} else {
		char t[320];
		snprintf(t, sizeof(t), "unavailable: %s", g->nvml_why);
		cJSON_AddStringToObject(o, "telemetry", t);
	}
	return o;
}

enum anvil_status anvil_gpu_error(struct anvil_ctx *ctx, const struct anvil_gpu_err *err)
{
	return anvil_ctx_fail(ctx, ANVIL_ERROR, "%s", err->msg[0] ? err->msg : "GPU error (no text)");
}

void anvil_gpu_bytes_text(double bytes, char *buf, size_t len)
{
	snprintf(buf, len, "%.2f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
}
#endif
