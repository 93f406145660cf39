/*
 * Error checks for CUDA, cuBLAS and cuSOLVER calls. A failed call is a
 * harness error: the macro writes "file:line: call: library's text" into the
 * caller's struct anvil_gpu_err and returns -1 from the enclosing function,
 * which unwinds to the runner, which returns it with anvil_ctx_fail(). Never
 * exit, never abort: other ranks and tests go on.
 *
 * Usage, in a function returning int with `struct anvil_gpu_err *err` in scope:
 *     ANVIL_CUDA(err, cudaMalloc(&p, bytes));
 */
#ifndef ANVIL_CUDA_UTIL_H
#define ANVIL_CUDA_UTIL_H
#include <stddef.h>

struct anvil_gpu_err {
	char msg[480];
};

/* Formats the message (file reduced to its base name) and returns -1. */
int anvil_gpu_fail(struct anvil_gpu_err *e, const char *file, int line, const char *call,
		   const char *text);
/* The same with a printf-style text, for checks that are not a library call. */
int anvil_gpu_failf(struct anvil_gpu_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#ifdef ANVIL_HAVE_CUDA
#include <cuda_runtime_api.h>
#include <cublas_v2.h>
#include <cusolverDn.h>

/* cuSOLVER has no status-to-text function. */
const char *anvil_cusolver_text(cusolverStatus_t s);

#define ANVIL_CUDA(e, call) do { \
	cudaError_t rc_ = (call); \
	if (rc_ != cudaSuccess) \
		return anvil_gpu_fail((e), __FILE__, __LINE__, #call, cudaGetErrorString(rc_)); \
} while (0)

#define ANVIL_CUBLAS(e, call) do { \
	cublasStatus_t rc_ = (call); \
	if (rc_ != CUBLAS_STATUS_SUCCESS) \
		return anvil_gpu_fail((e), __FILE__, __LINE__, #call, cublasGetStatusString(rc_)); \
} while (0)

#define ANVIL_CUSOLVER(e, call) do { \
	cusolverStatus_t rc_ = (call); \
	if (rc_ != CUSOLVER_STATUS_SUCCESS) \
		return anvil_gpu_fail((e), __FILE__, __LINE__, #call, anvil_cusolver_text(rc_)); \
} while (0)
#endif

#endif
