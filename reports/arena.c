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

/* Address space only: pages are taken as they are touched. A test that
 * needs more than this goes on with malloc. */
#define RESERVE ((size_t)16 << 30)
#define KEEP ((size_t)32 << 20)  /* resident pages a reset leaves for the next test */

static char *base;          /* the reservation; fixed once made, read by any thread */
static size_t used;
static size_t touched;      /* high-water mark since the last release */
static _Thread_local int on;

static void *arena_malloc(size_t n)
{
	if (on && base) {
		size_t need = (n + 15) & ~(size_t)15;
		if (need >= n && need <= RESERVE - used) {
			char *p = base + used;
			used += need;
			if (used > touched)
				touched = used;
			UNPOISON(p, n);
			return p;
		}
	}
	return malloc(n);
}

static void arena_free(void *p)
{
	if (base && (char *)p >= base && (char *)p < base + RESERVE)
		return;  /* the reset frees it */
	free(p);
}

int anvil_arena_install(void)
{
	if (!base) {
		void *m = mmap(NULL, RESERVE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
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

size_t anvil_arena_used(void) { return used; }

void anvil_arena_reset(void)
{
	if (!base)
		return;
	POISON(base, used);
	used = 0;
	if (touched > KEEP) {
		madvise(base + KEEP, touched - KEEP, MADV_DONTNEED);
		touched = KEEP;
	}
}
