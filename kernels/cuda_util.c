#include "kernels/cuda_util.h"
#include "kernels/gpu_libs.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int anvil_gpu_fail(struct anvil_gpu_err *e, const char *file, int line, const char *call,
		   const char *text)
{
	const char *base = strrchr(file, '/');
	snprintf(e->msg, sizeof(e->msg), "%s:%d: %s: %s", base ? base + 1 : file, line, call,
		 text ? text : "unknown error");
	return -1;
}

int anvil_gpu_failf(struct anvil_gpu_err *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

#ifdef ANVIL_HAVE_CUDA
const char *anvil_cusolver_text(cusolverStatus_t s)
{
	switch (s) {
	case CUSOLVER_STATUS_SUCCESS: return "success";
	case CUSOLVER_STATUS_NOT_INITIALIZED:
		/* also what a trampoline answers when the library could not be loaded */
		return anvil_cusolver_load_error() ? anvil_cusolver_load_error()
						   : "CUSOLVER_STATUS_NOT_INITIALIZED (library not initialised)";
	case CUSOLVER_STATUS_ALLOC_FAILED: return "CUSOLVER_STATUS_ALLOC_FAILED (out of memory)";
	case CUSOLVER_STATUS_INVALID_VALUE: return "CUSOLVER_STATUS_INVALID_VALUE (bad argument)";
	case CUSOLVER_STATUS_ARCH_MISMATCH: return "CUSOLVER_STATUS_ARCH_MISMATCH (not supported on this GPU)";
	case CUSOLVER_STATUS_EXECUTION_FAILED: return "CUSOLVER_STATUS_EXECUTION_FAILED (a kernel failed)";
	case CUSOLVER_STATUS_INTERNAL_ERROR: return "CUSOLVER_STATUS_INTERNAL_ERROR";
	case CUSOLVER_STATUS_NOT_SUPPORTED: return "CUSOLVER_STATUS_NOT_SUPPORTED";
	default: return "cuSOLVER error (see cusolver_common.h for the status code)";
	}
}
#endif
