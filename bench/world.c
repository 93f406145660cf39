#include "bench/world.h"
#include <hwloc.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HOST_MAX 256

static void count_cores(struct anvil_world *w)
{
	hwloc_topology_t topo;
	w->cores = w->pus = 1;
	if (hwloc_topology_init(&topo) != 0)
		return;
	if (hwloc_topology_load(topo) == 0) {
		int c = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
		int p = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
		w->cores = c > 0 ? c : 1;
		w->pus = p > 0 ? p : w->cores;
	}
	hwloc_topology_destroy(topo);
}

/* Node index = order of first appearance of the hostname among world ranks;
 * shared-memory domains with the same hostname are the same node. */
static int assign_nodes(struct anvil_world *w, const char *all)
{
	w->node_of = calloc((size_t)w->size, sizeof(int));
	w->leader_of = calloc((size_t)w->size, sizeof(int));
	w->hostnames = calloc((size_t)w->size, sizeof(char *));
	if (!w->node_of || !w->leader_of || !w->hostnames)
		return -1;
	w->nnodes = 0;
	for (int r = 0; r < w->size; r++) {
		const char *h = all + (size_t)r * HOST_MAX;
		int n;
		for (n = 0; n < w->nnodes; n++)
			if (strcmp(w->hostnames[n], h) == 0)
				break;
		if (n == w->nnodes) {
			w->hostnames[n] = strdup(h);
			w->leader_of[n] = r;
			w->nnodes++;
		}
		w->node_of[r] = n;
	}
	w->node = w->node_of[w->rank];
	return 0;
}

int anvil_world_init(struct anvil_world *w, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	MPI_Comm_dup(MPI_COMM_WORLD, &w->comm);
	MPI_Comm_rank(w->comm, &w->rank);
	MPI_Comm_size(w->comm, &w->size);
	w->singleton = getenv("OMPI_COMM_WORLD_SIZE") == NULL && getenv("PMI_SIZE") == NULL &&
		       getenv("PMIX_RANK") == NULL && w->size == 1;

	char me[HOST_MAX] = "";
	if (gethostname(me, sizeof(me) - 1) != 0)
		snprintf(me, sizeof(me), "unknown");
	char *all = malloc((size_t)w->size * HOST_MAX);
	if (!all) {
		snprintf(err, errlen, "out of memory gathering %d hostnames", w->size);
		return -1;
	}
	MPI_Allgather(me, HOST_MAX, MPI_CHAR, all, HOST_MAX, MPI_CHAR, w->comm);
	int rc = assign_nodes(w, all);
	free(all);
	if (rc) {
		snprintf(err, errlen, "out of memory building the node table");
		return -1;
	}
	/* Shared memory first (what MPI knows), then the hostname, so two
	 * containers on one host are still two nodes. */
	MPI_Comm shm;
	MPI_Comm_split_type(w->comm, MPI_COMM_TYPE_SHARED, w->rank, MPI_INFO_NULL, &shm);
	MPI_Comm_split(shm, w->node, w->rank, &w->node_comm);
	MPI_Comm_free(&shm);
	MPI_Comm_rank(w->node_comm, &w->local_rank);
	MPI_Comm_size(w->node_comm, &w->local_size);
	MPI_Comm_split(w->comm, w->local_rank == 0 ? 0 : MPI_UNDEFINED, w->rank, &w->leaders);
	count_cores(w);
	return 0;
}

void anvil_world_release(struct anvil_world *w)
{
	if (w->leaders != MPI_COMM_NULL)
		MPI_Comm_free(&w->leaders);
	if (w->node_comm != MPI_COMM_NULL)
		MPI_Comm_free(&w->node_comm);
	if (w->comm != MPI_COMM_NULL)
		MPI_Comm_free(&w->comm);
	for (int i = 0; w->hostnames && i < w->nnodes; i++)
		free(w->hostnames[i]);
	free(w->hostnames);
	free(w->node_of);
	free(w->leader_of);
	memset(w, 0, sizeof(*w));
}

const char *anvil_world_hostname(const struct anvil_world *w)
{
	return w->hostnames[w->node];
}

/* Polls with a sleep that doubles from 0.1 ms to 20 ms: a rank waiting out
 * a long per-node test wakes 50 times a second, not 500 (each wake-up takes
 * the core from a BLAS thread of the test: cpu-dgemm on 2 cores lost ~1%
 * with a fixed 2 ms), and a short wait still ends within a fraction of a
 * millisecond of the others. */
static void quiet_wait(MPI_Request *req)
{
	int done = 0;
	long ns = 100 * 1000;
	MPI_Test(req, &done, MPI_STATUS_IGNORE);
	while (!done) {
		struct timespec ts = { 0, ns };
		nanosleep(&ts, NULL);
		if (ns < 20 * 1000 * 1000)
			ns *= 2;
		MPI_Test(req, &done, MPI_STATUS_IGNORE);
	}
}

void anvil_world_quiet_barrier(MPI_Comm comm)
{
	MPI_Request req;
	MPI_Ibarrier(comm, &req);
	quiet_wait(&req);
}

void anvil_world_quiet_bcast(void *buf, int count, MPI_Datatype type, int root, MPI_Comm comm)
{
	MPI_Request req;
	MPI_Ibcast(buf, count, type, root, comm, &req);
	quiet_wait(&req);
}

cJSON *anvil_world_gather_json(const struct anvil_world *w, const char *mine)
{
	int len = (int)strlen(mine) + 1;
	int *lens = NULL, *offs = NULL;
	char *all = NULL;
	if (w->rank == 0) {
		lens = calloc((size_t)w->size, sizeof(int));
		offs = calloc((size_t)w->size, sizeof(int));
	}
	MPI_Gather(&len, 1, MPI_INT, lens, 1, MPI_INT, 0, w->comm);
	if (w->rank == 0) {
		long total = 0;
		for (int r = 0; r < w->size; r++) {
			offs[r] = (int)total;
			total += lens[r];
		}
		all = malloc((size_t)total);
	}
	MPI_Gatherv(mine, len, MPI_CHAR, all, lens, offs, MPI_CHAR, 0, w->comm);
	cJSON *parts = NULL;
	if (w->rank == 0) {
		parts = cJSON_CreateArray();
		for (int r = 0; r < w->size; r++) {
			cJSON *p = lens[r] > 1 ? cJSON_Parse(all + offs[r]) : NULL;
			cJSON_AddItemToArray(parts, p ? p : cJSON_CreateNull());
		}
	}
	free(lens);
	free(offs);
	free(all);
	return parts;
}
