/* The state behind struct anvil_rdma, shared by kernels/rdma_verbs.c (which
 * builds it) and kernels/rdma_engine.c (which drives it); private to them. */
#ifndef ANVIL_RDMA_INTERNAL_H
#define ANVIL_RDMA_INTERNAL_H
#include <infiniband/verbs.h>
#include "kernels/rdma_verbs.h"
#include "kernels/rdma_gpu.h"

#define ANVIL_RDMA_CYCLE 4096        /* perftest's cycle_buffer: small messages walk a page */
#define ANVIL_RDMA_CACHE_LINE 64

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

#endif
