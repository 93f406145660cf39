/* The GPU library versions in the inventory (bench/gpu_versions.c): the
 * codes' decoding, and the libraries of this build answering without a GPU. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "bench/gpu_versions.h"

/* Whether a library whose file name holds name is mapped in this process. */
static int mapped(const char *name)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[1024];
	int found = 0;
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, name) != NULL;
	if (f)
		fclose(f);
	return found;
}

static void test_codes(void **state)
{
	(void)state;
	char v[32];
	anvil_cuda_version_text(12040, v, sizeof(v));
	assert_string_equal(v, "12.4");
	anvil_cuda_version_text(13000, v, sizeof(v));
	assert_string_equal(v, "13.0");
	anvil_nccl_version_text(22304, v, sizeof(v));
	assert_string_equal(v, "2.23.4");
	anvil_nccl_version_text(2804, v, sizeof(v));  /* before 2.9: 1000*major + 100*minor + patch */
	assert_string_equal(v, "2.8.4");
}

static void test_this_build(void **state)
{
	(void)state;
	/* cuBLAS and cuSOLVER are loaded on first use, never at start-up
	 * (kernels/gpu_libs.c): their constructors cost ~260 MiB */
	assert_false(mapped("libcublasLt.so"));
	assert_false(mapped("libcusolver.so"));
	cJSON *libs = cJSON_CreateObject();
	anvil_gpu_versions(libs);
#ifdef ANVIL_HAVE_CUDA
	/* the runtime and the BLAS answer with no GPU and no driver */
	const char *rt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(libs, "cuda_runtime"));
	assert_non_null(rt);
	assert_non_null(strchr(rt, '.'));
	assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(libs, "cublas")));
	assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(libs, "cusolver")));
	assert_true(mapped("libcublas.so"));
	assert_true(mapped("libcusolver.so"));
#else
	assert_null(libs->child);
#endif
#ifdef ANVIL_HAVE_NCCL
	assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(libs, "nccl")));
#endif
	cJSON_Delete(libs);
	anvil_gpu_versions(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_this_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
