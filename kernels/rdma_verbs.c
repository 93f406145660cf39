/*
 * RDMA resources over libibverbs, in perftest's order (ctx_init,
 * ctx_qp_create, ctx_modify_qp_to_init, set_up_connection, ctx_connect):
 * with device, port and GID chosen (kernels/rdma_device.c), the PD, CQs,
 * buffer and MR, RC QPs in INIT; then, with the peer's endpoint, RTR and
 * RTS. See kernels/rdma_verbs.h.
 */
#ifdef ANVIL_HAVE_IBVERBS
#include "kernels/rdma_internal.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIN_RNR_TIMER 12      /* perftest's */

static int make_buffer(struct anvil_rdma *r, char *why, size_t len)
{
	size_t need = r->o.max_size > ANVIL_RDMA_CYCLE ? r->o.max_size : ANVIL_RDMA_CYCLE;
	r->slot = (need + ANVIL_RDMA_CACHE_LINE - 1) / ANVIL_RDMA_CACHE_LINE * ANVIL_RDMA_CACHE_LINE;
	r->buf_len = 2 * (size_t)r->o.qps * r->slot;
	int access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_RELAXED_ORDERING;
	if (r->o.verb == ANVIL_RDMA_WRITE)
		access |= IBV_ACCESS_REMOTE_WRITE;
	else if (r->o.verb == ANVIL_RDMA_READ)
		access |= IBV_ACCESS_REMOTE_READ;
	if (r->o.gpu_memory) {
		if (anvil_rdma_gpu_alloc(r->o.gpu, r->buf_len, &r->gpu, why, len))
			return -1;
		r->buf = r->gpu.ptr;
		const char *how = "peer memory (nvidia-peermem)";
#ifdef ANVIL_HAVE_IBV_DMABUF
		if (r->gpu.dmabuf_fd >= 0) {
			r->mr = ibv_reg_dmabuf_mr(r->pd, r->gpu.dmabuf_offset, r->buf_len, (uint64_t)(uintptr_t)r->buf,
						  r->gpu.dmabuf_fd, access);
			if (r->mr)
				how = "DMA-BUF";
			else
				snprintf(r->gpu.dmabuf_why, sizeof(r->gpu.dmabuf_why), "ibv_reg_dmabuf_mr failed: %s",
					 strerror(errno));
		}
#else
		snprintf(r->gpu.dmabuf_why, sizeof(r->gpu.dmabuf_why), "this libibverbs has no ibv_reg_dmabuf_mr");
#endif
		if (!r->mr)
			r->mr = ibv_reg_mr(r->pd, r->buf, r->buf_len, access);
		if (!r->mr) {
			snprintf(why, len, "cannot register %zu bytes of CUDA memory with %s: %s (DMA-BUF: %s; peer memory needs the nvidia-peermem module)",
				 r->buf_len, r->o.device, strerror(errno), r->gpu.dmabuf_why[0] ? r->gpu.dmabuf_why : "refused");
			return -1;
		}
		snprintf(r->memory, sizeof(r->memory), "CUDA device %d, registered by %s", r->o.gpu, how);
		return 0;
	}
	long page = sysconf(_SC_PAGESIZE);
	void *p = NULL;
	if (posix_memalign(&p, (size_t)(page > 0 ? page : 4096), r->buf_len))
		return anvil_rdma_fail(why, len, "cannot allocate the %s buffer: %s", "RDMA", ENOMEM);
	r->buf = p;
	memset(r->buf, 0, r->buf_len);
	r->mr = ibv_reg_mr(r->pd, r->buf, r->buf_len, access);
	if (!r->mr)
		return anvil_rdma_fail(why, len, "ibv_reg_mr on %s failed: %s (is the locked-memory limit, ulimit -l, large enough?)",
			    r->o.device, errno);
	snprintf(r->memory, sizeof(r->memory), "host");
	return 0;
}

