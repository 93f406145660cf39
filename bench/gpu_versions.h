/* Versions of the GPU libraries this build links (inventory.json's
 * "libraries"): the CUDA runtime, cuBLAS, cuSOLVER, NCCL, read from the
 * libraries loaded, not the headers; none of the calls needs a GPU. */
#ifndef ANVIL_GPU_VERSIONS_H
#define ANVIL_GPU_VERSIONS_H
#include <cjson/cJSON.h>

/* Adds "cuda_runtime", "cuda_driver_api" (what the installed driver
 * supports; absent without a driver), "cublas", "cusolver", "nccl" to libs
 * as "major.minor[.patch]"; a build without CUDA adds nothing. */
void anvil_gpu_versions(cJSON *libs);

/* "12.4" from CUDA's 12040; "2.23.4" from NCCL's 22304 (NCCL_VERSION_CODE,
 * major*10000 + minor*100 + patch since 2.9; 1000*major + 100*minor + patch
 * before). Exposed for tests. */
void anvil_cuda_version_text(int code, char *buf, size_t len);
void anvil_nccl_version_text(int code, char *buf, size_t len);

#endif
