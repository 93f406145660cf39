/*
 * The RDMA loops (kernels/rdma_bw.c, rdma_lat.c) against a stand-in for an
 * HCA: ibv_post_send, ibv_post_recv and ibv_poll_cq are inline calls through
 * the context's ops, so a test context whose ops are the functions below
 * sees every work request the loops post. It checks each one (opcode, local
 * and remote ranges, keys, length, inline, which posts are signaled, send
 * and receive queue depths), moves the data, completes signaled requests a
 * few polls later, and plays the peer of the latency ping-pongs. This is the
 * data path as far as it can be run without a device; the device's own
 * behaviour is not modelled.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#ifdef ANVIL_HAVE_IBVERBS
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/rdma_internal.h"

#define MAXQ 8
#define LKEY 0x1111u
#define RKEY 0x3333u

struct cqe {
	struct ibv_wc wc;
	long retire;          /* send-queue slots freed when it is polled */
};

static struct fake {
	struct ibv_context ctx;
	struct ibv_cq scq, rcq;
	struct ibv_qp qp[MAXQ];
	struct ibv_mr mr;
	struct anvil_rdma *r;
	uint8_t *remote;                  /* the peer's buffer: its receive areas */
	enum ibv_wr_opcode opcode;
	size_t size;
	uint64_t cq_mod, iters;           /* for the signaling check (0: not checked) */
	int duration;
	long sq_out[MAXQ], unretired[MAXQ], posts[MAXQ], total_posts;
	struct cqe sq_cqe[1 << 16];
	int s_head, s_tail;
	struct ibv_wc rq_cqe[1 << 16];
	int r_head, r_tail;
	long recv_posted[MAXQ], to_deliver[MAXQ], delivered[MAXQ];
	int poll_every, never_complete;
	long polls, fail_at;
	long post_refuse_at, poll_refuse_at;  /* the n-th post (total) or poll returns an error */
	int lat, initiator;               /* play the ping-pong peer */
	long lat_count;
	long bad;                         /* work requests that broke a rule */
	char bad_why[256];
} F;

static void bad(const char *why)
{
	if (!F.bad++)
		snprintf(F.bad_why, sizeof(F.bad_why), "%s", why);
}

static int qp_index(const struct ibv_qp *qp) { return (int)(qp - F.qp); }

static uint8_t *send_area(int q) { return (uint8_t *)F.r->buf + (size_t)q * F.r->slot; }
static uint8_t *recv_area(int q) { return (uint8_t *)F.r->buf + ((size_t)F.r->o.qps + (size_t)q) * F.r->slot; }

static void push_send_cqe(int q, enum ibv_wc_status st)
{
	struct cqe *c = &F.sq_cqe[F.s_tail++ % (1 << 16)];
	memset(c, 0, sizeof(*c));
	c->wc.wr_id = (uint64_t)q;
	c->wc.status = st;
	c->retire = F.unretired[q];   /* a signaled completion retires it and the unsignaled before it */
	F.unretired[q] = 0;
}

static void push_recv_cqe(int q)
{
	if (F.recv_posted[q] <= 0) {
		bad("a message arrived with no receive posted (RNR)");
		return;
	}
	F.recv_posted[q]--;
	struct ibv_wc *w = &F.rq_cqe[F.r_tail++ % (1 << 16)];
	memset(w, 0, sizeof(*w));
	w->wr_id = (uint64_t)q;
	w->status = IBV_WC_SUCCESS;
	w->opcode = IBV_WC_RECV;
}

/* What the peer does when our message lands, in the latency ping-pongs. */
static void play_peer(struct ibv_send_wr *wr)
{
	long c = ++F.lat_count;
	if (F.opcode == IBV_WR_RDMA_WRITE) {
		uint8_t *last = (uint8_t *)(uintptr_t)(wr->wr.rdma.remote_addr + F.size - 1);
		if (*last != (uint8_t)c)
			bad("the written message does not end in its count");
		uint8_t *poll = recv_area(0) + F.size - 1;
		if (F.initiator)
			*poll = (uint8_t)c;                 /* the reply to message c */
		else if ((uint64_t)c < F.iters)
			*poll = (uint8_t)(c + 1);           /* the peer's next message */
	} else if (F.opcode == IBV_WR_SEND) {
		if (F.initiator || (uint64_t)c < F.iters)
			push_recv_cqe(0);
	}
}

