/*
 * cuBLAS and cuSOLVER, loaded with dlopen the first time anvil calls them,
 * not linked. Linked, their constructors ran before main() in every anvil
 * process: cuBLASLt alone takes ~210 MiB, cuSOLVER (with cuSPARSE and
 * nvJitLink) ~260 MiB, so `anvil report` and every CPU-only run paid for
 * libraries they never call. The CUDA runtime (1.4 MiB) and NCCL (3.7 MiB)
 * stay linked.
 *
 * kernels/gpu_libs.c defines the few cuBLAS and cuSOLVER functions anvil
 * uses, with the headers' own prototypes (the compiler checks them), as
 * trampolines into the loaded library; callers use the ordinary API. Where
 * the library cannot be loaded each call returns NOT_INITIALIZED, and the
 * status texts (cublasGetStatusString, anvil_cusolver_text) then give the
 * loader's reason ("libcublas.so.13: cannot open shared object file ...").
 */
#ifndef ANVIL_GPU_LIBS_H
#define ANVIL_GPU_LIBS_H
#include <stddef.h>

/* 0 when the library is loaded (loading it now if needed); else -1 and the
 * loader's reason in why. */
int anvil_cublas_load(char *why, size_t len);
int anvil_cusolver_load(char *why, size_t len);
/* The reason the last load failed, or NULL. */
const char *anvil_cublas_load_error(void);
const char *anvil_cusolver_load_error(void);

#endif
