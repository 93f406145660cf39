/* The per-test bump allocator behind cJSON; see arena.h. */
#include "reports/arena.h"
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Address space only: pages are taken as they are touched. A region that
 * needs more than this goes on with malloc. */
#define RESERVE ((size_t)16 << 30)
#define KEEP ((size_t)96 << 20)  /* resident pages a reset leaves for the next test (fewer page faults) */

/* The test's region and the scratch region, one reservation: fixed once
 * made, read by any thread. */
static char *base;
static struct region {
	size_t used, touched;   /* touched: high-water mark since the last release */
} reg[2];
static _Thread_local int on;  /* 0, or ANVIL_ARENA_TEST or ANVIL_ARENA_SCRATCH */

static void *arena_malloc(size_t n)
{
	if (on && base) {
		struct region *r = &reg[on - 1];
		size_t need = (n + 15) & ~(size_t)15;
		if (need >= n && need <= RESERVE - r->used) {
			char *p = base + (size_t)(on - 1) * RESERVE + r->used;
			r->used += need;
			if (r->used > r->touched)
				r->touched = r->used;
			UNPOISON(p, n);
			return p;
		}
	}
	return malloc(n);
}

static void arena_free(void *p)
{
	if (base && (char *)p >= base && (char *)p < base + 2 * RESERVE)
		return;  /* the reset frees it */
	free(p);
}

static void region_reset(int i)
{
	struct region *r = &reg[i];
	char *b = base + (size_t)i * RESERVE;
	POISON(b, r->used);
	r->used = 0;
	if (r->touched > KEEP) {
		madvise(b + KEEP, r->touched - KEEP, MADV_DONTNEED);
		r->touched = KEEP;
	}
}

int anvil_arena_install(void)
{
	if (!base) {
		void *m = mmap(NULL, 2 * RESERVE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (m == MAP_FAILED)
			return -1;
		base = m;
	}
	cJSON_Hooks h = { arena_malloc, arena_free };
	cJSON_InitHooks(&h);
	return 0;
}

void anvil_arena_uninstall(void)
{
	anvil_arena_reset();
	cJSON_InitHooks(NULL);
}

int anvil_arena_on(int v)
{
	int was = on;
	on = v;
	return was;
}

size_t anvil_arena_used(void) { return reg[0].used + reg[1].used; }

void anvil_arena_reset(void)
{
	if (base)
		region_reset(0), region_reset(1);
}

void anvil_arena_reset_scratch(void)
{
	if (base)
		region_reset(1);
}