static int check_wr(int q, const struct ibv_send_wr *wr)
{
	const struct ibv_sge *s = wr->sg_list;
	uint8_t *a = (uint8_t *)(uintptr_t)s->addr;
	if ((int)wr->wr_id != q || wr->num_sge != 1 || wr->opcode != F.opcode || s->lkey != LKEY || s->length != F.size)
		return bad("wr_id, num_sge, opcode, lkey or length wrong"), -1;
	if (a < send_area(q) || a + s->length > send_area(q) + F.r->slot)
		return bad("local address outside the QP's send area"), -1;
	int want_inline = F.opcode != IBV_WR_RDMA_READ && (int)F.size <= F.r->inline_size;
	if (!!(wr->send_flags & IBV_SEND_INLINE) != want_inline)
		return bad("inline flag wrong"), -1;
	if (F.opcode != IBV_WR_SEND) {
		uint8_t *ra = (uint8_t *)(uintptr_t)wr->wr.rdma.remote_addr, *base = F.remote + (size_t)q * F.r->slot;
		if (wr->wr.rdma.rkey != RKEY || ra < base || ra + s->length > base + F.r->slot)
			return bad("remote address or rkey wrong"), -1;
	}
	return 0;
}

static int fake_post_send(struct ibv_qp *qp, struct ibv_send_wr *wr, struct ibv_send_wr **bad_wr)
{
	int q = qp_index(qp);
	for (; wr; wr = wr->next) {
		if (F.post_refuse_at && F.total_posts + 1 == F.post_refuse_at)
			return *bad_wr = wr, EAGAIN;
		if (check_wr(q, wr))
			return *bad_wr = wr, EINVAL;
		if (F.sq_out[q] >= F.r->o.tx_depth) {
			bad("send queue overflow: more outstanding than tx_depth");
			return *bad_wr = wr, ENOMEM;
		}
		uint64_t k = (uint64_t)F.posts[q]++;
		F.total_posts++;
		F.sq_out[q]++;
		F.unretired[q]++;
		int sig = !!(wr->send_flags & IBV_SEND_SIGNALED);
		if (F.cq_mod && sig != (k % F.cq_mod == F.cq_mod - 1 || (!F.duration && k == F.iters - 1)))
			bad("signaled on the wrong post");
		uint8_t *la = (uint8_t *)(uintptr_t)wr->sg_list->addr;
		if (F.opcode == IBV_WR_RDMA_WRITE)
			memcpy((void *)(uintptr_t)wr->wr.rdma.remote_addr, la, F.size);
		else if (F.opcode == IBV_WR_RDMA_READ)
			memcpy(la, (void *)(uintptr_t)wr->wr.rdma.remote_addr, F.size);
		if (F.lat)
			play_peer(wr);
		if (sig)
			push_send_cqe(q, F.fail_at && F.total_posts == F.fail_at ? IBV_WC_RETRY_EXC_ERR : IBV_WC_SUCCESS);
	}
	return 0;
}

static int fake_post_recv(struct ibv_qp *qp, struct ibv_recv_wr *wr, struct ibv_recv_wr **bad_wr)
{
	int q = qp_index(qp);
	for (; wr; wr = wr->next) {
		if ((int)wr->wr_id != q || wr->num_sge != 1 || wr->sg_list->lkey != LKEY ||
		    (uint8_t *)(uintptr_t)wr->sg_list->addr != recv_area(q) || wr->sg_list->length != F.r->slot) {
			bad("receive request wrong");
			return *bad_wr = wr, EINVAL;
		}
		if (F.recv_posted[q] >= F.r->o.rx_depth) {
			bad("receive queue overflow: more posted than rx_depth");
			return *bad_wr = wr, ENOMEM;
		}
		F.recv_posted[q]++;
	}
	return 0;
}

