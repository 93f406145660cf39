/* The context a runner runs in; made by the dispatcher, one per rank and test. */
#ifndef ANVIL_CTX_H
#define ANVIL_CTX_H
#include "runners/runner.h"
#include "bench/world.h"

struct anvil_ctx {
	const struct anvil_world *world;
	const struct anvil_runner *runner;
	const char *test;        /* the plan entry's id; borrowed */
	MPI_Comm comm;           /* borrowed: the dispatcher owns and frees it */
	int rank, size;
	int *node_of;            /* node of each rank of comm; owned */
	int threads;
	double deadline;         /* MPI_Wtime() at which the timeout fires */
	const cJSON *params;     /* resolved parameters; borrowed */
	cJSON *records;          /* what this rank emitted; owned */
	cJSON *labels;           /* labels for following records; owned */
	char why[512];
};

/* comm is borrowed. Returns 0, or -1 when out of memory. */
int anvil_ctx_init(struct anvil_ctx *ctx, const struct anvil_world *w,
		   const struct anvil_runner *r, const char *test, MPI_Comm comm,
		   const cJSON *params, double timeout_s, int threads);
void anvil_ctx_release(struct anvil_ctx *ctx);
/* Hands the emitted records (a JSON array) to the caller. */
cJSON *anvil_ctx_take_records(struct anvil_ctx *ctx);

/* A record with the common fields (kind, test, host, rank, time, labels). */
cJSON *anvil_record_new(const char *kind, const char *test, const char *host, int rank);
double anvil_now(void);  /* seconds since the epoch, wall clock */

#endif