static int qp_init(struct anvil_rdma *r, struct ibv_qp *qp, char *why, size_t len)
{
	struct ibv_qp_attr a;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_INIT;
	a.pkey_index = 0;
	a.port_num = (uint8_t)r->port;
	a.qp_access_flags = r->o.verb == ANVIL_RDMA_WRITE ? IBV_ACCESS_REMOTE_WRITE :
			    r->o.verb == ANVIL_RDMA_READ ? IBV_ACCESS_REMOTE_READ :
			    IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_LOCAL_WRITE;
	int rc = ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS);
	return rc ? anvil_rdma_fail(why, len, "ibv_modify_qp to INIT on %s failed: %s", r->o.device, rc) : 0;
}

static struct ibv_qp *qp_create(struct anvil_rdma *r, int inline_size)
{
	struct ibv_qp_init_attr a;
	memset(&a, 0, sizeof(a));
	a.send_cq = r->scq;
	a.recv_cq = r->rcq ? r->rcq : r->scq;
	a.qp_type = IBV_QPT_RC;
	a.cap.max_send_wr = (uint32_t)r->o.tx_depth;
	a.cap.max_recv_wr = (uint32_t)r->o.rx_depth;
	a.cap.max_send_sge = 1;
	a.cap.max_recv_sge = 1;
	a.cap.max_inline_data = (uint32_t)inline_size;
	return ibv_create_qp(r->pd, &a);
}

static int make_qps(struct anvil_rdma *r, char *why, size_t len)
{
	unsigned seed = (unsigned)(anvil_rdma_now_ns() ^ ((uint64_t)getpid() << 16));
	for (int q = 0; q < r->o.qps; q++) {
		r->qp[q] = qp_create(r, r->inline_size);
		if (!r->qp[q] && r->inline_size > 0 && r->o.inline_size < 0) {
			r->inline_size = 0;   /* perftest's default is too much for this device */
			r->qp[q] = qp_create(r, 0);
		}
		if (!r->qp[q])
			return anvil_rdma_fail(why, len, "ibv_create_qp (RC) on %s failed: %s", r->o.device, errno);
		if (qp_init(r, r->qp[q], why, len))
			return -1;
		r->psn[q] = (uint32_t)rand_r(&seed) & 0xffffff;
	}
	return 0;
}

int anvil_rdma_open(const struct anvil_rdma_opts *o, struct anvil_rdma **out, char *why, size_t len)
{
	struct anvil_rdma *r = calloc(1, sizeof(*r));
	*out = NULL;
	if (!r)
		return anvil_rdma_fail(why, len, "%s: %s", "RDMA state", ENOMEM);
	r->o = *o;
	r->gpu.dmabuf_fd = -1;
	if (r->o.qps < 1 || r->o.qps > ANVIL_RDMA_MAX_QPS || r->o.tx_depth < 1 || r->o.rx_depth < 1) {
		snprintf(why, len, "qps %d, tx_depth %d, rx_depth %d: need 1..%d QPs and depths of at least 1",
			 r->o.qps, r->o.tx_depth, r->o.rx_depth, ANVIL_RDMA_MAX_QPS);
		goto err;
	}
	if (anvil_rdma_open_port(r, why, len) || anvil_rdma_choose_gid(r, why, len) || anvil_rdma_choose_limits(r, why, len))
		goto err;
	if (!(r->pd = ibv_alloc_pd(r->ctx))) {
		anvil_rdma_fail(why, len, "ibv_alloc_pd on %s failed: %s", r->o.device, errno);
		goto err;
	}
	r->scq = ibv_create_cq(r->ctx, r->o.tx_depth * r->o.qps, NULL, NULL, 0);
	if (r->scq && r->o.verb == ANVIL_RDMA_SEND)
		r->rcq = ibv_create_cq(r->ctx, r->o.rx_depth * r->o.qps, NULL, NULL, 0);
	if (!r->scq || (r->o.verb == ANVIL_RDMA_SEND && !r->rcq)) {
		anvil_rdma_fail(why, len, "ibv_create_cq on %s failed: %s", r->o.device, errno);
		goto err;
	}
	if (make_buffer(r, why, len) || make_qps(r, why, len))
		goto err;
	*out = r;
	return 0;
err:
	anvil_rdma_close(r);
	return -1;
}

