/* The MPI runners' message buffers (runners/msgbuf.c): 2 MiB-aligned, huge
 * pages when asked and the kernel allows, and what was got read back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runners/msgbuf.h"

/* "always" or "madvise" selected in the kernel's THP setting */
static int thp_possible(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (!f)
		return 0;
	int ok = fgets(buf, sizeof(buf), f) && (strstr(buf, "[always]") || strstr(buf, "[madvise]"));
	fclose(f);
	return ok;
}

static void test_alignment_and_pages(void **state)
{
	(void)state;
	size_t bytes = 4u << 20;
	char *p = anvil_msgbuf_alloc(bytes, 1);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % (2u << 20), 0);
	memset(p, 1, bytes);
	long kib = anvil_msgbuf_huge_kib(p, bytes);
	assert_true(kib >= 0);
	assert_int_equal(anvil_msgbuf_kib(bytes), 4096);
	assert_int_equal(anvil_msgbuf_kib(bytes + 1), 6144);
	cJSON *info = cJSON_CreateObject();
	anvil_msgbuf_describe(info, 1, kib, 2048, 4096);
	const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(info, "buffer_pages"));
	assert_non_null(text);
	assert_non_null(strstr(text, "here "));
	/* the peer got half: said, and flagged */
	assert_non_null(strstr(text, ", peer 2048 of 4096 KiB (the kernel gave fewer"));
	/* with THP possible, a touched 2 MiB-aligned madvised buffer gets huge
	 * pages unless memory is too fragmented to find one: at least say it */
	if (thp_possible() && kib == 0)
		print_message("note: THP enabled but no huge page was given (fragmented memory?)\n");
	cJSON_Delete(info);
	free(p);
}

static void test_small_pages_and_bad_sizes(void **state)
{
	(void)state;
	char *p = anvil_msgbuf_alloc(100, 0);  /* rounded to one 2 MiB block */
	assert_non_null(p);
	memset(p, 0, 100);
	cJSON *info = cJSON_CreateObject();
	anvil_msgbuf_describe(info, 0, 0, 0, anvil_msgbuf_kib(100));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(info, "buffer_pages")),
			    "4 KiB pages (hugepages=false)");
	cJSON_Delete(info);
	free(p);
	assert_null(anvil_msgbuf_alloc(0, 1));
	assert_null(anvil_msgbuf_alloc(SIZE_MAX - 10, 1));
	/* an address in no mapping: nothing found */
	assert_int_equal(anvil_msgbuf_huge_kib((const void *)8, 100), -1);
	/* all given, no peer: no flag */
	info = cJSON_CreateObject();
	anvil_msgbuf_describe(info, 1, 2048, -1, 2048);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(info, "buffer_pages")),
			    "transparent huge pages: here 2048 of 2048 KiB");
	cJSON_Delete(info);
}

/* Two buffers side by side (the kernel may merge their mappings): each
 * reading stays within its own buffer's size. */
static void test_never_more_than_the_buffer(void **state)
{
	(void)state;
	size_t bytes = 2u << 20;
	char *a = anvil_msgbuf_alloc(bytes, 1), *b = anvil_msgbuf_alloc(bytes, 1);
	assert_non_null(a);
	assert_non_null(b);
	memset(a, 1, bytes);
	memset(b, 2, bytes);
	long ka = anvil_msgbuf_huge_kib(a, bytes), kb = anvil_msgbuf_huge_kib(b, bytes);
	assert_true(ka >= 0 && ka <= 2048);
	assert_true(kb >= 0 && kb <= 2048);
	/* a 100-byte buffer takes one 2 MiB block: at most 2048 KiB said */
	assert_true(anvil_msgbuf_huge_kib(a, 100) <= 2048);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alignment_and_pages),
		cmocka_unit_test(test_small_pages_and_bad_sizes),
		cmocka_unit_test(test_never_more_than_the_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
