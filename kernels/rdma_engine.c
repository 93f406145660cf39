/*
 * The bandwidth and latency loops, after perftest's run_iter_bw,
 * run_iter_bw_server, run_iter_lat_write, run_iter_lat (read) and
 * run_iter_lat_send (perftest_resources.c). Every wait has a way out: a loop
 * that makes no progress asks the caller about the peer (struct
 * anvil_rdma_watch) and checks its deadline, so a dead link or a failed peer
 * ends the run with a reason instead of a hang.
 */
#ifdef ANVIL_HAVE_IBVERBS
#include "kernels/rdma_internal.h"
#include <stdio.h>
#include <string.h>

#define POLL_BATCH 16      /* perftest's CTX_POLL_BATCH */
#define IDLE_CHECK 1024    /* empty polls between looks at the peer and the clock */

/* perftest's INC(): small messages step by at least a cache line. */
static size_t step_of(size_t size)
{
	return size > ANVIL_RDMA_CACHE_LINE ? (size + ANVIL_RDMA_CACHE_LINE - 1) / ANVIL_RDMA_CACHE_LINE * ANVIL_RDMA_CACHE_LINE
					    : ANVIL_RDMA_CACHE_LINE;
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
static int post_one(struct anvil_rdma *r, int q, size_t size, uint64_t k, int signaled)
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
static int post_recv(struct anvil_rdma *r, int q)
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
static int top_up(struct anvil_rdma *r, int q, long remaining)
{
	long want = remaining >= 0 && remaining < r->o.rx_depth ? remaining : r->o.rx_depth;
	while (r->recv_out[q] < want)
		if (post_recv(r, q))
			return -1;
	return 0;
}

static int wc_error(const struct anvil_rdma *r, const struct ibv_wc *wc, const char *what, uint64_t done,
		    uint64_t total, char *why, size_t len)
{
	char of[32] = "";
	if (total)
		snprintf(of, sizeof(of), " of %llu", (unsigned long long)total);
	snprintf(why, len, "%s completion error on %s QP %d: %s (vendor error 0x%x) after %llu%s messages",
		 what, r->o.device, (int)wc->wr_id, ibv_wc_status_str(wc->status), wc->vendor_err,
		 (unsigned long long)done, of);
	return -1;
}

/* Called while a loop makes no progress: 1 = give up (why says why). */
static int stalled(struct anvil_rdma_watch *w, uint64_t *peer_counts, int *peer_done, const char *waiting,
		   char *why, size_t len)
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
			if (top_up(r, q, per_qp)) {
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

/* ---- bandwidth, active end ---------------------------------------------------------- */

struct bw_state {
	uint64_t scnt[ANVIL_RDMA_MAX_QPS], ccnt[ANVIL_RDMA_MAX_QPS];
	uint64_t totscnt, totccnt;
};

/* perftest's run_iter_bw for a fixed count: post while the send queue has
 * room, signal every cq_mod-th post and the last, one completion stands for
 * the cq_mod posts before it (fewer for the last: fill_count). */
static int bw_iters(struct anvil_rdma *r, const struct anvil_rdma_run *run, struct anvil_rdma_watch *w,
		    struct anvil_rdma_bw *res, char *why, size_t len)
{
	struct bw_state s;
	struct ibv_wc wc[POLL_BATCH];
	int nq = r->o.qps, cq_mod = run->cq_mod;
	uint64_t iters = (uint64_t)run->iters, tot = iters * (uint64_t)nq, peer[ANVIL_RDMA_MAX_QPS];
	unsigned idle = 0;
	memset(&s, 0, sizeof(s));
	if (anvil_rdma_stamps(r, tot)) {
		snprintf(why, len, "cannot allocate %llu time stamps", (unsigned long long)tot);
		return -1;
	}
	uint64_t *tp = r->tposted, *tc = r->tcompleted;
	memset(tc, 0, tot * sizeof(*tc));
	uint64_t t_first = anvil_rdma_now_ns();
	while (s.totscnt < tot || s.totccnt < tot) {
		for (int q = 0; q < nq; q++) {
			while (s.scnt[q] < iters && s.scnt[q] + 1 <= (uint64_t)r->o.tx_depth + s.ccnt[q]) {
				uint64_t k = s.scnt[q];
				int sig = k % (uint64_t)cq_mod == (uint64_t)cq_mod - 1 || k == iters - 1;
				if (run->peak)
					tp[s.totscnt] = anvil_rdma_now_ns();
				int rc = post_one(r, q, run->size, k, sig);
				if (rc) {
					snprintf(why, len, "ibv_post_send on %s QP %d failed: %s", r->o.device, q, strerror(rc));
					return -1;
				}
				s.scnt[q]++;
				s.totscnt++;
			}
		}
		if (s.totccnt >= tot)
			continue;
		int ne = ibv_poll_cq(r->scq, POLL_BATCH, wc);
		if (ne < 0) {
			snprintf(why, len, "ibv_poll_cq on %s failed", r->o.device);
			return -1;
		}
		for (int i = 0; i < ne; i++) {
			if (wc[i].status != IBV_WC_SUCCESS)
				return wc_error(r, &wc[i], "send", s.totccnt, tot, why, len);
			int q = (int)wc[i].wr_id;
			uint64_t fill = iters - s.ccnt[q] < (uint64_t)cq_mod ? iters - s.ccnt[q] : (uint64_t)cq_mod;
			s.ccnt[q] += fill;
			s.totccnt += fill;
			if (run->peak)
				tc[s.totccnt - 1] = anvil_rdma_now_ns();
		}
		idle = ne ? 0 : idle + 1;
		if (idle && idle % IDLE_CHECK == 0 && stalled(w, peer, NULL, "send completions", why, len))
			return -1;
	}
	if (!run->peak) {   /* perftest -N: the first post and the last completion only */
		tp[0] = t_first;
		tc[tot - 1] = anvil_rdma_now_ns();
	}
	if (anvil_rdma_bw_stats(tp, tc, tot, run->size, cq_mod, run->peak, res)) {
		snprintf(why, len, "no usable time stamps (clock did not advance)");
		return -1;
	}
	return 0;
}

/* perftest -D: a warm-up margin of a quarter of the duration, a sample
 * window in which completions are counted, the same margin after it; then
 * (unlike perftest, which abandons them) each QP ends on a signaled post and
 * is drained, so the QPs are clean for the next size. */
static int bw_duration(struct anvil_rdma *r, const struct anvil_rdma_run *run, struct anvil_rdma_watch *w,
		       struct anvil_rdma_bw *res, uint64_t *sent, char *why, size_t len)
{
	struct bw_state s;
	struct ibv_wc wc[POLL_BATCH];
	int nq = r->o.qps;
	uint64_t cq_mod = (uint64_t)run->cq_mod, peer[ANVIL_RDMA_MAX_QPS], counted = 0;
	uint64_t t0 = anvil_rdma_now_ns(), d = (uint64_t)(run->duration_s * 1e9), margin = d / 4;
	uint64_t w_start = 0, w_end = 0;
	int state = 0;   /* 0 warm-up, 1 sample, 2 after, 3 draining */
	unsigned idle = 0;
	memset(&s, 0, sizeof(s));
	for (;;) {
		uint64_t now = anvil_rdma_now_ns();
		if (state == 0 && now >= t0 + margin) {
			state = 1;
			w_start = now;
		}
		if (state == 1 && now >= t0 + d - margin) {
			state = 2;
			w_end = now;
		}
		if (state == 2 && now >= t0 + d)
			state = 3;
		int clean = 1;
		for (int q = 0; q < nq; q++) {
			while (s.scnt[q] + 1 <= (uint64_t)r->o.tx_depth + s.ccnt[q] &&
			       (state < 3 || s.scnt[q] % cq_mod)) {
				uint64_t k = s.scnt[q];
				int rc = post_one(r, q, run->size, k, k % cq_mod == cq_mod - 1);
				if (rc) {
					snprintf(why, len, "ibv_post_send on %s QP %d failed: %s", r->o.device, q, strerror(rc));
					return -1;
				}
				s.scnt[q]++;
			}
			clean &= s.scnt[q] % cq_mod == 0 && s.ccnt[q] == s.scnt[q];
		}
		if (state == 3 && clean)
			break;
		int ne = ibv_poll_cq(r->scq, POLL_BATCH, wc);
		if (ne < 0) {
			snprintf(why, len, "ibv_poll_cq on %s failed", r->o.device);
			return -1;
		}
		for (int i = 0; i < ne; i++) {
			if (wc[i].status != IBV_WC_SUCCESS)
				return wc_error(r, &wc[i], "send", s.totccnt, 0, why, len);
			s.ccnt[wc[i].wr_id] += cq_mod;
			s.totccnt += cq_mod;
			if (state == 1)
				counted += cq_mod;
		}
		idle = ne ? 0 : idle + 1;
		if (idle && idle % IDLE_CHECK == 0 && stalled(w, peer, NULL, "send completions", why, len))
			return -1;
	}
	for (int q = 0; q < nq; q++)
		sent[q] = s.scnt[q];
	anvil_rdma_bw_window(counted, w_end - w_start, run->size, res);
	return 0;
}

int anvil_rdma_bw(struct anvil_rdma *r, const struct anvil_rdma_run *run, struct anvil_rdma_watch *w,
		  struct anvil_rdma_bw *res, uint64_t *sent, char *why, size_t len)
{
	if (run->cq_mod < 1 || run->cq_mod > r->o.tx_depth || (run->duration_s <= 0 && run->iters < 1)) {
		snprintf(why, len, "bad run: cq_mod %d (1..tx_depth %d), iters %ld", run->cq_mod, r->o.tx_depth, run->iters);
		return -1;
	}
	if (run->duration_s > 0)
		return bw_duration(r, run, w, res, sent, why, len);
	for (int q = 0; q < r->o.qps; q++)
		sent[q] = (uint64_t)run->iters;
	return bw_iters(r, run, w, res, why, len);
}

/* ---- bandwidth, receiving end of send ------------------------------------------------- */

/* perftest's run_iter_bw_server: take receive completions and post a new
 * receive for each while more messages are due, until the sender's count
 * (known up front in iterations mode, from its end message in duration mode). */
int anvil_rdma_bw_recv(struct anvil_rdma *r, const struct anvil_rdma_run *run, struct anvil_rdma_watch *w,
		       char *why, size_t len)
{
	int nq = r->o.qps, known = run->duration_s <= 0, peer_done = 0;
	uint64_t got[ANVIL_RDMA_MAX_QPS] = { 0 }, target[ANVIL_RDMA_MAX_QPS], peer[ANVIL_RDMA_MAX_QPS];
	struct ibv_wc wc[POLL_BATCH];
	unsigned idle = 0;
	for (int q = 0; q < nq; q++)
		target[q] = (uint64_t)run->iters;
	for (;;) {
		int done = known;
		for (int q = 0; q < nq && done; q++)
			done = got[q] >= target[q];
		if (done)
			return 0;
		int ne = ibv_poll_cq(r->rcq, POLL_BATCH, wc);
		if (ne < 0) {
			snprintf(why, len, "ibv_poll_cq (receive) on %s failed", r->o.device);
			return -1;
		}
		for (int i = 0; i < ne; i++) {
			int q = (int)wc[i].wr_id;
			if (wc[i].status != IBV_WC_SUCCESS)
				return wc_error(r, &wc[i], "receive", got[q], known ? target[q] : 0, why, len);
			r->recv_out[q]--;
			got[q]++;
			if (top_up(r, q, known ? (long)(target[q] - got[q]) : -1)) {
				snprintf(why, len, "ibv_post_recv on %s QP %d failed", r->o.device, q);
				return -1;
			}
		}
		idle = ne ? 0 : idle + 1;
		if (idle && idle % IDLE_CHECK == 0) {
			if (stalled(w, peer, &peer_done, "messages", why, len))
				return -1;
			if (peer_done && !known) {   /* the sender's final counts */
				known = 1;
				for (int q = 0; q < nq; q++)
					target[q] = peer[q];
			}
		}
	}
}

/* ---- latency --------------------------------------------------------------------------- */

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
				if (spin % (IDLE_CHECK * 16) == 0 && stalled(w, peer, NULL, "the peer's write", why, len))
					return -1;
		}
		if (scnt < iters) {
			r->tposted[scnt] = anvil_rdma_now_ns();
			*post_b = (uint8_t)++scnt;
			int rc = post_one(r, 0, run->size, 0, 1);
			if (rc) {
				snprintf(why, len, "ibv_post_send on %s failed: %s", r->o.device, strerror(rc));
				return -1;
			}
		}
		if (ccnt < iters) {
			int ne;
			unsigned spin = 0;
			while ((ne = ibv_poll_cq(r->scq, 1, &wc)) == 0)
				if (++spin % IDLE_CHECK == 0 && stalled(w, peer, NULL, "a write completion", why, len))
					return -1;
			if (ne < 0 || wc.status != IBV_WC_SUCCESS)
				return ne < 0 ? (snprintf(why, len, "ibv_poll_cq on %s failed", r->o.device), -1)
					      : wc_error(r, &wc, "write", ccnt, iters, why, len);
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
		int rc = post_one(r, 0, run->size, 0, 1), ne;
		if (rc) {
			snprintf(why, len, "ibv_post_send (read) on %s failed: %s", r->o.device, strerror(rc));
			return -1;
		}
		unsigned spin = 0;
		while ((ne = ibv_poll_cq(r->scq, 1, &wc)) == 0)
			if (++spin % IDLE_CHECK == 0 && stalled(w, peer, NULL, "a read completion", why, len))
				return -1;
		if (ne < 0)
			return snprintf(why, len, "ibv_poll_cq on %s failed", r->o.device), -1;
		if (wc.status != IBV_WC_SUCCESS)
			return wc_error(r, &wc, "read", (uint64_t)i, (uint64_t)run->iters, why, len);
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
				if (++spin % IDLE_CHECK == 0 && stalled(w, peer, NULL, "the peer's message", why, len))
					return -1;
			if (ne < 0)
				return snprintf(why, len, "ibv_poll_cq (receive) on %s failed", r->o.device), -1;
			if (wc.status != IBV_WC_SUCCESS)
				return wc_error(r, &wc, "receive", rcnt, iters, why, len);
			rcnt++;
			r->recv_out[0]--;
			if (top_up(r, 0, (long)(iters - rcnt)))
				return snprintf(why, len, "ibv_post_recv on %s failed", r->o.device), -1;
		}
		if (scnt < iters) {
			r->tposted[scnt++] = anvil_rdma_now_ns();
			int rc = post_one(r, 0, run->size, 0, 1);
			if (rc)
				return snprintf(why, len, "ibv_post_send on %s failed: %s", r->o.device, strerror(rc)), -1;
			unsigned spin = 0;
			while ((ne = ibv_poll_cq(r->scq, 1, &wc)) == 0)
				if (++spin % IDLE_CHECK == 0 && stalled(w, peer, NULL, "a send completion", why, len))
					return -1;
			if (ne < 0)
				return snprintf(why, len, "ibv_poll_cq on %s failed", r->o.device), -1;
			if (wc.status != IBV_WC_SUCCESS)
				return wc_error(r, &wc, "send", scnt, iters, why, len);
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
