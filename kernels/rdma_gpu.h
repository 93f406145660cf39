/* GPU memory for the RDMA buffers (GPUDirect RDMA): cudaMalloc'ed memory
 * and, where the driver offers it, a DMA-BUF file descriptor for it
 * (cuMemGetHandleForAddressRange, looked up in libcuda.so.1 at run time) so
 * ibv_reg_dmabuf_mr can register it without the nvidia-peermem module.
 * Without ANVIL_HAVE_CUDA every call says so. No libibverbs here. */
#ifndef ANVIL_RDMA_GPU_H
#define ANVIL_RDMA_GPU_H
#include <stddef.h>
#include <stdint.h>

struct anvil_rdma_gpu_buf {
	void *ptr;               /* device pointer; NULL when none */
	size_t len;
	int dmabuf_fd;           /* -1 when there is none (then register ptr itself) */
	uint64_t dmabuf_offset;  /* of ptr inside the DMA-BUF (page-aligned start) */
	char dmabuf_why[160];    /* why there is no DMA-BUF, when there is none */
};

/* Allocates len bytes on CUDA device `device`, zeroed. Returns 0, or -1 with why. */
int anvil_rdma_gpu_alloc(int device, size_t len, struct anvil_rdma_gpu_buf *b, char *why, size_t whylen);
void anvil_rdma_gpu_free(struct anvil_rdma_gpu_buf *b);

#endif
