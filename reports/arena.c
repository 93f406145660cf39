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
#define RESERVE ((size_t)8 << 30)
#define NREG 3

/* The test's, the scratch and the helper region, one reservation: fixed
 * once made, read by any thread. */
static char *base;
static struct region {
	size_t used, touched;   /* touched: high-water mark since the last release */
} reg[NREG];
/* resident pages a reset leaves for the next test (fewer page faults); the
 * helper's half of the records is made on the other core, where its faults
 * cost the judging thread nothing */
static const size_t keep[NREG] = { (size_t)96 << 20, (size_t)96 << 20, (size_t)16 << 20 };
static _Thread_local int on;  /* 0, or ANVIL_ARENA_TEST, _SCRATCH or _HELPER */

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
	if (base && (char *)p >= base && (char *)p < base + NREG * RESERVE)
		return;  /* the reset frees it */
	free(p);
}

static void region_reset(int i)
{
	struct region *r = &reg[i];
	char *b = base + (size_t)i * RESERVE;
	POISON(b, r->used);
	r->used = 0;
	if (r->touched > keep[i]) {
		madvise(b + keep[i], r->touched - keep[i], MADV_DONTNEED);
		r->touched = keep[i];
	}
}

int anvil_arena_install(void)
{
	if (!base) {
		void *m = mmap(NULL, NREG * RESERVE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
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

size_t anvil_arena_used(void) { return reg[0].used + reg[1].used + reg[2].used; }

void anvil_arena_reset(void)
{
	if (base)
		for (int i = 0; i < NREG; i++)
			region_reset(i);
}

void anvil_arena_reset_scratch(void)
{
	if (base)
		region_reset(1);
}
