#include "bench/affinity.h"
#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One topology for the process: loading it costs milliseconds, tests are many. */
static hwloc_topology_t topo;
static int topo_state;  /* 0: not tried, 1: loaded, -1: unusable */

static int topology(void)
{
	if (topo_state == 0) {
		topo_state = -1;
		if (hwloc_topology_init(&topo) == 0) {
			if (hwloc_topology_load(topo) == 0)
				topo_state = 1;
			else
				hwloc_topology_destroy(topo);
		}
	}
	return topo_state == 1;
}

/* The PUs of the allowed cores first .. first+n-1 (logical order), or NULL
 * when the node has fewer allowed cores. */
static hwloc_bitmap_t cores_share(hwloc_const_bitmap_t allowed, int first, int n)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	int k = 0, taken = 0;
	for (hwloc_obj_t c = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_CORE, NULL); c && taken < n;
	     c = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_CORE, c)) {
		if (!c->cpuset || !hwloc_bitmap_intersects(c->cpuset, allowed))
			continue;
		if (k++ < first)
			continue;
		hwloc_bitmap_t pus = hwloc_bitmap_alloc();
		hwloc_bitmap_and(pus, c->cpuset, allowed);
		hwloc_bitmap_or(set, set, pus);
		hwloc_bitmap_free(pus);
		taken++;
	}
	if (taken < n) {
		hwloc_bitmap_free(set);
		return NULL;
	}
	return set;
}

void anvil_affinity_enter(struct anvil_affinity *a, const struct anvil_world *w,
			  enum anvil_scope scope, int threads)
{
	a->saved = NULL;
	a->what[0] = '\0';
	const char *env = getenv("ANVIL_BIND");
	if ((env && !strcmp(env, "none")) || !topology())
		return;
	hwloc_bitmap_t now = hwloc_bitmap_alloc();
	if (hwloc_get_cpubind(topo, now, HWLOC_CPUBIND_THREAD) != 0) {
		hwloc_bitmap_free(now);
		return;
	}
	hwloc_const_bitmap_t allowed = hwloc_topology_get_allowed_cpuset(topo);
	hwloc_bitmap_t want = NULL;
	if (scope == ANVIL_SCOPE_PER_NODE || scope == ANVIL_SCOPE_PAIRS) {
		if (!hwloc_bitmap_isequal(now, allowed)) {
			want = hwloc_bitmap_dup(allowed);
			snprintf(a->what, sizeof(a->what), "the node's %d allowed core(s)", w->cores);
		}
	} else if (hwloc_bitmap_isincluded(allowed, now) && w->local_size > 1 && threads > 0 &&
		   (long)w->local_size * threads <= w->cores) {
		want = cores_share(allowed, w->local_rank * threads, threads);
		if (want)
			snprintf(a->what, sizeof(a->what), "core(s) %d-%d of the node", w->local_rank * threads,
				 w->local_rank * threads + threads - 1);
	}
	if (want && hwloc_set_cpubind(topo, want, HWLOC_CPUBIND_PROCESS) == 0) {
		a->saved = now;
		now = NULL;
	} else {
		a->what[0] = '\0';
	}
	hwloc_bitmap_free(want);
	hwloc_bitmap_free(now);
}

void anvil_affinity_leave(struct anvil_affinity *a)
{
	if (!a->saved)
		return;
	hwloc_set_cpubind(topo, a->saved, HWLOC_CPUBIND_PROCESS);
	hwloc_bitmap_free(a->saved);
	a->saved = NULL;
}