static int fake_poll_cq(struct ibv_cq *cq, int n, struct ibv_wc *wc)
{
	int got = 0;
	F.polls++;
	if (F.poll_refuse_at && F.polls == F.poll_refuse_at)
		return -1;
	if (F.never_complete || (F.poll_every > 1 && F.polls % F.poll_every))
		return 0;
	if (cq == &F.scq) {
		while (got < n && F.s_head != F.s_tail) {
			struct cqe *c = &F.sq_cqe[F.s_head++ % (1 << 16)];
			F.sq_out[c->wc.wr_id] -= c->retire;
			wc[got++] = c->wc;
		}
		return got;
	}
	for (int q = 0; q < F.r->o.qps; q++)   /* the sender's messages land where receives wait */
		while (F.delivered[q] < F.to_deliver[q] && F.recv_posted[q] > 0) {
			push_recv_cqe(q);
			F.delivered[q]++;
		}
	while (got < n && F.r_head != F.r_tail)
		wc[got++] = F.rq_cqe[F.r_head++ % (1 << 16)];
	return got;
}

/* A struct anvil_rdma as anvil_rdma_open would leave it, on the stand-in. */
static struct anvil_rdma *fake_open(enum anvil_rdma_verb verb, int latency, int qps, int tx, int rx, size_t size,
				    int inline_size)
{
	memset(&F, 0, sizeof(F));
	struct anvil_rdma *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	F.r = r;
	r->o.verb = verb;
	r->o.latency = latency;
	r->o.qps = qps;
	r->o.tx_depth = tx;
	r->o.rx_depth = rx;
	r->o.max_size = size;
	snprintf(r->o.device, sizeof(r->o.device), "fake0");
	r->slot = ((size > ANVIL_RDMA_CYCLE ? size : ANVIL_RDMA_CYCLE) + 63) / 64 * 64;   /* as make_buffer() */
	r->buf_len = 2 * (size_t)qps * r->slot;
	r->buf = calloc(1, r->buf_len);
	F.remote = calloc(1, (size_t)qps * r->slot);
	assert_non_null(r->buf);
	assert_non_null(F.remote);
	F.ctx.ops.post_send = fake_post_send;
	F.ctx.ops.post_recv = fake_post_recv;
	F.ctx.ops.poll_cq = fake_poll_cq;
	F.scq.context = F.rcq.context = &F.ctx;
	F.mr.lkey = LKEY;
	r->mr = &F.mr;
	r->scq = &F.scq;
	r->rcq = verb == ANVIL_RDMA_SEND ? &F.rcq : NULL;
	for (int q = 0; q < qps; q++) {
		F.qp[q].context = &F.ctx;
		F.qp[q].qp_num = 100 + (uint32_t)q;
		r->qp[q] = &F.qp[q];
	}
	r->inline_size = inline_size;
	r->peer.vaddr = (uint64_t)(uintptr_t)F.remote;
	r->peer.slot = r->slot;
	r->peer.rkey = RKEY;
	F.opcode = verb == ANVIL_RDMA_WRITE ? IBV_WR_RDMA_WRITE : verb == ANVIL_RDMA_READ ? IBV_WR_RDMA_READ : IBV_WR_SEND;
	F.size = size;
	return r;
}

static void fake_close(struct anvil_rdma *r)
{
	free(r->buf);
	free(r->tposted);
	free(r->tcompleted);
	free(r);
	free(F.remote);
}

static void assert_clean(void)
{
	if (F.bad)
		fail_msg("%ld bad work request(s), the first: %s", F.bad, F.bad_why);
}

/* ---- the watch: what the peer says ------------------------------------------------ */

struct peer_says {
	int after;            /* calls before it speaks */
	int verdict;          /* 1 done, -1 failed */
	int calls;
	uint64_t counts[ANVIL_RDMA_MAX_QPS];
	int when_delivered;   /* speak once every message has landed */
};

