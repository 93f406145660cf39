/*
 * cuBLAS and cuSOLVER, loaded with dlopen the first time anvil calls them,
 * not linked. Linked, their constructors ran before main() in every anvil
 * process: cuBLASLt alone takes ~210 MiB, cuSOLVER (with cuSPARSE and
 * nvJitLink) ~260 MiB, so `anvil report`, `anvil compare` and every rank
 * but the node leaders of a CPU-only run paid for libraries they never
 * call. (A node leader loads them for the inventory's version query,
 * bench/gpu_versions.c: once per node, and only in a build with CUDA.) The
 * CUDA runtime (1.4 MiB) and NCCL (3.7 MiB) stay linked.
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

/* Why cuSOLVER could not be loaded, or NULL (loaded, or not tried yet). */
const char *anvil_cusolver_load_error(void);

#endif
