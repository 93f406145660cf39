/* The state behind struct anvil_rdma and the helpers the kernels/rdma_*.c
 * files share: rdma_device.c and rdma_verbs.c build it, rdma_post.c,
 * rdma_bw.c and rdma_lat.c drive it. Private to them (and to the unit test
 * that plays the HCA). */
#ifndef ANVIL_RDMA_INTERNAL_H
#define ANVIL_RDMA_INTERNAL_H
#include <infiniband/verbs.h>
#include "kernels/rdma_verbs.h"
#include "kernels/rdma_gpu.h"

#define ANVIL_RDMA_CYCLE 4096        /* perftest's cycle_buffer: small messages walk a page */
#define ANVIL_RDMA_CACHE_LINE 64
#define ANVIL_RDMA_POLL_BATCH 16     /* perftest's CTX_POLL_BATCH */
#define ANVIL_RDMA_IDLE_CHECK 1024   /* empty polls between looks at the peer and the clock */

struct anvil_rdma {
	struct anvil_rdma_opts o;
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_cq *scq, *rcq;        /* rcq only for send tests */
	struct ibv_qp *qp[ANVIL_RDMA_MAX_QPS];
	struct ibv_mr *mr;
	struct ibv_port_attr pattr;
	struct ibv_device_attr dattr;
	char *buf;                       /* send areas, then receive areas: 2 × qps slots */
	size_t slot, buf_len;
	struct anvil_rdma_gpu_buf gpu;   /* when o.gpu_memory: buf is device memory */
	char memory[96];
	int port, gid_index, gid_type;
	union ibv_gid gid;
	int inline_size, out_reads;
	enum ibv_mtu mtu;
	uint32_t psn[ANVIL_RDMA_MAX_QPS];
	struct anvil_rdma_endpoint peer;
	long recv_out[ANVIL_RDMA_MAX_QPS];   /* receives posted and not yet completed */
	uint64_t *tposted, *tcompleted;  /* stamps of the current run; tcap entries each */
	size_t tcap;
};

/* Room for n stamps in tposted and tcompleted. */
int anvil_rdma_stamps(struct anvil_rdma *r, size_t n);
/* snprintf(why, len, fmt, what, strerror(err)); returns -1. */
int anvil_rdma_fail(char *why, size_t len, const char *fmt, const char *what, int err);
uint32_t anvil_rdma_speed_ex(const struct ibv_port_attr *a);

/* ---- kernels/rdma_device.c: the opening half of anvil_rdma_open ---------- */

/* Picks device and port as o.device/o.port ask, opens the device, queries it. */
int anvil_rdma_open_port(struct anvil_rdma *r, char *why, size_t len);
/* The GID index (perftest: RoCE always uses a GRH, InfiniBand only when asked). */
int anvil_rdma_choose_gid(struct anvil_rdma *r, char *why, size_t len);
/* Path MTU, inline size and reads in flight. */
int anvil_rdma_choose_limits(struct anvil_rdma *r, char *why, size_t len);

/* ---- kernels/rdma_post.c: what the loops share ---------------------------- */

/* Message k of QP q (read: into q's send area from the peer's receive area of q). */
int anvil_rdma_post(struct anvil_rdma *r, int q, size_t size, uint64_t k, int signaled);
int anvil_rdma_post_recv(struct anvil_rdma *r, int q);
/* Keeps min(rx_depth, remaining) receives posted on q (remaining < 0: unknown). */
int anvil_rdma_top_up(struct anvil_rdma *r, int q, long remaining);
/* A failed completion as a sentence in why; returns -1. total 0: unknown. */
int anvil_rdma_wc_error(const struct anvil_rdma *r, const struct ibv_wc *wc, const char *what,
			uint64_t done, uint64_t total, char *why, size_t len);
/* Called while a loop makes no progress: 1 = give up (why says why). */
int anvil_rdma_stalled(struct anvil_rdma_watch *w, uint64_t *peer_counts, int *peer_done,
		       const char *waiting, char *why, size_t len);

#endif