static int peer_check(void *arg, uint64_t *counts)
{
	struct peer_says *p = arg;
	if (p->when_delivered) {
		for (int q = 0; q < F.r->o.qps; q++)
			if (F.delivered[q] < F.to_deliver[q])
				return 0;
	} else if (++p->calls <= p->after) {
		return 0;
	}
	memcpy(counts, p->counts, sizeof(p->counts));
	return p->verdict;
}

/* ---- bandwidth ----------------------------------------------------------------------- */

static void run_bw(enum anvil_rdma_verb verb, int qps, int tx, size_t size, long iters, int cq_mod, int inl)
{
	struct anvil_rdma *r = fake_open(verb, 0, qps, tx, 1, size, inl);
	F.cq_mod = (uint64_t)cq_mod;
	F.iters = (uint64_t)iters;
	F.poll_every = 3;
	for (size_t i = 0; i < (size_t)qps * r->slot; i++) {   /* patterns to see the data move */
		((uint8_t *)r->buf)[i] = (uint8_t)(i * 7 + 1);
		F.remote[i] = (uint8_t)(i * 13 + 5);
	}
	struct anvil_rdma_run run = { .size = size, .iters = iters, .cq_mod = cq_mod, .peak = 1 };
	struct anvil_rdma_watch w = { NULL, NULL, anvil_rdma_now_ns() + 10000000000ull };   /* a hang fails */
	struct anvil_rdma_bw res;
	uint64_t sent[ANVIL_RDMA_MAX_QPS];
	char why[512] = "";
	if (anvil_rdma_bw(r, &run, &w, &res, sent, why, sizeof(why)))
		fail_msg("anvil_rdma_bw: %s", why);
	assert_clean();
	for (int q = 0; q < qps; q++) {
		assert_int_equal(F.posts[q], iters);
		assert_int_equal(sent[q], iters);
		assert_int_equal(F.sq_out[q], 0);   /* every post completed */
		if (verb != ANVIL_RDMA_SEND)         /* the first message of each QP moved whole */
			assert_memory_equal(F.remote + (size_t)q * r->slot, send_area(q), size);
	}
	assert_int_equal(res.msgs, (uint64_t)iters * (uint64_t)qps);
	assert_true(res.avg_gbs > 0 && isfinite(res.avg_gbs));
	assert_true(res.peak_gbs >= res.avg_gbs * (1 - 1e-12));   /* the whole run is one of the spans */
	fake_close(r);
}

static void test_bw_write(void **state)
{
	(void)state;
	run_bw(ANVIL_RDMA_WRITE, 3, 16, 64, 1000, 10, 0);     /* small messages walk the page */
	run_bw(ANVIL_RDMA_WRITE, 2, 16, 64, 1005, 10, 0);     /* the last completion stands for 5 */
	run_bw(ANVIL_RDMA_WRITE, 1, 128, 1 << 20, 40, 1, 0);  /* one completion per post */
}

static void test_bw_read_send(void **state)
{
	(void)state;
	run_bw(ANVIL_RDMA_READ, 2, 4, 8192, 50, 1, 0);
	run_bw(ANVIL_RDMA_SEND, 2, 32, 100, 300, 30, 128);    /* inline: 100 B <= 128 */
	run_bw(ANVIL_RDMA_SEND, 4, 8, 4096, 64, 8, 0);
}

static void test_bw_duration(void **state)
{
	(void)state;
	struct anvil_rdma *r = fake_open(ANVIL_RDMA_WRITE, 0, 2, 32, 1, 256, 0);
	F.cq_mod = 8;
	F.duration = 1;
	struct anvil_rdma_run run = { .size = 256, .duration_s = 0.2, .cq_mod = 8 };
	struct anvil_rdma_bw res;
	uint64_t sent[ANVIL_RDMA_MAX_QPS];
	char why[512] = "";
	if (anvil_rdma_bw(r, &run, NULL, &res, sent, why, sizeof(why)))
		fail_msg("anvil_rdma_bw (duration): %s", why);
	assert_clean();
	for (int q = 0; q < 2; q++) {
		assert_int_equal(sent[q], (uint64_t)F.posts[q]);
		assert_int_equal(sent[q] % 8, 0);   /* each QP ended on a signaled post */
		assert_int_equal(F.sq_out[q], 0);   /* and was drained */
	}
	assert_true(res.msgs > 0 && res.msgs % 8 == 0);
	assert_true(res.seconds > 0.09 && res.seconds < 1.0);   /* the middle half of 0.2 s (more on a loaded machine) */
	assert_true(isnan(res.peak_gbs));
	fake_close(r);
}

