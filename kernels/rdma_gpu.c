/* CUDA buffers for GPUDirect RDMA; see kernels/rdma_gpu.h. */
#include "kernels/rdma_gpu.h"
#include <stdio.h>
#include <string.h>

#ifdef ANVIL_HAVE_CUDA
#include <cuda_runtime_api.h>
#include <dlfcn.h>
#include <unistd.h>

/* cuMemGetHandleForAddressRange (CUDA 11.7+) as libcuda exports it; only the
 * runtime is linked, so the driver entry point is looked up here. */
typedef int (*get_handle_fn)(void *handle, unsigned long long dptr, size_t size, int type,
			     unsigned long long flags);
#define DMA_BUF_FD_HANDLE 1   /* CU_MEM_RANGE_HANDLE_TYPE_DMA_BUF_FD */

static void gpu_dmabuf(struct anvil_rdma_gpu_buf *b)
{
	b->dmabuf_fd = -1;
	void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);
	if (!lib)
		lib = dlopen("libcuda.so.1", RTLD_NOW);
	get_handle_fn fn = lib ? (get_handle_fn)dlsym(lib, "cuMemGetHandleForAddressRange") : NULL;
	if (!fn) {
		snprintf(b->dmabuf_why, sizeof(b->dmabuf_why), "%s",
			 lib ? "the CUDA driver has no cuMemGetHandleForAddressRange (needs CUDA 11.7 or later)"
			     : "libcuda.so.1 could not be opened");
		return;
	}
	/* The DMA-BUF covers whole host pages; ptr sits at an offset inside it. */
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), p = (uintptr_t)b->ptr, start = p & ~(page - 1);
	size_t span = (b->len + (p - start) + page - 1) & ~(page - 1);
	int fd = -1, rc = fn(&fd, (unsigned long long)start, span, DMA_BUF_FD_HANDLE, 0);
	if (rc || fd < 0) {
		snprintf(b->dmabuf_why, sizeof(b->dmabuf_why),
			 "cuMemGetHandleForAddressRange failed (CUresult %d): no DMA-BUF support here", rc);
		return;
	}
	b->dmabuf_fd = fd;
	b->dmabuf_offset = p - start;
}

int anvil_rdma_gpu_alloc(int device, size_t len, struct anvil_rdma_gpu_buf *b, char *why, size_t whylen)
{
	memset(b, 0, sizeof(*b));
	b->dmabuf_fd = -1;
	int count = 0;
	cudaError_t e = cudaGetDeviceCount(&count);
	if (e != cudaSuccess || device < 0 || device >= count) {
		snprintf(why, whylen, "gpu_memory: CUDA device %d not found (%s; %d device(s))", device,
			 e == cudaSuccess ? "out of range" : cudaGetErrorString(e), count);
		return -1;
	}
	if ((e = cudaSetDevice(device)) != cudaSuccess || (e = cudaMalloc(&b->ptr, len)) != cudaSuccess) {
		snprintf(why, whylen, "gpu_memory: cannot allocate %zu bytes on CUDA device %d: %s", len,
			 device, cudaGetErrorString(e));
		b->ptr = NULL;
		return -1;
	}
	b->len = len;
	if ((e = cudaMemset(b->ptr, 0, len)) != cudaSuccess || (e = cudaDeviceSynchronize()) != cudaSuccess) {
		snprintf(why, whylen, "gpu_memory: cudaMemset failed: %s", cudaGetErrorString(e));
		anvil_rdma_gpu_free(b);
		return -1;
	}
	gpu_dmabuf(b);
	return 0;
}

void anvil_rdma_gpu_free(struct anvil_rdma_gpu_buf *b)
{
	if (b->dmabuf_fd >= 0)
		close(b->dmabuf_fd);
	if (b->ptr)
		cudaFree(b->ptr);
	memset(b, 0, sizeof(*b));
	b->dmabuf_fd = -1;
}

#else /* no CUDA in this build */

int anvil_rdma_gpu_alloc(int device, size_t len, struct anvil_rdma_gpu_buf *b, char *why, size_t whylen)
{
	memset(b, 0, sizeof(*b));
	b->dmabuf_fd = -1;
	snprintf(why, whylen, "gpu_memory: this anvil was built without CUDA (not found at configure time)");
	return -1;
}

void anvil_rdma_gpu_free(struct anvil_rdma_gpu_buf *b)
{
	memset(b, 0, sizeof(*b));
	b->dmabuf_fd = -1;
}

#endif
