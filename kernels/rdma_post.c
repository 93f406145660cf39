/*
 * What the RDMA loops share (kernels/rdma_bw.c, kernels/rdma_lat.c): posting
 * one message or one receive the way perftest lays them out in the buffer,
 * completion errors as sentences, and the look at the peer and the clock
 * that lets every wait end (struct anvil_rdma_watch).
 */
#ifdef ANVIL_HAVE_IBVERBS
#include "kernels/rdma_internal.h"
#include <stdio.h>
#include <string.h>

/* perftest's INC(): small messages step by at least a cache line. */
static size_t step_of(size_t size)
{
	size_t line = ANVIL_RDMA_CACHE_LINE;
	return size > line ? (size + line - 1) / line * line : line;
}

/* perftest's increase_loc_addr()/increase_rem_addr(): message k of a size up
 * to half a page lands at k × step, wrapping within the page. */
static size_t cycle_offset(uint64_t k, size_t size)
{
	if (size > ANVIL_RDMA_CYCLE / 2)
		return 0;
	size_t step = step_of(size);
	return (size_t)(k % (ANVIL_RDMA_CYCLE / step)) * step;
}

static enum ibv_wr_opcode opcode_of(const struct anvil_rdma *r)
{
	return r->o.verb == ANVIL_RDMA_WRITE ? IBV_WR_RDMA_WRITE :
	       r->o.verb == ANVIL_RDMA_READ ? IBV_WR_RDMA_READ : IBV_WR_SEND;
}

/* Message k of QP q: from (read: into) q's send area, to (from) the peer's
 * receive area of q. */
int anvil_rdma_post(struct anvil_rdma *r, int q, size_t size, uint64_t k, int signaled)
{
	size_t off = cycle_offset(k, size);
	struct ibv_sge sge = {
		.addr = (uint64_t)(uintptr_t)(r->buf + (size_t)q * r->slot + off),
		.length = (uint32_t)size,
		.lkey = r->mr->lkey,
	};
	struct ibv_send_wr wr, *bad = NULL;
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = (uint64_t)q;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = opcode_of(r);
	wr.send_flags = signaled ? IBV_SEND_SIGNALED : 0;
	if (r->o.verb != ANVIL_RDMA_READ && (int)size <= r->inline_size)
		wr.send_flags |= IBV_SEND_INLINE;
	if (r->o.verb != ANVIL_RDMA_SEND) {
		wr.wr.rdma.remote_addr = r->peer.vaddr + (uint64_t)q * r->peer.slot + off;
		wr.wr.rdma.rkey = r->peer.rkey;
	}
	return ibv_post_send(r->qp[q], &wr, &bad);
}

/* Receives land at the start of q's receive area, as long as any message. */
int anvil_rdma_post_recv(struct anvil_rdma *r, int q)
{
	struct ibv_sge sge = {
		.addr = (uint64_t)(uintptr_t)(r->buf + ((size_t)r->o.qps + (size_t)q) * r->slot),
		.length = (uint32_t)r->slot,
		.lkey = r->mr->lkey,
	};
	struct ibv_recv_wr wr, *bad = NULL;
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = (uint64_t)q;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	int rc = ibv_post_recv(r->qp[q], &wr, &bad);
	if (!rc)
		r->recv_out[q]++;
	return rc;
}

/* Keeps min(rx_depth, remaining) receives posted on q (remaining < 0: unknown). */
int anvil_rdma_top_up(struct anvil_rdma *r, int q, long remaining)
{
	long want = remaining >= 0 && remaining < r->o.rx_depth ? remaining : r->o.rx_depth;
	while (r->recv_out[q] < want)
		if (anvil_rdma_post_recv(r, q))
			return -1;
	return 0;
}

int anvil_rdma_wc_error(const struct anvil_rdma *r, const struct ibv_wc *wc, const char *what,
			uint64_t done, uint64_t total, char *why, size_t len)
{
	char of[32] = "";
	if (total)
		snprintf(of, sizeof(of), " of %llu", (unsigned long long)total);
	snprintf(why, len, "%s completion error on %s QP %d: %s (vendor error 0x%x) after %llu%s messages",
		 what, r->o.device, (int)wc->wr_id, ibv_wc_status_str(wc->status), wc->vendor_err,
		 (unsigned long long)done, of);
	return -1;
}

int anvil_rdma_stalled(struct anvil_rdma_watch *w, uint64_t *peer_counts, int *peer_done,
		       const char *waiting, char *why, size_t len)
{
	if (w && w->check) {
		int c = w->check(w->arg, peer_counts);
		if (c < 0) {
			snprintf(why, len, "the peer failed while this end waited for %s", waiting);
			return 1;
		}
		if (c > 0 && peer_done)
			*peer_done = 1;
	}
	if (w && w->deadline_ns && anvil_rdma_now_ns() > w->deadline_ns) {
		snprintf(why, len, "timed out waiting for %s", waiting);
		return 1;
	}
	return 0;
}

int anvil_rdma_prepare(struct anvil_rdma *r, const struct anvil_rdma_run *run, int receives,
		       char *why, size_t len)
{
	if (r->o.verb == ANVIL_RDMA_SEND && receives) {
		long per_qp = run->duration_s > 0 ? -1 : run->iters;
		for (int q = 0; q < r->o.qps; q++)
			if (anvil_rdma_top_up(r, q, per_qp)) {
				snprintf(why, len, "ibv_post_recv on %s QP %d failed", r->o.device, q);
				return -1;
			}
	}
	if (r->o.verb == ANVIL_RDMA_WRITE && r->o.latency && !r->o.gpu_memory && run->size) {
		/* the byte the write latency loop polls, and the one it sends */
		r->buf[(size_t)r->o.qps * r->slot + run->size - 1] = 0;
		r->buf[run->size - 1] = 0;
	}
	return 0;
}

#endif /* ANVIL_HAVE_IBVERBS */