static void test_bw_completion_error(void **state)
{
	(void)state;
	struct anvil_rdma *r = fake_open(ANVIL_RDMA_WRITE, 0, 1, 8, 1, 64, 0);
	F.fail_at = 25;
	struct anvil_rdma_run run = { .size = 64, .iters = 100, .cq_mod = 1 };
	struct anvil_rdma_bw res;
	uint64_t sent[ANVIL_RDMA_MAX_QPS];
	char why[512] = "";
	assert_int_equal(anvil_rdma_bw(r, &run, NULL, &res, sent, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "send completion error on fake0 QP 0"));
	assert_non_null(strstr(why, ibv_wc_status_str(IBV_WC_RETRY_EXC_ERR)));
	fake_close(r);
}

/* A refused post or poll ends either loop with the device, QP and reason. */
static void test_bw_post_poll_refused(void **state)
{
	(void)state;
	for (int duration = 0; duration < 2; duration++) {
		struct anvil_rdma_run run = { .size = 64, .iters = 100, .cq_mod = 1, .duration_s = duration ? 0.2 : 0 };
		struct anvil_rdma_bw res;
		uint64_t sent[ANVIL_RDMA_MAX_QPS];
		char why[512] = "", want[256];
		struct anvil_rdma *r = fake_open(ANVIL_RDMA_WRITE, 0, 2, 8, 1, 64, 0);
		F.post_refuse_at = 12;
		assert_int_equal(anvil_rdma_bw(r, &run, NULL, &res, sent, why, sizeof(why)), -1);
		snprintf(want, sizeof(want), "ibv_post_send on fake0 QP 1 failed: %s", strerror(EAGAIN));
		assert_string_equal(why, want);
		assert_int_equal(F.total_posts, 11);
		fake_close(r);
		r = fake_open(ANVIL_RDMA_WRITE, 0, 1, 8, 1, 64, 0);
		F.poll_refuse_at = 3;
		why[0] = '\0';
		assert_int_equal(anvil_rdma_bw(r, &run, NULL, &res, sent, why, sizeof(why)), -1);
		assert_string_equal(why, "ibv_poll_cq on fake0 failed");
		fake_close(r);
	}
}

static void test_bw_timeout(void **state)
{
	(void)state;
	struct anvil_rdma *r = fake_open(ANVIL_RDMA_WRITE, 0, 1, 8, 1, 64, 0);
	F.never_complete = 1;
	struct anvil_rdma_run run = { .size = 64, .iters = 100, .cq_mod = 4 };
	struct anvil_rdma_watch w = { NULL, NULL, anvil_rdma_now_ns() + 50000000 };
	struct anvil_rdma_bw res;
	uint64_t sent[ANVIL_RDMA_MAX_QPS];
	char why[512] = "";
	assert_int_equal(anvil_rdma_bw(r, &run, &w, &res, sent, why, sizeof(why)), -1);
	assert_string_equal(why, "timed out waiting for send completions");
	assert_int_equal(F.posts[0], 8);   /* it filled the queue and no more */
	fake_close(r);
}

/* ---- the receiving end of send ----------------------------------------------------------- */

