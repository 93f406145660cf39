/*
 * RDMA over libibverbs, RC queue pairs, the way perftest sets them up
 * (perftest_resources.c): resources (kernels/rdma_verbs.c) and the bandwidth
 * and latency loops (kernels/rdma_bw.c, rdma_lat.c). No MPI here: the ends swap
 * struct anvil_rdma_endpoint and their end-of-run messages through whatever
 * the caller has (runners/rdma_pair.c does it over the pair's communicator),
 * and the loops ask the caller about the peer through struct anvil_rdma_watch.
 * This header does not include <infiniband/verbs.h>, so runners compile in a
 * build without libibverbs; the functions exist only with ANVIL_HAVE_IBVERBS.
 */
#ifndef ANVIL_RDMA_VERBS_H
#define ANVIL_RDMA_VERBS_H
#include <stddef.h>
#include <stdint.h>
#include "kernels/rdma_select.h"
#include "kernels/rdma_stats.h"

#define ANVIL_RDMA_MAX_QPS 64

enum anvil_rdma_verb { ANVIL_RDMA_WRITE, ANVIL_RDMA_READ, ANVIL_RDMA_SEND };

struct anvil_rdma_opts {
	enum anvil_rdma_verb verb;
	int latency;             /* a latency test: one QP, a send queue of tx_depth (1) */
	char device[ANVIL_RDMA_NAME_MAX];  /* "": the first ACTIVE port of any device */
	int port;                /* 0: the device's first ACTIVE port */
	int gid_index;           /* -1: automatic (RoCE: best score; InfiniBand: no GRH) */
	int qps, tx_depth, rx_depth;
	int inline_size;         /* -1: perftest's default (latency: write 220, send 236; else 0) */
	int mtu;                 /* bytes; 0: the port's active MTU */
	int sl, traffic_class, qp_timeout;
	size_t max_size;         /* the largest message: sizes the buffer */
	int gpu_memory, gpu;     /* buffers in CUDA memory of device gpu */
};

/* What one end tells the other (as bytes: both ends are assumed to be the
 * same architecture, as in an MPI job of one binary). */
struct anvil_rdma_endpoint {
	uint32_t qpn[ANVIL_RDMA_MAX_QPS], psn[ANVIL_RDMA_MAX_QPS];
	uint64_t vaddr;          /* its receive area: QP q's part at vaddr + q × slot */
	uint64_t slot;
	uint32_t rkey;
	uint16_t lid;
	uint8_t gid[16];
	int32_t gid_index;       /* -1: no GRH */
	int32_t link_layer, mtu_code, max_rd_atom, qps, verb;
	int32_t width, speed;
	uint32_t speed_ex;
	int32_t port;
	char device[ANVIL_RDMA_NAME_MAX];
};

/* Facts about the local end, for the record. */
struct anvil_rdma_facts {
	char device[ANVIL_RDMA_NAME_MAX];
	int port, link_layer, lid;
	int width, speed;
	uint32_t speed_ex;
	char fw_ver[64];
	int gid_index, gid_type;
	char gid[64];
	int mtu_bytes, inline_size, out_reads, qps, tx_depth, rx_depth;
	char memory[96];         /* "host", "CUDA device 0 (DMA-BUF)", … */
};

struct anvil_rdma;

/* Every port of every device (for available() and messages); *ports is
 * malloc'ed, the caller frees it. Returns 0, or -1 with why. */
int anvil_rdma_list_ports(struct anvil_rdma_port **ports, int *n, char *why, size_t len);

/* Opens the device, picks port and GID, makes PD, CQs, buffer, MR and QPs
 * (in state INIT). Returns 0, or -1 with why; on success *out is owned by
 * the caller (anvil_rdma_close). */
int anvil_rdma_open(const struct anvil_rdma_opts *o, struct anvil_rdma **out, char *why, size_t len);
void anvil_rdma_local(const struct anvil_rdma *r, struct anvil_rdma_endpoint *ep);
/* Checks the peer is compatible, then moves every QP INIT → RTR → RTS. */
int anvil_rdma_connect(struct anvil_rdma *r, const struct anvil_rdma_endpoint *peer,
		       char *why, size_t len);
void anvil_rdma_facts(const struct anvil_rdma *r, struct anvil_rdma_facts *f);
void anvil_rdma_close(struct anvil_rdma *r);

/* ---- the loops (kernels/rdma_post.c, rdma_bw.c, rdma_lat.c) ------------- */

/* How a loop learns about the peer while it waits: check() returns 0 when
 * nothing is known yet, 1 when the peer has finished (its messages posted
 * per QP in counts[]), -1 when the peer failed. Called only while a loop
 * makes no progress, with the deadline (CLOCK_MONOTONIC ns, 0: none). */
struct anvil_rdma_watch {
	int (*check)(void *arg, uint64_t *counts);
	void *arg;
	uint64_t deadline_ns;
};

struct anvil_rdma_run {
	size_t size;
	long iters;              /* per QP; ignored in duration mode */
	double duration_s;       /* > 0: perftest -D (bandwidth only) */
	int cq_mod;              /* one signaled completion per cq_mod posts */
	int peak;                /* stamp every post and completion for the peak */
};

uint64_t anvil_rdma_now_ns(void);

/* Before each run, on both ends: post receives where this end receives
 * (send tests), clear the byte the write latency loop polls. */
int anvil_rdma_prepare(struct anvil_rdma *r, const struct anvil_rdma_run *run, int receives,
		       char *why, size_t len);
/* The active end of a bandwidth test: write, read or send run->iters
 * messages on each QP (or for run->duration_s). sent[q] gets what QP q posted. */
int anvil_rdma_bw(struct anvil_rdma *r, const struct anvil_rdma_run *run, struct anvil_rdma_watch *w,
		  struct anvil_rdma_bw *res, uint64_t *sent, char *why, size_t len);
/* The receiving end of a send bandwidth test: until every message the
 * sender reports (iters per QP, or its counts in duration mode) has landed. */
int anvil_rdma_bw_recv(struct anvil_rdma *r, const struct anvil_rdma_run *run, struct anvil_rdma_watch *w,
		       char *why, size_t len);
/* A latency test: write and send ping-pong on both ends (initiator posts
 * first); read runs on the initiator only. Fills res from its own posts. */
int anvil_rdma_lat(struct anvil_rdma *r, const struct anvil_rdma_run *run, int initiator,
		   struct anvil_rdma_watch *w, struct anvil_rdma_lat *res, char *why, size_t len);

#endif
