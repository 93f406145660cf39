#ifdef ANVIL_HAVE_CUDA
#include "kernels/gpu_libs.h"
#include <cublas_v2.h>
#include <cusolverDn.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define STR_(x) #x
#define STR(x) STR_(x)

/* The sonames of the major versions the headers describe. */
#define CUBLAS_SONAME "libcublas.so." STR(CUBLAS_VER_MAJOR)
#define CUSOLVER_SONAME "libcusolver.so." STR(CUSOLVER_VER_MAJOR)

#define CUBLAS_FUNCS(X) \
	X(cublasStatus_t, cublasCreate_v2, (cublasHandle_t *h), (h)) \
	X(cublasStatus_t, cublasDestroy_v2, (cublasHandle_t h), (h)) \
	X(cublasStatus_t, cublasSetStream_v2, (cublasHandle_t h, cudaStream_t s), (h, s)) \
	X(cublasStatus_t, cublasGetProperty, (libraryPropertyType t, int *v), (t, v)) \
	X(cublasStatus_t, cublasGemmEx, \
	  (cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, \
	   const void *alpha, const void *a, cudaDataType at, int lda, const void *b, cudaDataType bt, \
	   int ldb, const void *beta, void *c, cudaDataType ct, int ldc, cublasComputeType_t comp, \
	   cublasGemmAlgo_t algo), \
	  (h, ta, tb, m, n, k, alpha, a, at, lda, b, bt, ldb, beta, c, ct, ldc, comp, algo))

#define CUSOLVER_FUNCS(X) \
	X(cusolverStatus_t, cusolverDnCreate, (cusolverDnHandle_t *h), (h)) \
	X(cusolverStatus_t, cusolverDnDestroy, (cusolverDnHandle_t h), (h)) \
	X(cusolverStatus_t, cusolverDnSetStream, (cusolverDnHandle_t h, cudaStream_t s), (h, s)) \
	X(cusolverStatus_t, cusolverDnCreateParams, (cusolverDnParams_t *p), (p)) \
	X(cusolverStatus_t, cusolverDnDestroyParams, (cusolverDnParams_t p), (p)) \
	X(cusolverStatus_t, cusolverGetProperty, (libraryPropertyType t, int *v), (t, v)) \
	X(cusolverStatus_t, cusolverDnXgetrf_bufferSize, \
	  (cusolverDnHandle_t h, cusolverDnParams_t p, int64_t m, int64_t n, cudaDataType at, \
	   const void *a, int64_t lda, cudaDataType ct, size_t *dev_bytes, size_t *host_bytes), \
	  (h, p, m, n, at, a, lda, ct, dev_bytes, host_bytes)) \
	X(cusolverStatus_t, cusolverDnXgetrf, \
	  (cusolverDnHandle_t h, cusolverDnParams_t p, int64_t m, int64_t n, cudaDataType at, void *a, \
	   int64_t lda, int64_t *ipiv, cudaDataType ct, void *dev_buf, size_t dev_bytes, void *host_buf, \
	   size_t host_bytes, int *info), \
	  (h, p, m, n, at, a, lda, ipiv, ct, dev_buf, dev_bytes, host_buf, host_bytes, info)) \
	X(cusolverStatus_t, cusolverDnXgetrs, \
	  (cusolverDnHandle_t h, cusolverDnParams_t p, cublasOperation_t tr, int64_t n, int64_t nrhs, \
	   cudaDataType at, const void *a, int64_t lda, const int64_t *ipiv, cudaDataType bt, void *b, \
	   int64_t ldb, int *info), \
	  (h, p, tr, n, nrhs, at, a, lda, ipiv, bt, b, ldb, info))

struct lib {
	const char *soname;
	pthread_once_t once;
	int ok;
	char why[320];
};

static struct lib cublas_lib = { CUBLAS_SONAME, PTHREAD_ONCE_INIT, 0, "" };
static struct lib cusolver_lib = { CUSOLVER_SONAME, PTHREAD_ONCE_INIT, 0, "" };

#define X_PTR(ret, name, params, args) static ret (*p_##name) params;
CUBLAS_FUNCS(X_PTR)
CUSOLVER_FUNCS(X_PTR)
static const char *(*p_cublasGetStatusString)(cublasStatus_t);

/* dlsym's void * into a function pointer without a cast between the two kinds */
#define X_SYM(ret, name, params, args) \
	if (ok) { \
		void *s_ = dlsym(h, #name); \
		memcpy(&p_##name, &s_, sizeof(s_)); \
		if (!s_) { \
			snprintf(l->why, sizeof(l->why), "%s has no %s", l->soname, #name); \
			ok = 0; \
		} \
	}

/* RTLD_LOCAL: the library's symbols do not meet the trampolines below. */
static void *open_lib(struct lib *l)
{
	void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(l->why, sizeof(l->why), "%s", e ? e : l->soname);
	}
	return h;
}

static void load_cublas(void)
{
	struct lib *l = &cublas_lib;
	void *h = open_lib(l);
	int ok = h != NULL;
	CUBLAS_FUNCS(X_SYM)
	X_SYM(const char *, cublasGetStatusString, , )
	l->ok = ok;
}

static void load_cusolver(void)
{
	struct lib *l = &cusolver_lib;
	void *h = open_lib(l);
	int ok = h != NULL;
	CUSOLVER_FUNCS(X_SYM)
	l->ok = ok;
}

/* 0 when the library is loaded (loading it now if needed), else -1 (l->why says why) */
static int load(struct lib *l, void (*fn)(void))
{
	pthread_once(&l->once, fn);
	return l->ok ? 0 : -1;
}

static int cublas_load(void) { return load(&cublas_lib, load_cublas); }
static int cusolver_load(void) { return load(&cusolver_lib, load_cusolver); }

const char *anvil_cusolver_load_error(void)
{
	return !cusolver_lib.ok && cusolver_lib.why[0] ? cusolver_lib.why : NULL;
}

/* The trampolines, with the prototypes of cublas_api.h and cusolverDn.h. */
#define TRAMPOLINE(load_fn, not_loaded, ret, name, params, args) \
	ret name params \
	{ \
		if (load_fn()) \
			return not_loaded; \
		return p_##name args; \
	}
#define X_CUBLAS(ret, name, params, args) \
	TRAMPOLINE(cublas_load, CUBLAS_STATUS_NOT_INITIALIZED, ret, name, params, args)
#define X_CUSOLVER(ret, name, params, args) \
	TRAMPOLINE(cusolver_load, CUSOLVER_STATUS_NOT_INITIALIZED, ret, name, params, args)
CUBLAS_FUNCS(X_CUBLAS)
CUSOLVER_FUNCS(X_CUSOLVER)

const char *cublasGetStatusString(cublasStatus_t status)
{
	if (cublas_load())
		return cublas_lib.why;
	return p_cublasGetStatusString(status);
}
#endif
