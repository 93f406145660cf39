/* The MPI world as anvil sees it: ranks grouped into nodes, one leader per node. */
#ifndef ANVIL_WORLD_H
#define ANVIL_WORLD_H
#include <mpi.h>

struct anvil_world {
	MPI_Comm comm;          /* a private duplicate of MPI_COMM_WORLD */
	int rank, size;
	MPI_Comm node_comm;     /* the ranks on this node */
	int local_rank, local_size;
	MPI_Comm leaders;       /* local rank 0 of every node; MPI_COMM_NULL elsewhere */
	int node, nnodes;       /* this rank's node index; nodes in the job */
	int *node_of;           /* node index of every world rank (size entries) */
	int *leader_of;         /* world rank of every node's leader (nnodes entries) */
	char **hostnames;       /* per node (nnodes entries) */
	int cores;              /* physical cores of this node (hwloc) */
	int pus;                /* hardware threads of this node */
	int singleton;          /* started without mpirun */
};

/* Builds the world from MPI_COMM_WORLD (collective). Returns 0 or -1. */
int anvil_world_init(struct anvil_world *w, char *err, size_t errlen);
void anvil_world_release(struct anvil_world *w);
const char *anvil_world_hostname(const struct anvil_world *w);
/* Waits on comm like MPI_Barrier but sleeps instead of spinning, so idle
 * ranks do not steal cores from a PER_NODE test running beside them. */
void anvil_world_quiet_barrier(MPI_Comm comm);
/* The same for a broadcast from root, for idle ranks waiting on a decision. */
void anvil_world_quiet_bcast(void *buf, int count, MPI_Datatype type, int root, MPI_Comm comm);

/* Collective: every rank's JSON text to rank 0, which gets an array with one
 * parsed value per rank (null for "" or unparsable text); NULL elsewhere. */
struct cJSON;
struct cJSON *anvil_world_gather_json(const struct anvil_world *w, const char *mine);

#endif
