#include "runners/gpu_timer.h"

#ifdef ANVIL_HAVE_NVCC
#include <string.h>

int anvil_gpu_timer_init(struct anvil_gpu_timer *t, struct anvil_gpu_err *err)
{
	ANVIL_CUDA(err, cudaStreamCreate(&t->stream));
	ANVIL_CUDA(err, cudaEventCreate(&t->e0));
	ANVIL_CUDA(err, cudaEventCreate(&t->e1));
	return 0;
}

void anvil_gpu_timer_release(struct anvil_gpu_timer *t)
{
	if (t->e0)
		cudaEventDestroy(t->e0);
	if (t->e1)
		cudaEventDestroy(t->e1);
	if (t->stream)
		cudaStreamDestroy(t->stream);
	memset(t, 0, sizeof(*t));
}

int anvil_gpu_timer_start(struct anvil_gpu_timer *t, struct anvil_gpu_err *err)
{
	ANVIL_CUDA(err, cudaEventRecord(t->e0, t->stream));
	return 0;
}

int anvil_gpu_timer_stop(struct anvil_gpu_timer *t, double *s, struct anvil_gpu_err *err)
{
	float ms = 0;
	ANVIL_CUDA(err, cudaEventRecord(t->e1, t->stream));
	ANVIL_CUDA(err, cudaEventSynchronize(t->e1));
	ANVIL_CUDA(err, cudaEventElapsedTime(&ms, t->e0, t->e1));
	*s = ms / 1e3;
	return 0;
}
#endif
