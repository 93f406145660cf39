#include "bench/gpu_versions.h"
#include <stdio.h>
#ifdef ANVIL_HAVE_CUDA
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cusolverDn.h>
#endif
#ifdef ANVIL_HAVE_NCCL
#include <nccl.h>
#endif

void anvil_cuda_version_text(int code, char *buf, size_t len)
{
	snprintf(buf, len, "%d.%d", code / 1000, code % 1000 / 10);
}

void anvil_nccl_version_text(int code, char *buf, size_t len)
{
	if (code >= 20900)
		snprintf(buf, len, "%d.%d.%d", code / 10000, code % 10000 / 100, code % 100);
	else
		snprintf(buf, len, "%d.%d.%d", code / 1000, code % 1000 / 100, code % 100);
}

#ifdef ANVIL_HAVE_CUDA
static void add_property(cJSON *libs, const char *key, int major, int minor, int patch)
{
	char v[48];
	snprintf(v, sizeof(v), "%d.%d.%d", major, minor, patch);
	cJSON_AddStringToObject(libs, key, v);
}
#endif

void anvil_gpu_versions(cJSON *libs)
{
	char v[48];
	(void)v;
	if (!libs)
		return;
#ifdef ANVIL_HAVE_CUDA
	int code = 0;
	if (cudaRuntimeGetVersion(&code) == cudaSuccess && code > 0) {
		anvil_cuda_version_text(code, v, sizeof(v));
		cJSON_AddStringToObject(libs, "cuda_runtime", v);
	}
	code = 0;  /* 0: no driver installed */
	if (cudaDriverGetVersion(&code) == cudaSuccess && code > 0) {
		anvil_cuda_version_text(code, v, sizeof(v));
		cJSON_AddStringToObject(libs, "cuda_driver_api", v);
	}
	int ma, mi, pa;
	if (cublasGetProperty(MAJOR_VERSION, &ma) == CUBLAS_STATUS_SUCCESS &&
	    cublasGetProperty(MINOR_VERSION, &mi) == CUBLAS_STATUS_SUCCESS &&
	    cublasGetProperty(PATCH_LEVEL, &pa) == CUBLAS_STATUS_SUCCESS)
		add_property(libs, "cublas", ma, mi, pa);
	if (cusolverGetProperty(MAJOR_VERSION, &ma) == CUSOLVER_STATUS_SUCCESS &&
	    cusolverGetProperty(MINOR_VERSION, &mi) == CUSOLVER_STATUS_SUCCESS &&
	    cusolverGetProperty(PATCH_LEVEL, &pa) == CUSOLVER_STATUS_SUCCESS)
		add_property(libs, "cusolver", ma, mi, pa);
#endif
#ifdef ANVIL_HAVE_NCCL
	int nv = 0;
	if (ncclGetVersion(&nv) == ncclSuccess && nv > 0) {
		anvil_nccl_version_text(nv, v, sizeof(v));
		cJSON_AddStringToObject(libs, "nccl", v);
	}
#endif
}
