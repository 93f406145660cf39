/* The per-test bump allocator behind cJSON; see arena.h. */
#include "reports/arena.h"
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <pthread.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Address space only: pages are taken as they are touched. The regions
 * draw 2 MiB chunks (one huge page each) from one pool: a chunk a reset
 * gives back stays resident, up to HOT_KEEP of them or while the regions
 * and the idle chunks hold at most RESIDENT, and is the next to be handed
 * out, so a test mostly reuses the pages of the one judged two before it
 * instead of faulting (and zeroing) its own. On the VM this was measured
 * on, freed memory goes back to the host and costs a fault from it when
 * touched again: faulting in a test's regions afresh was a sixth of the
 * judging thread's time. With RESIDENT, 152 huge pages are faulted in at
 * a thousand nodes instead of 263, and the peak is the same (it comes when
 * the regions hold the most, and then few chunks are idle). */
#define CHUNK ((size_t)2 << 20)
#define RESERVE ((size_t)64 << 30)   /* the most address space asked for (less where a limit refuses it) */
#define NCHUNKS (RESERVE / CHUNK)
#define HOT_KEEP ((size_t)64 << 20)    /* resident idle chunks kept */
#define RESIDENT ((size_t)320 << 20)   /* or more while the regions and they hold no more than this */
#define NREG 6
#define SCRATCH 4   /* regions 0-3: the test's and the helper's of set 0, then of set 1; 4, 5 scratch */
#define NONE UINT32_MAX

/* The reservation: fixed once made, read by any thread. */
static char *base;
static size_t reserved;
static uint32_t nchunks;
/* the pool (pool.mu): chunks never handed out start at fresh; the idle
 * ones are on the hot list (resident) or the cold one (given back) */
static struct {
	pthread_mutex_t mu;
	uint32_t fresh, hot, cold;
	size_t nhot;
	size_t nused;   /* chunks in the regions */
	uint32_t next[NCHUNKS];   /* a chunk's successor on its list (a pool's or a region's) */
} pool = { PTHREAD_MUTEX_INITIALIZER, 0, NONE, NONE, 0, 0, { 0 } };

/* A region's chunks (the first is the one being filled), each used by one thread at a time. */
static struct region {
	uint32_t head;
	size_t at;     /* bytes used in the head chunk */
	size_t used;   /* bytes handed out */
} reg[NREG] = { { NONE, 0, 0 }, { NONE, 0, 0 }, { NONE, 0, 0 }, { NONE, 0, 0 }, { NONE, 0, 0 }, { NONE, 0, 0 } };
static _Thread_local int on;   /* 0, or ANVIL_ARENA_TEST, _SCRATCH or _HELPER */
static _Thread_local int set;  /* whose test and helper regions: set 0's or set 1's */
static _Thread_local int scratch;  /* which scratch region: 0 or 1 */

static char *chunk_at(uint32_t c)
{
	return base + (size_t)c * CHUNK;
}

static int region_of(int which)
{
	return which == ANVIL_ARENA_SCRATCH ? SCRATCH + scratch : 2 * set + (which == ANVIL_ARENA_HELPER);
}

/* A chunk for a region (resident ones first), or NONE when the reservation is spent. */
static uint32_t chunk_get(void)
{
	pthread_mutex_lock(&pool.mu);
	uint32_t c = NONE;
	if (pool.hot != NONE) {
		c = pool.hot;
		pool.hot = pool.next[c];
		pool.nhot--;
	} else if (pool.cold != NONE) {
		c = pool.cold;
		pool.cold = pool.next[c];
	} else if (pool.fresh < nchunks) {
		c = pool.fresh++;
	}
	pool.nused += c != NONE;
	pthread_mutex_unlock(&pool.mu);
	return c;
}

/* A region's chunks back to the pool: resident while the pool holds fewer
 * than keep bytes of idle ones, the rest given back to the system. */
static void chunks_put(uint32_t head, size_t keep)
{
	pthread_mutex_lock(&pool.mu);
	for (uint32_t c = head, next; c != NONE; c = next) {
		next = pool.next[c];
		POISON(chunk_at(c), CHUNK);
		pool.nused--;
		if ((pool.nhot + 1) * CHUNK <= keep || (keep && (pool.nused + pool.nhot + 1) * CHUNK <= RESIDENT)) {
			pool.next[c] = pool.hot;
			pool.hot = c;
			pool.nhot++;
		} else {
			madvise(chunk_at(c), CHUNK, MADV_DONTNEED);
			pool.next[c] = pool.cold;
			pool.cold = c;
		}
	}
	pthread_mutex_unlock(&pool.mu);
}

/* k chunks side by side, never handed out before (what one allocation of
 * more than a chunk takes), or NONE. */
static uint32_t chunks_fresh(size_t k)
{
	pthread_mutex_lock(&pool.mu);
	uint32_t c = NONE;
	if (nchunks - pool.fresh >= k) {
		c = pool.fresh;
		pool.fresh += (uint32_t)k;
		pool.nused += k;
	}
	pthread_mutex_unlock(&pool.mu);
	return c;
}

/* More than a chunk at once: chunks of its own, on r's list behind the
 * one being filled (they go back to the pool with the rest). */
