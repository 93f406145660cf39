/* Agreeing and swapping over the pair's communicator; see runners/rdma_pair.h. */
#include "runners/rdma_pair.h"
#include <stdio.h>
#include <string.h>

enum { TAG_AGREE = 0x5241, TAG_SWAP, TAG_END };

struct verdict {
	int32_t ok;
	char why[300];
};

void anvil_rdma_pair_init(struct anvil_rdma_pair *p, MPI_Comm comm, const char *peer_host)
{
	memset(p, 0, sizeof(*p));
	p->comm = comm;
	MPI_Comm_rank(comm, &p->me);
	p->peer = 1 - p->me;
	p->peer_host = peer_host;
	p->req = MPI_REQUEST_NULL;
}

static void peer_reason(const struct anvil_rdma_pair *p, const char *theirs, char *why, size_t len)
{
	snprintf(why, len, "on %s: %s", p->peer_host, theirs[0] ? theirs : "failed (no reason given)");
}

int anvil_rdma_pair_agree(struct anvil_rdma_pair *p, int ok, char *why, size_t len)
{
	struct verdict mine = { .ok = ok }, theirs;
	snprintf(mine.why, sizeof(mine.why), "%s", ok ? "" : why);
	MPI_Sendrecv(&mine, sizeof(mine), MPI_BYTE, p->peer, TAG_AGREE, &theirs, sizeof(theirs), MPI_BYTE,
		     p->peer, TAG_AGREE, p->comm, MPI_STATUS_IGNORE);
	theirs.why[sizeof(theirs.why) - 1] = '\0';
	if (ok && !theirs.ok)
		peer_reason(p, theirs.why, why, len);
	return ok && theirs.ok;
}

void anvil_rdma_pair_swap(struct anvil_rdma_pair *p, const void *mine, void *theirs, size_t bytes)
{
	MPI_Sendrecv(mine, (int)bytes, MPI_BYTE, p->peer, TAG_SWAP, theirs, (int)bytes, MPI_BYTE, p->peer,
		     TAG_SWAP, p->comm, MPI_STATUS_IGNORE);
}

void anvil_rdma_pair_arm(struct anvil_rdma_pair *p)
{
	memset(&p->in, 0, sizeof(p->in));
	p->arrived = p->stopped_by_peer = 0;
	p->armed = 1;
	MPI_Irecv(&p->in, sizeof(p->in), MPI_BYTE, p->peer, TAG_END, p->comm, &p->req);
}

int anvil_rdma_pair_check(void *arg, uint64_t *counts)
{
	struct anvil_rdma_pair *p = arg;
	if (!p->armed)
		return 0;
	if (!p->arrived) {
		int done = 0;
		MPI_Test(&p->req, &done, MPI_STATUS_IGNORE);
		if (!done)
			return 0;
		p->arrived = 1;
		p->in.why[sizeof(p->in.why) - 1] = '\0';
	}
	if (!p->in.ok) {
		p->stopped_by_peer = 1;
		return -1;
	}
	memcpy(counts, p->in.counts, sizeof(p->in.counts));
	return 1;
}

int anvil_rdma_pair_finish(struct anvil_rdma_pair *p, int ok, const uint64_t *counts, int nq,
			   char *why, size_t len)
{
	struct anvil_rdma_end out;
	MPI_Request sreq;
	memset(&out, 0, sizeof(out));
	out.ok = ok;
	for (int q = 0; counts && q < nq && q < ANVIL_RDMA_MAX_QPS; q++)
		out.counts[q] = counts[q];
	snprintf(out.why, sizeof(out.why), "%s", ok ? "" : why);
	MPI_Isend(&out, sizeof(out), MPI_BYTE, p->peer, TAG_END, p->comm, &sreq);
	if (p->armed && !p->arrived) {
		MPI_Wait(&p->req, MPI_STATUS_IGNORE);
		p->in.why[sizeof(p->in.why) - 1] = '\0';
	}
	MPI_Wait(&sreq, MPI_STATUS_IGNORE);
	if ((ok || p->stopped_by_peer) && !p->in.ok)
		peer_reason(p, p->in.why, why, len);
	p->armed = p->arrived = p->stopped_by_peer = 0;
	return ok && p->in.ok;
}
