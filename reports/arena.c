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
#define NREG 5
#define SCRATCH 4   /* regions 0-3: the test's and the helper's of set 0, then of set 1 */

/* The regions, one reservation: fixed once made, read by any thread. */
static char *base;
static struct region {
	size_t used, touched;   /* touched: high-water mark since the last release */
} reg[NREG];
/* resident pages a reset leaves in each region for the next test (fewer
 * page faults); little, since a fault brings a 2 MiB huge page and what a
 * set keeps while the other is in use shows in the peak */
#define KEEP ((size_t)4 << 20)
static _Thread_local int on;   /* 0, or ANVIL_ARENA_TEST, _SCRATCH or _HELPER */
static _Thread_local int set;  /* whose test and helper regions: set 0's or set 1's */

static int region_of(int which)
{
	return which == ANVIL_ARENA_SCRATCH ? SCRATCH : 2 * set + (which == ANVIL_ARENA_HELPER);
}

static void *arena_malloc(size_t n)
{
	if (on && base) {
		int i = region_of(on);
		struct region *r = &reg[i];
		size_t need = (n + 15) & ~(size_t)15;
		if (need >= n && need <= RESERVE - r->used) {
			char *p = base + (size_t)i * RESERVE + r->used;
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

static void region_reset_keeping(int i, size_t kept)
{
	struct region *r = &reg[i];
	char *b = base + (size_t)i * RESERVE;
	POISON(b, r->used);
	r->used = 0;
	if (r->touched > kept) {
		madvise(b + kept, r->touched - kept, MADV_DONTNEED);
		r->touched = kept;
	}
}

static void region_reset(int i)
{
	region_reset_keeping(i, KEEP);
}

int anvil_arena_install(void)
{
	if (!base) {
		/* on 2 MiB boundaries, in transparent huge pages where the
		 * system allows them (madvise mode): a test's hundreds of MiB
		 * are faulted in 2 MiB at a time, not 4 KiB (a fault is dear
		 * in a virtual machine: a tenth of anvil report's time at 1024
		 * nodes went to faulting in the regions page by page) */
		size_t huge = (size_t)2 << 20;
		void *m = mmap(NULL, NREG * RESERVE + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (m == MAP_FAILED)
			return -1;
		base = (char *)(((uintptr_t)m + huge - 1) & ~(uintptr_t)(huge - 1));
		madvise(base, NREG * RESERVE, MADV_HUGEPAGE);
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

int anvil_arena_set(int s)
{
	int was = set;
	set = s;
	return was;
}

int anvil_arena_which_set(void)
{
	return set;
}

size_t anvil_arena_used(void)
{
	size_t n = 0;
	for (int i = 0; i < NREG; i++)
		n += reg[i].used;
	return n;
}

void anvil_arena_reset(void)
{
	if (base)
		for (int i = 0; i < NREG; i++)
			region_reset(i);
}

void anvil_arena_release(void)
{
	if (base)
		for (int i = 0; i < NREG; i++)
			region_reset_keeping(i, 0);
}

void anvil_arena_reset_scratch(void)
{
	if (base)
		region_reset(SCRATCH);
}

void anvil_arena_reset_set(int s)
{
	if (base) {
		region_reset(2 * s);
		region_reset(2 * s + 1);
	}
}
