/* The pair side of the RDMA runners: the two ends agree on each phase and
 * swap endpoints and end-of-run messages over the 2-rank communicator the
 * dispatcher gives a PAIRS runner. MPI carries it all: no side socket. */
#ifndef ANVIL_RDMA_PAIR_H
#define ANVIL_RDMA_PAIR_H
#include <stddef.h>
#include <stdint.h>
#include <mpi.h>
#include "kernels/rdma_verbs.h"

/* What an end says when its part of a run is over. */
struct anvil_rdma_end {
	int64_t ok;
	uint64_t counts[ANVIL_RDMA_MAX_QPS];   /* messages it posted per QP */
	char why[256];
};

struct anvil_rdma_pair {
	MPI_Comm comm;          /* borrowed */
	int me, peer;           /* ranks in comm */
	const char *peer_host;  /* borrowed */
	MPI_Request req;        /* the peer's end message, once armed */
	int armed, arrived;
	int stopped_by_peer;    /* check() reported the peer's failure to a loop */
	struct anvil_rdma_end in;
};

void anvil_rdma_pair_init(struct anvil_rdma_pair *p, MPI_Comm comm, const char *peer_host);
/* Both ends' verdict on a phase: 1 when both are ok; else 0 and why holds
 * this end's reason, or the peer's as "on HOST: reason". */
int anvil_rdma_pair_agree(struct anvil_rdma_pair *p, int ok, char *why, size_t len);
/* Swaps `bytes` bytes with the peer. */
void anvil_rdma_pair_swap(struct anvil_rdma_pair *p, const void *mine, void *theirs, size_t bytes);
/* Before a run: listen for the peer's end message. */
void anvil_rdma_pair_arm(struct anvil_rdma_pair *p);
/* struct anvil_rdma_watch's check(): 0 nothing yet, 1 the peer is done
 * (its counts copied), -1 it failed. */
int anvil_rdma_pair_check(void *arg, uint64_t *counts);
/* After a run: tells the peer how it went here and waits for its word.
 * 1 when both ends are ok; else 0 with why as anvil_rdma_pair_agree, and
 * with the peer's reason when this end stopped because the peer failed. */
int anvil_rdma_pair_finish(struct anvil_rdma_pair *p, int ok, const uint64_t *counts, int nq,
			   char *why, size_t len);

#endif
