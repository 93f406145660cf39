/*
 * The bandwidth loops, after perftest's run_iter_bw (the active end: write,
 * read or send; iterations or -D duration) and run_iter_bw_server (the
 * receiving end of send), in perftest_resources.c.
 */
#ifdef ANVIL_HAVE_IBVERBS
#include "kernels/rdma_internal.h"
#include <stdio.h>
#include <string.h>

struct bw_state {
	uint64_t scnt[ANVIL_RDMA_MAX_QPS], ccnt[ANVIL_RDMA_MAX_QPS];
	uint64_t totscnt, totccnt;
};

/* A post of the active loops below: 0, or -1 with why naming the QP. */
static int post_send(struct anvil_rdma *r, int q, size_t size, uint64_t k, int signaled, char *why, size_t len)
{
	int rc = anvil_rdma_post(r, q, size, k, signaled);
	if (rc)
		snprintf(why, len, "ibv_post_send on %s QP %d failed: %s", r->o.device, q, strerror(rc));
	return rc ? -1 : 0;
}

/* Up to a batch of send completions into wc: how many, or -1 with why. */
static int poll_send(struct anvil_rdma *r, struct ibv_wc *wc, char *why, size_t len)
{
	int ne = ibv_poll_cq(r->scq, ANVIL_RDMA_POLL_BATCH, wc);
	if (ne < 0) {
		snprintf(why, len, "ibv_poll_cq on %s failed", r->o.device);
		return -1;
	}
	return ne;
}

/* perftest's run_iter_bw for a fixed count: post while the send queue has
 * room, signal every cq_mod-th post and the last, one completion stands for
 * the cq_mod posts before it (fewer for the last: fill_count). */
static int bw_iters(struct anvil_rdma *r, const struct anvil_rdma_run *run, struct anvil_rdma_watch *w,
		    struct anvil_rdma_bw *res, char *why, size_t len)
{
	struct bw_state s;
	struct ibv_wc wc[ANVIL_RDMA_POLL_BATCH];
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
				if (post_send(r, q, run->size, k, sig, why, len))
					return -1;
				s.scnt[q]++;
				s.totscnt++;
			}
		}
		if (s.totccnt >= tot)
			continue;
		int ne = poll_send(r, wc, why, len);
		if (ne < 0)
			return -1;
		for (int i = 0; i < ne; i++) {
			if (wc[i].status != IBV_WC_SUCCESS)
				return anvil_rdma_wc_error(r, &wc[i], "send", s.totccnt, tot, why, len);
			int q = (int)wc[i].wr_id;
			uint64_t fill = iters - s.ccnt[q] < (uint64_t)cq_mod ? iters - s.ccnt[q] : (uint64_t)cq_mod;
			s.ccnt[q] += fill;
			s.totccnt += fill;
			if (run->peak)
				tc[s.totccnt - 1] = anvil_rdma_now_ns();
		}
		idle = ne ? 0 : idle + 1;
		if (idle && idle % ANVIL_RDMA_IDLE_CHECK == 0 && anvil_rdma_stalled(w, peer, NULL, "send completions", why, len))
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
	struct ibv_wc wc[ANVIL_RDMA_POLL_BATCH];
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
				if (post_send(r, q, run->size, k, k % cq_mod == cq_mod - 1, why, len))
					return -1;
				s.scnt[q]++;
			}
			clean &= s.scnt[q] % cq_mod == 0 && s.ccnt[q] == s.scnt[q];
		}
		if (state == 3 && clean)
			break;
		int ne = poll_send(r, wc, why, len);
		if (ne < 0)
			return -1;
		for (int i = 0; i < ne; i++) {
			if (wc[i].status != IBV_WC_SUCCESS)
				return anvil_rdma_wc_error(r, &wc[i], "send", s.totccnt, 0, why, len);
			s.ccnt[wc[i].wr_id] += cq_mod;
			s.totccnt += cq_mod;
			if (state == 1)
				counted += cq_mod;
		}
		idle = ne ? 0 : idle + 1;
		if (idle && idle % ANVIL_RDMA_IDLE_CHECK == 0 && anvil_rdma_stalled(w, peer, NULL, "send completions", why, len))
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
	struct ibv_wc wc[ANVIL_RDMA_POLL_BATCH];
	unsigned idle = 0;
	for (int q = 0; q < nq; q++)
		target[q] = (uint64_t)run->iters;
	for (;;) {
		int done = known;
		for (int q = 0; q < nq && done; q++)
			done = got[q] >= target[q];
		if (done)
			return 0;
		int ne = ibv_poll_cq(r->rcq, ANVIL_RDMA_POLL_BATCH, wc);
		if (ne < 0) {
			snprintf(why, len, "ibv_poll_cq (receive) on %s failed", r->o.device);
			return -1;
		}
		for (int i = 0; i < ne; i++) {
			int q = (int)wc[i].wr_id;
			if (wc[i].status != IBV_WC_SUCCESS)
				return anvil_rdma_wc_error(r, &wc[i], "receive", got[q], known ? target[q] : 0, why, len);
			r->recv_out[q]--;
			got[q]++;
			if (anvil_rdma_top_up(r, q, known ? (long)(target[q] - got[q]) : -1)) {
				snprintf(why, len, "ibv_post_recv on %s QP %d failed", r->o.device, q);
				return -1;
			}
		}
		idle = ne ? 0 : idle + 1;
		if (idle && idle % ANVIL_RDMA_IDLE_CHECK == 0) {
			if (anvil_rdma_stalled(w, peer, &peer_done, "messages", why, len))
				return -1;
			if (peer_done && !known) {   /* the sender's final counts */
				known = 1;
				for (int q = 0; q < nq; q++)
					target[q] = peer[q];
			}
		}
	}
}

#endif /* ANVIL_HAVE_IBVERBS */