void anvil_rdma_close(struct anvil_rdma *r)
{
	if (!r)
		return;
	for (int q = 0; q < ANVIL_RDMA_MAX_QPS; q++)
		if (r->qp[q])
			ibv_destroy_qp(r->qp[q]);
	if (r->mr)
		ibv_dereg_mr(r->mr);
	if (r->o.gpu_memory)
		anvil_rdma_gpu_free(&r->gpu);
	else
		free(r->buf);
	if (r->rcq)
		ibv_destroy_cq(r->rcq);
	if (r->scq)
		ibv_destroy_cq(r->scq);
	if (r->pd)
		ibv_dealloc_pd(r->pd);
	if (r->ctx)
		ibv_close_device(r->ctx);
	free(r->tposted);
	free(r->tcompleted);
	free(r);
}

/* ---- the exchange and the connection ------------------------------------------ */

void anvil_rdma_local(const struct anvil_rdma *r, struct anvil_rdma_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	for (int q = 0; q < r->o.qps; q++) {
		ep->qpn[q] = r->qp[q]->qp_num;
		ep->psn[q] = r->psn[q];
	}
	ep->vaddr = (uint64_t)(uintptr_t)(r->buf + (size_t)r->o.qps * r->slot);
	ep->slot = r->slot;
	ep->rkey = r->mr->rkey;
	ep->lid = r->pattr.lid;
	memcpy(ep->gid, r->gid.raw, 16);
	ep->gid_index = r->gid_index;
	ep->link_layer = r->pattr.link_layer;
	ep->mtu_code = r->mtu;
	ep->max_rd_atom = r->out_reads;
	ep->qps = r->o.qps;
	ep->verb = r->o.verb;
	ep->width = r->pattr.active_width;
	ep->speed = r->pattr.active_speed;
	ep->speed_ex = anvil_rdma_speed_ex(&r->pattr);
	ep->port = r->port;
	snprintf(ep->device, sizeof(ep->device), "%s", r->o.device);
}

static int check_peer(const struct anvil_rdma *r, const struct anvil_rdma_endpoint *p, char *why, size_t len)
{
	if (p->qps != r->o.qps || p->verb != (int)r->o.verb) {
		snprintf(why, len, "the peer runs %d QP(s) of verb %d, this end %d of verb %d", p->qps, p->verb,
			 r->o.qps, (int)r->o.verb);
		return -1;
	}
	if (p->link_layer != r->pattr.link_layer) {
		snprintf(why, len, "link layers differ: %s:%d is %s, the peer's %s:%d is %s", r->o.device, r->port,
			 anvil_rdma_link_layer_name(r->pattr.link_layer), p->device, p->port,
			 anvil_rdma_link_layer_name(p->link_layer));
		return -1;
	}
	if ((p->gid_index >= 0) != (r->gid_index >= 0)) {
		snprintf(why, len, "one end routes by GID and the other by LID: give gid_index on both or neither");
		return -1;
	}
	/* perftest's ctx_check_gid_compatibility(): both IPv4-mapped or both not */
	if (r->gid_index >= 0 && anvil_rdma_gid_is_ipv4(p->gid) != anvil_rdma_gid_is_ipv4(r->gid.raw)) {
		snprintf(why, len, "GID types differ (one IPv4-mapped, one IPv6): choose gid_index on both ends");
		return -1;
	}
	return 0;
}