static void *region_big(struct region *r, size_t need)
{
	size_t k = (need + CHUNK - 1) / CHUNK;
	uint32_t c = chunks_fresh(k);
	if (c == NONE)
		return NULL;
	for (size_t j = 0; j < k; j++) {
		uint32_t d = c + (uint32_t)j;
		if (r->head == NONE) {
			r->head = d;
			r->at = CHUNK;  /* full: the next small allocation takes a chunk */
			pool.next[d] = NONE;
		} else {
			pool.next[d] = pool.next[r->head];
			pool.next[r->head] = d;
		}
	}
	r->used += need;
	return chunk_at(c);
}

/* Every case: a chunk to start, an allocation of more than a chunk, malloc. */
__attribute__((noinline)) static void *arena_malloc_slow(size_t n)
{
	if (on && base) {
		struct region *r = &reg[region_of(on)];
		size_t need = (n + 15) & ~(size_t)15;
		char *p = NULL;
		if (need < n || need > reserved) {
			p = NULL;
		} else if (need > CHUNK) {
			p = region_big(r, need);
		} else {
			if (r->head == NONE || r->at + need > CHUNK) {
				uint32_t c = chunk_get();
				if (c == NONE)
					return malloc(n);
				pool.next[c] = r->head;  /* the chunk is r's alone now */
				r->head = c;
				r->at = 0;
			}
			p = chunk_at(r->head) + r->at;
			r->at += need;
			r->used += need;
		}
		if (p) {
			UNPOISON(p, n);
			return p;
		}
	}
	return malloc(n);
}

/* What cJSON calls for each node and string: the bump in the head chunk
 * inline, the rest out of line (sixteen million calls at a thousand nodes,
 * where saving the registers the rare cases need was half of each). */
static void *arena_malloc(size_t n)
{
	if (on && base) {
		struct region *r = &reg[region_of(on)];
		size_t need = (n + 15) & ~(size_t)15;
		if (need >= n && need <= CHUNK && r->head != NONE && r->at + need <= CHUNK) {
			char *p = chunk_at(r->head) + r->at;
			r->at += need;
			r->used += need;
			UNPOISON(p, n);
			return p;
		}
	}
	return arena_malloc_slow(n);
}

int anvil_arena_owns(const void *p)
{
	return base && (const char *)p >= base && (const char *)p < base + reserved;
}

void anvil_arena_drop(cJSON *tree)
{
	if (tree && !anvil_arena_owns(tree))
		cJSON_Delete(tree);
}

static void arena_free(void *p)
{
	if (anvil_arena_owns(p))
		return;  /* the reset frees it */
	free(p);
}

static void region_reset_keeping(int i, size_t keep)
{
	struct region *r = &reg[i];
	chunks_put(r->head, keep);
	r->head = NONE;
	r->at = r->used = 0;
}

static void region_reset(int i)
{
	region_reset_keeping(i, HOT_KEEP);
}

int anvil_arena_install(void)
{
	if (!base) {
		/* on 2 MiB boundaries, in transparent huge pages where the
		 * system allows them (madvise mode): a test's hundreds of MiB
		 * are faulted in 2 MiB at a time, not 4 KiB (a fault is dear
		 * in a virtual machine: a tenth of anvil report's time at 1024
		 * nodes went to faulting in the regions page by page) */
		size_t huge = (size_t)2 << 20, r = RESERVE;
		void *m = MAP_FAILED;
		/* a limit on address space (ulimit -v, a tool such as valgrind)
		 * may refuse 64 GiB: a quarter, down to 1 GiB, will do */
		for (; m == MAP_FAILED && r >= ((size_t)1 << 30); r /= 4)
			m = mmap(NULL, r + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (m == MAP_FAILED)
			return -1;
		reserved = r * 4;
		nchunks = (uint32_t)(reserved / CHUNK);
		base = (char *)(((uintptr_t)m + huge - 1) & ~(uintptr_t)(huge - 1));
		madvise(base, reserved, MADV_HUGEPAGE);
	}
	cJSON_Hooks h = { arena_malloc, arena_free };
	cJSON_InitHooks(&h);
	return 0;
}

void anvil_arena_uninstall(void)
{
	anvil_arena_release();
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
	if (!base)
		return;
	for (int i = 0; i < NREG; i++)
		region_reset_keeping(i, 0);
	pthread_mutex_lock(&pool.mu);
	while (pool.hot != NONE) {
		uint32_t c = pool.hot;
		pool.hot = pool.next[c];
		madvise(chunk_at(c), CHUNK, MADV_DONTNEED);
		pool.next[c] = pool.cold;
		pool.cold = c;
	}
	pool.nhot = 0;
	pthread_mutex_unlock(&pool.mu);
}

int anvil_arena_scratch(int k)
{
	int was = scratch;
	scratch = k;
	return was;
}

void anvil_arena_reset_scratch(void)
{
	anvil_arena_reset_scratch_at(scratch);
}

void anvil_arena_reset_scratch_at(int k)
{
	if (base)
		region_reset(SCRATCH + k);
}

void anvil_arena_reset_set(int s)
{
	if (base) {
		region_reset(2 * s);
		region_reset(2 * s + 1);
	}
}
