/*
 * The latency loops, after perftest's run_iter_lat_write (write ping-pong),
 * run_iter_lat (read) and run_iter_lat_send (send ping-pong) in
 * perftest_resources.c; the statistics are kernels/rdma_stats.c's.
 */
#ifdef ANVIL_HAVE_IBVERBS
#include "kernels/rdma_internal.h"
#include <stdio.h>
#include <string.h>

/* perftest's run_iter_lat_write: each end writes a message whose last byte
 * is its count and spins on the last byte of its receive area for the
 * peer's; the initiator writes first. */
static int lat_write(struct anvil_rdma *r, const struct anvil_rdma_run *run, int initiator,
		     struct anvil_rdma_watch *w, char *why, size_t len)
{
	volatile uint8_t *post_b = (volatile uint8_t *)(r->buf + run->size - 1);
	volatile uint8_t *poll_b = (volatile uint8_t *)(r->buf + (size_t)r->o.qps * r->slot + run->size - 1);
	uint64_t iters = (uint64_t)run->iters, scnt = 0, ccnt = 0, rcnt = 0, peer[ANVIL_RDMA_MAX_QPS];
	struct ibv_wc wc;
	while (scnt < iters || ccnt < iters || rcnt < iters) {
		if (rcnt < iters && !(scnt < 1 && initiator)) {
			rcnt++;
			for (unsigned spin = 1; *poll_b != (uint8_t)rcnt; spin++)
				if (spin % (ANVIL_RDMA_IDLE_CHECK * 16) == 0 && anvil_rdma_stalled(w, peer, NULL, "the peer's write", why, len))
					return -1;
		}
		if (scnt < iters) {
			r->tposted[scnt] = anvil_rdma_now_ns();
			*post_b = (uint8_t)++scnt;
			int rc = anvil_rdma_post(r, 0, run->size, 0, 1);
			if (rc) {
				snprintf(why, len, "ibv_post_send on %s failed: %s", r->o.device, strerror(rc));
				return -1;
			}
		}
		if (ccnt < iters) {
			int ne;
			unsigned spin = 0;
			while ((ne = ibv_poll_cq(r->scq, 1, &wc)) == 0)
				if (++spin % ANVIL_RDMA_IDLE_CHECK == 0 && anvil_rdma_stalled(w, peer, NULL, "a write completion", why, len))
					return -1;
			if (ne < 0 || wc.status != IBV_WC_SUCCESS)
				return ne < 0 ? (snprintf(why, len, "ibv_poll_cq on %s failed", r->o.device), -1)
					      : anvil_rdma_wc_error(r, &wc, "write", ccnt, iters, why, len);
			ccnt++;
		}
	}
	return 0;
}

/* perftest's run_iter_lat for read: post one read, wait for it, again. */
static int lat_read(struct anvil_rdma *r, const struct anvil_rdma_run *run, struct anvil_rdma_watch *w,
		    char *why, size_t len)
{
	uint64_t peer[ANVIL_RDMA_MAX_QPS];
	struct ibv_wc wc;
	for (long i = 0; i < run->iters; i++) {
		r->tposted[i] = anvil_rdma_now_ns();
		int rc = anvil_rdma_post(r, 0, run->size, 0, 1), ne;
		if (rc) {
			snprintf(why, len, "ibv_post_send (read) on %s failed: %s", r->o.device, strerror(rc));
			return -1;
		}
		unsigned spin = 0;
		while ((ne = ibv_poll_cq(r->scq, 1, &wc)) == 0)
			if (++spin % ANVIL_RDMA_IDLE_CHECK == 0 && anvil_rdma_stalled(w, peer, NULL, "a read completion", why, len))
				return -1;
		if (ne < 0)
			return snprintf(why, len, "ibv_poll_cq on %s failed", r->o.device), -1;
		if (wc.status != IBV_WC_SUCCESS)
			return anvil_rdma_wc_error(r, &wc, "read", (uint64_t)i, (uint64_t)run->iters, why, len);
	}
	return 0;
}