static void test_recv_iterations(void **state)
{
	(void)state;
	long cases[][2] = { { 100, 8 }, { 5, 8 } };   /* iters, rx_depth */
	for (int c = 0; c < 2; c++) {
		struct anvil_rdma *r = fake_open(ANVIL_RDMA_SEND, 0, 2, 1, (int)cases[c][1], 512, 0);
		struct anvil_rdma_run run = { .size = 512, .iters = cases[c][0], .cq_mod = 1 };
		char why[512] = "";
		assert_int_equal(anvil_rdma_prepare(r, &run, 1, why, sizeof(why)), 0);
		long pre = cases[c][0] < cases[c][1] ? cases[c][0] : cases[c][1];
		assert_int_equal(F.recv_posted[0], pre);
		F.to_deliver[0] = F.to_deliver[1] = cases[c][0];
		F.poll_every = 2;
		if (anvil_rdma_bw_recv(r, &run, NULL, why, sizeof(why)))
			fail_msg("anvil_rdma_bw_recv: %s", why);
		assert_clean();
		for (int q = 0; q < 2; q++) {
			assert_int_equal(F.delivered[q], cases[c][0]);
			assert_int_equal(r->recv_out[q], 0);   /* nothing left posted */
			assert_int_equal(F.recv_posted[q], 0);
		}
		fake_close(r);
	}
}

static void test_recv_duration_then_iterations(void **state)
{
	(void)state;
	struct anvil_rdma *r = fake_open(ANVIL_RDMA_SEND, 0, 2, 1, 8, 512, 0);
	struct anvil_rdma_run run = { .size = 512, .duration_s = 1, .cq_mod = 1 };
	struct peer_says says = { .verdict = 1, .counts = { 37, 41 }, .when_delivered = 1 };
	struct anvil_rdma_watch w = { peer_check, &says, 0 };
	char why[512] = "";
	assert_int_equal(anvil_rdma_prepare(r, &run, 1, why, sizeof(why)), 0);
	assert_int_equal(F.recv_posted[1], 8);
	F.to_deliver[0] = 37;
	F.to_deliver[1] = 41;
	if (anvil_rdma_bw_recv(r, &run, &w, why, sizeof(why)))
		fail_msg("anvil_rdma_bw_recv (duration): %s", why);
	assert_clean();
	for (int q = 0; q < 2; q++) {
		assert_int_equal(r->recv_out[q], F.recv_posted[q]);   /* leftovers kept in step */
		assert_int_equal(r->recv_out[q], 8);
	}
	/* a later run of 3 messages per QP uses the leftovers and posts none */
	struct anvil_rdma_run next = { .size = 64, .iters = 3, .cq_mod = 1 };
	assert_int_equal(anvil_rdma_prepare(r, &next, 1, why, sizeof(why)), 0);
	F.to_deliver[0] += 3;
	F.to_deliver[1] += 3;
	if (anvil_rdma_bw_recv(r, &next, NULL, why, sizeof(why)))
		fail_msg("anvil_rdma_bw_recv (after duration): %s", why);
	assert_clean();
	for (int q = 0; q < 2; q++) {
		assert_int_equal(r->recv_out[q], 5);
		assert_int_equal(F.recv_posted[q], 5);
	}
	fake_close(r);
}

static void test_recv_peer_failed(void **state)
{
	(void)state;
	struct anvil_rdma *r = fake_open(ANVIL_RDMA_SEND, 0, 1, 1, 8, 512, 0);
	struct anvil_rdma_run run = { .size = 512, .iters = 100, .cq_mod = 1 };
	struct peer_says says = { .after = 3, .verdict = -1 };
	struct anvil_rdma_watch w = { peer_check, &says, 0 };
	char why[512] = "";
	assert_int_equal(anvil_rdma_prepare(r, &run, 1, why, sizeof(why)), 0);
	F.to_deliver[0] = 10;   /* the sender died after 10 */
	assert_int_equal(anvil_rdma_bw_recv(r, &run, &w, why, sizeof(why)), -1);
	assert_string_equal(why, "the peer failed while this end waited for messages");
	assert_int_equal(F.delivered[0], 10);
	fake_close(r);
}

/* ---- latency ------------------------------------------------------------------------------- */