static int qp_rtr_rts(struct anvil_rdma *r, int q, const struct anvil_rdma_endpoint *p, enum ibv_mtu mtu,
		      int reads, char *why, size_t len)
{
	struct ibv_qp_attr a;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = mtu;
	a.dest_qp_num = p->qpn[q];
	a.rq_psn = p->psn[q];
	a.max_dest_rd_atomic = (uint8_t)reads;
	a.min_rnr_timer = MIN_RNR_TIMER;
	a.ah_attr.dlid = p->lid;
	a.ah_attr.sl = (uint8_t)r->o.sl;
	a.ah_attr.src_path_bits = 0;
	a.ah_attr.port_num = (uint8_t)r->port;
	if (r->gid_index >= 0) {
		a.ah_attr.is_global = 1;
		memcpy(a.ah_attr.grh.dgid.raw, p->gid, 16);
		a.ah_attr.grh.sgid_index = (uint8_t)r->gid_index;
		a.ah_attr.grh.hop_limit = 0xFF;
		a.ah_attr.grh.traffic_class = (uint8_t)r->o.traffic_class;
	}
	int rc = ibv_modify_qp(r->qp[q], &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
			       IBV_QP_RQ_PSN | IBV_QP_MIN_RNR_TIMER | IBV_QP_MAX_DEST_RD_ATOMIC);
	if (rc)
		return anvil_rdma_fail(why, len, "ibv_modify_qp to RTR on %s failed: %s", r->o.device, rc);
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	a.sq_psn = r->psn[q];
	a.timeout = (uint8_t)r->o.qp_timeout;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = (uint8_t)reads;
	rc = ibv_modify_qp(r->qp[q], &a, IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
			   IBV_QP_RNR_RETRY | IBV_QP_MAX_QP_RD_ATOMIC);
	return rc ? anvil_rdma_fail(why, len, "ibv_modify_qp to RTS on %s failed: %s", r->o.device, rc) : 0;
}

int anvil_rdma_connect(struct anvil_rdma *r, const struct anvil_rdma_endpoint *peer, char *why, size_t len)
{
	if (check_peer(r, peer, why, len))
		return -1;
	enum ibv_mtu mtu = peer->mtu_code < (int)r->mtu ? (enum ibv_mtu)peer->mtu_code : r->mtu;
	/* as perftest, reads in flight are capped by what the peer can take */
	int reads = peer->max_rd_atom < r->out_reads ? peer->max_rd_atom : r->out_reads;
	r->mtu = mtu;
	r->out_reads = reads > 0 ? reads : 1;
	for (int q = 0; q < r->o.qps; q++)
		if (qp_rtr_rts(r, q, peer, mtu, r->out_reads, why, len))
			return -1;
	r->peer = *peer;
	return 0;
}

void anvil_rdma_facts(const struct anvil_rdma *r, struct anvil_rdma_facts *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->device, sizeof(f->device), "%s", r->o.device);
	snprintf(f->fw_ver, sizeof(f->fw_ver), "%s", r->dattr.fw_ver);
	f->port = r->port;
	f->link_layer = r->pattr.link_layer;
	f->lid = r->pattr.lid;
	f->width = r->pattr.active_width;
	f->speed = r->pattr.active_speed;
	f->speed_ex = anvil_rdma_speed_ex(&r->pattr);
	f->gid_index = r->gid_index;
	f->gid_type = r->gid_type;
	anvil_rdma_gid_format(r->gid.raw, f->gid, sizeof(f->gid));
	f->mtu_bytes = 128 << r->mtu;   /* IBV_MTU_256 = 1 … IBV_MTU_4096 = 5 */
	f->inline_size = r->inline_size;
	f->out_reads = r->out_reads;
	f->qps = r->o.qps;
	f->tx_depth = r->o.tx_depth;
	f->rx_depth = r->o.rx_depth;
	snprintf(f->memory, sizeof(f->memory), "%s", r->memory);
}

int anvil_rdma_stamps(struct anvil_rdma *r, size_t n)
{
	if (n <= r->tcap)
		return 0;
	uint64_t *a = realloc(r->tposted, n * sizeof(*a));
	if (a)
		r->tposted = a;
	uint64_t *b = a ? realloc(r->tcompleted, n * sizeof(*b)) : NULL;
	if (b)
		r->tcompleted = b;
	if (!a || !b)
		return -1;
	r->tcap = n;
	return 0;
}

uint64_t anvil_rdma_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif /* ANVIL_HAVE_IBVERBS */
