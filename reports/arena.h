/*
 * A bump allocator for the cJSON trees of one test (reports/report.c).
 *
 * A test of a thousand nodes is a few million small tree nodes, parsed,
 * judged, written and thrown away together: from malloc that was a quarter
 * of `anvil report`'s time (allocations, then cJSON_Delete walking and
 * freeing each). While the arena is on (for the thread that turned it on),
 * cJSON allocates by bumping a pointer, cJSON_Delete frees nothing of it,
 * and anvil_arena_reset drops everything at once. Memory that did not come
 * from the arena (malloc'd before, or by another thread) is freed as usual,
 * so trees may mix both.
 *
 * Whatever must outlive the test is copied out (cJSON_Duplicate with the
 * arena off) before the reset. Under AddressSanitizer the dropped memory is
 * poisoned, so a pointer kept past the reset is still caught.
 */
#ifndef ANVIL_ARENA_H
#define ANVIL_ARENA_H
#include <stddef.h>
#include <cjson/cJSON.h>

/* Hooks cJSON to the arena (reserving its address space on first use);
 * off until anvil_arena_on. Returns -1 (and cJSON stays on malloc) when no
 * address space could be reserved. */
int anvil_arena_install(void);
/* cJSON back on malloc; everything in the arena must be dead. Every page
 * goes back to the system (anvil_arena_release): a process that goes on
 * after its report (anvil run's monitor makes one again and again while
 * the benchmarks run) keeps none of them. */
void anvil_arena_uninstall(void);
/* This thread's cJSON allocations from the arena's test region
 * (ANVIL_ARENA_TEST), its scratch region (ANVIL_ARENA_SCRATCH: what lives
 * only until anvil_arena_reset_scratch, such as the checks of a test on
 * their way to the output files), its helper region (ANVIL_ARENA_HELPER:
 * part of the test's tree made by a second thread, reports/jsource.c; one
 * thread at a time uses a region) or malloc (0); returns the setting before. */
#define ANVIL_ARENA_TEST 1
#define ANVIL_ARENA_SCRATCH 2
#define ANVIL_ARENA_HELPER 3
int anvil_arena_on(int on);
/* The test and helper regions come in two sets, so that one test's tree is
 * made in one while the previous test's is written out from the other
 * (reports/report.c): this thread's set from now (0 or 1), and the one
 * before; the set now. */
int anvil_arena_set(int set);
int anvil_arena_which_set(void);
/* Everything in the test and helper regions of a set is gone. */
void anvil_arena_reset_set(int set);
/* There are two scratch regions, so that one batch of checks is made in
 * one while the batch before is written out of the other (reports/checkq.c):
 * this thread's from now (0 or 1); the one before. */
int anvil_arena_scratch(int k);
/* Everything in this thread's scratch region is gone; in scratch region k. */
void anvil_arena_reset_scratch(void);
void anvil_arena_reset_scratch_at(int k);
/* Everything allocated from the arena (every region) is gone; its pages
 * go back to the system but the idle ones arena.c keeps resident (64 MiB,
 * or more while the arena holds at most 320 MiB in all). */
void anvil_arena_reset(void);
/* The same, and every page of it goes back to the system. */
void anvil_arena_release(void);
/* Bytes in use now. */
size_t anvil_arena_used(void);
/* Is p in the arena (freed by a reset, whatever is done with it)? */
int anvil_arena_owns(const void *p);
/* A detached tree dropped: left to the reset where it is the arena's (its
 * nodes are, when its root is: the arena is on for the whole of a test),
 * else cJSON_Delete: walking a test's dropped records only to free nothing
 * was a cache miss a node. */
void anvil_arena_drop(cJSON *tree);

#endif
