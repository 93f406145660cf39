/*
 * A stream and a pair of CUDA events around the timed work on it: how
 * gpu-dgemm (GEMMs) and gpu-hpl (factorisation and solve) time what they
 * measure. The runner owns the struct; zeroed, it holds nothing to release.
 */
#ifndef ANVIL_GPU_TIMER_H
#define ANVIL_GPU_TIMER_H
#include "runners/gpu_common.h"

#ifdef ANVIL_HAVE_NVCC
struct anvil_gpu_timer {
	cudaStream_t stream;
	cudaEvent_t e0, e1;
};

/* Creates the stream and both events: 0, or -1 with err. */
int anvil_gpu_timer_init(struct anvil_gpu_timer *t, struct anvil_gpu_err *err);
/* Destroys what init created, and zeroes t. */
void anvil_gpu_timer_release(struct anvil_gpu_timer *t);
/* Records the start on the stream. */
int anvil_gpu_timer_start(struct anvil_gpu_timer *t, struct anvil_gpu_err *err);
/* Records the end on the stream and waits for it: seconds since the start in *s. */
int anvil_gpu_timer_stop(struct anvil_gpu_timer *t, double *s, struct anvil_gpu_err *err);
#endif

#endif