/* perftest's run_iter_lat_send: wait for the peer's message (the initiator
 * sends first), repost a receive, send one back and wait for its completion. */
static int lat_send(struct anvil_rdma *r, const struct anvil_rdma_run *run, int initiator,
		    struct anvil_rdma_watch *w, char *why, size_t len)
{
	uint64_t iters = (uint64_t)run->iters, scnt = 0, rcnt = 0, peer[ANVIL_RDMA_MAX_QPS];
	struct ibv_wc wc;
	int ne;
	while (scnt < iters || rcnt < iters) {
		if (rcnt < iters && !(scnt < 1 && initiator)) {
			unsigned spin = 0;
			while ((ne = ibv_poll_cq(r->rcq, 1, &wc)) == 0)
				if (++spin % ANVIL_RDMA_IDLE_CHECK == 0 && anvil_rdma_stalled(w, peer, NULL, "the peer's message", why, len))
					return -1;
			if (ne < 0)
				return snprintf(why, len, "ibv_poll_cq (receive) on %s failed", r->o.device), -1;
			if (wc.status != IBV_WC_SUCCESS)
				return anvil_rdma_wc_error(r, &wc, "receive", rcnt, iters, why, len);
			rcnt++;
			r->recv_out[0]--;
			if (anvil_rdma_top_up(r, 0, (long)(iters - rcnt)))
				return snprintf(why, len, "ibv_post_recv on %s failed", r->o.device), -1;
		}
		if (scnt < iters) {
			r->tposted[scnt++] = anvil_rdma_now_ns();
			int rc = anvil_rdma_post(r, 0, run->size, 0, 1);
			if (rc)
				return snprintf(why, len, "ibv_post_send on %s failed: %s", r->o.device, strerror(rc)), -1;
			unsigned spin = 0;
			while ((ne = ibv_poll_cq(r->scq, 1, &wc)) == 0)
				if (++spin % ANVIL_RDMA_IDLE_CHECK == 0 && anvil_rdma_stalled(w, peer, NULL, "a send completion", why, len))
					return -1;
			if (ne < 0)
				return snprintf(why, len, "ibv_poll_cq on %s failed", r->o.device), -1;
			if (wc.status != IBV_WC_SUCCESS)
				return anvil_rdma_wc_error(r, &wc, "send", scnt, iters, why, len);
		}
	}
	return 0;
}

int anvil_rdma_lat(struct anvil_rdma *r, const struct anvil_rdma_run *run, int initiator,
		   struct anvil_rdma_watch *w, struct anvil_rdma_lat *res, char *why, size_t len)
{
	int rc;
	if (run->iters < 5) {
		snprintf(why, len, "iters %ld: latency needs at least 5 (perftest's minimum)", run->iters);
		return -1;
	}
	if (anvil_rdma_stamps(r, (size_t)run->iters)) {
		snprintf(why, len, "cannot allocate %ld time stamps", run->iters);
		return -1;
	}
	if (r->o.verb == ANVIL_RDMA_WRITE) {
		if (r->o.gpu_memory) {
			snprintf(why, len, "write latency polls the receive buffer with the CPU, which cannot read GPU memory (perftest refuses it too)");
			return -1;
		}
		rc = lat_write(r, run, initiator, w, why, len);
	} else if (r->o.verb == ANVIL_RDMA_SEND) {
		rc = lat_send(r, run, initiator, w, why, len);
	} else {
		rc = lat_read(r, run, w, why, len);
	}
	if (rc)
		return -1;
	int rtt = r->o.verb == ANVIL_RDMA_READ ? 1 : 2;
	if (anvil_rdma_lat_stats(r->tposted, run->iters, rtt, r->tcompleted, res)) {
		snprintf(why, len, "no latency statistics from %ld iterations", run->iters);
		return -1;
	}
	return 0;
}

#endif /* ANVIL_HAVE_IBVERBS */