static void run_lat(enum anvil_rdma_verb verb, int initiator, size_t size, int inl)
{
	long iters = 300;
	struct anvil_rdma *r = fake_open(verb, 1, 1, 1, 16, size, inl);
	F.lat = 1;
	F.initiator = initiator;
	F.iters = (uint64_t)iters;
	F.cq_mod = 1;
	struct anvil_rdma_run run = { .size = size, .iters = iters, .cq_mod = 1 };
	struct anvil_rdma_lat res;
	char why[512] = "";
	memset(recv_area(0), 0x5a, size);   /* stale bytes the prepare step must clear */
	assert_int_equal(anvil_rdma_prepare(r, &run, 1, why, sizeof(why)), 0);
	if (verb == ANVIL_RDMA_WRITE)
		assert_int_equal(recv_area(0)[size - 1], 0);
	if (!initiator && verb == ANVIL_RDMA_WRITE)
		recv_area(0)[size - 1] = 1;   /* the peer's first message has landed */
	if (!initiator && verb == ANVIL_RDMA_SEND)
		push_recv_cqe(0);
	if (anvil_rdma_lat(r, &run, initiator, NULL, &res, why, sizeof(why)))
		fail_msg("anvil_rdma_lat: %s", why);
	assert_clean();
	assert_int_equal(F.posts[0], iters);
	assert_int_equal(F.sq_out[0], 0);
	for (long i = 1; i < iters; i++)
		assert_true(r->tposted[i] >= r->tposted[i - 1]);
	assert_int_equal(res.samples, iters - 3);
	assert_true(res.min_us <= res.typical_us && res.typical_us <= res.p99_us && res.p99_us <= res.p999_us &&
		    res.p999_us <= res.max_us);
	if (verb == ANVIL_RDMA_SEND) {
		assert_int_equal(r->recv_out[0], 0);   /* every receive used, none left */
		assert_int_equal(F.recv_posted[0], 0);
	}
	fake_close(r);
}

static void test_lat_write(void **state)
{
	(void)state;
	run_lat(ANVIL_RDMA_WRITE, 1, 2, 220);      /* inline */
	run_lat(ANVIL_RDMA_WRITE, 0, 2, 220);
	run_lat(ANVIL_RDMA_WRITE, 1, 4096, 220);   /* not inline */
	run_lat(ANVIL_RDMA_WRITE, 0, 1 << 20, 0);
}

static void test_lat_send_read(void **state)
{
	(void)state;
	run_lat(ANVIL_RDMA_SEND, 1, 2, 236);
	run_lat(ANVIL_RDMA_SEND, 0, 2, 236);
	run_lat(ANVIL_RDMA_SEND, 1, 65536, 0);
	run_lat(ANVIL_RDMA_READ, 1, 2, 0);
	run_lat(ANVIL_RDMA_READ, 1, 1 << 20, 0);
}

static void test_lat_refusals(void **state)
{
	(void)state;
	struct anvil_rdma *r = fake_open(ANVIL_RDMA_WRITE, 1, 1, 1, 16, 64, 0);
	struct anvil_rdma_run run = { .size = 64, .iters = 4, .cq_mod = 1 };
	struct anvil_rdma_lat res;
	char why[512] = "";
	assert_int_equal(anvil_rdma_lat(r, &run, 1, NULL, &res, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "at least 5"));
	run.iters = 100;
	r->o.gpu_memory = 1;
	assert_int_equal(anvil_rdma_lat(r, &run, 1, NULL, &res, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "cannot read GPU memory"));
	assert_int_equal(F.total_posts, 0);
	fake_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bw_write),
		cmocka_unit_test(test_bw_read_send),
		cmocka_unit_test(test_bw_duration),
		cmocka_unit_test(test_bw_completion_error),
		cmocka_unit_test(test_bw_post_poll_refused),
		cmocka_unit_test(test_bw_timeout),
		cmocka_unit_test(test_recv_iterations),
		cmocka_unit_test(test_recv_duration_then_iterations),
		cmocka_unit_test(test_recv_peer_failed),
		cmocka_unit_test(test_lat_write),
		cmocka_unit_test(test_lat_send_read),
		cmocka_unit_test(test_lat_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* a build without libibverbs has no loops to test */

static void test_not_built(void **state)
{
	(void)state;
	skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_not_built) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
