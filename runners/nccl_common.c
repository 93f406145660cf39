#include "runners/nccl_common.h"

/* in every build: `anvil list` shows them where NCCL is not built */
const struct anvil_param anvil_nccl_params[] = {
	ANVIL_NCCL_PARAMS,
	{ NULL, 0, NULL, NULL },
};

const struct anvil_param anvil_nccl_root_params[] = {
	ANVIL_NCCL_PARAMS,
	{ "root", ANVIL_P_INT, "0", "the root rank" },
	{ NULL, 0, NULL, NULL },
};

#ifdef ANVIL_NCCL_BUILT
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANVIL_NCCL(e, call) do { \
	ncclResult_t rc_ = (call); \
	if (rc_ != ncclSuccess) \
		return nccl_fail((e), __FILE__, __LINE__, #call, rc_); \
} while (0)

/* One size, one mode: what the series row and the judged figure need. */
struct nccl_point {
	double time_s, algbw, busbw;
	long long wrong;
};

struct nccl_state {
	const struct anvil_nccl_coll *coll;
	struct anvil_ctx *ctx;
	MPI_Comm comm;                 /* a duplicate: our collectives never meet the dispatcher's */
	int rank, n, gpu_open;
	struct anvil_gpu gpu;
	struct anvil_sweep sw;
	size_t max_bytes;
	char *sendbuf, *recvbuf;       /* max_bytes each, device */
	unsigned long long *d_bad;
	cudaStream_t stream;
	ncclComm_t nc;
	int root;
	double hsum;
	char stopped[200];             /* why the sweep ended early, or "" */
};

size_t anvil_nccl_split(size_t count, int nranks)
{
	return (count / (size_t)nranks) & ~(size_t)3;  /* nccl-tests: & ~(16/eltSize - 1), float */
}

void anvil_nccl_counts_whole(size_t count, int nranks, struct anvil_nccl_counts *c)
{
	c->send = c->recv = c->param = count;
	c->send_inplace_off = c->recv_inplace_off = 0;
}

double anvil_nccl_factor_one(int nranks) { return 1.0; }
double anvil_nccl_factor_ranks(int nranks) { return (double)nranks; }
double anvil_nccl_factor_ring(int nranks) { return (double)(nranks - 1) / nranks; }

static int nccl_fail(struct anvil_gpu_err *e, const char *file, int line, const char *call, ncclResult_t r)
{
	char text[300];
	const char *last = ncclGetLastError(NULL);
	snprintf(text, sizeof(text), "%s%s%s", ncclGetErrorString(r), last && *last ? ": " : "", last ? last : "");
	return anvil_gpu_fail(e, file, line, call, text);
}

/* Every rank's ok, combined: 1 only when all are. Every rank must call it. */
static int agree(MPI_Comm comm, int ok)
{
	int all = 0;
	MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, comm);
	return all;
}

static int setup_local(struct nccl_state *st, struct anvil_gpu_err *err)
{
	char why[256];
	if (anvil_sweep_from_params(&st->sw, st->ctx, sizeof(float), why, sizeof(why)))
		return anvil_gpu_failf(err, "%s: %s", anvil_ctx_test(st->ctx), why);
	st->max_bytes = st->sw.sizes[st->sw.n - 1];
	if (anvil_gpu_open(st->ctx, &st->gpu, err))
		return -1;
	st->gpu_open = 1;
	ANVIL_CUDA(err, cudaStreamCreate(&st->stream));
	ANVIL_CUDA(err, cudaMalloc((void **)&st->sendbuf, st->max_bytes));
	ANVIL_CUDA(err, cudaMalloc((void **)&st->recvbuf, st->max_bytes));
	ANVIL_CUDA(err, cudaMalloc((void **)&st->d_bad, sizeof(*st->d_bad)));
	return 0;
}

static int init_comm(struct nccl_state *st, struct anvil_gpu_err *err)
{
	ncclUniqueId id;
	memset(&id, 0, sizeof(id));
	ncclResult_t r = st->rank == 0 ? ncclGetUniqueId(&id) : ncclSuccess;
	int ok = agree(st->comm, r == ncclSuccess);
	if (!ok)
		return r != ncclSuccess ? nccl_fail(err, __FILE__, __LINE__, "ncclGetUniqueId", r)
					: anvil_gpu_failf(err, "rank 0 could not make an NCCL unique id");
	MPI_Bcast(&id, (int)sizeof(id), MPI_BYTE, 0, st->comm);
	ANVIL_NCCL(err, ncclCommInitRank(&st->nc, st->n, id, st->rank));
	return 0;
}

/* Waits for the stream as nccl-tests' testStreamSynchronize does, watching
 * for NCCL's asynchronous errors and, here, for the test's deadline (a rank
 * that failed leaves the others waiting on a collective that never ends). */
static int wait_stream(struct nccl_state *st, struct anvil_gpu_err *err)
{
	for (;;) {
		cudaError_t e = cudaStreamQuery(st->stream);
		if (e == cudaSuccess)
			return 0;
		if (e != cudaErrorNotReady)
			return anvil_gpu_fail(err, __FILE__, __LINE__, "cudaStreamQuery", cudaGetErrorString(e));
		(void)cudaGetLastError();  /* "not ready" is no error */
		ncclResult_t ae = ncclSuccess;
		ANVIL_NCCL(err, ncclCommGetAsyncError(st->nc, &ae));
		if (ae != ncclSuccess) {
			ncclCommAbort(st->nc);
			st->nc = NULL;
			return nccl_fail(err, __FILE__, __LINE__, "ncclCommGetAsyncError", ae);
		}
		if (anvil_ctx_time_left(st->ctx) < 5) {
			ncclCommAbort(st->nc);
			st->nc = NULL;
			return anvil_gpu_failf(err, "%s: gave up waiting for a collective: the test's time ran out "
					       "(did another rank fail?)", st->coll->name);
		}
		sched_yield();
	}
}

/* Send and receive pointers of iteration `iter` (nccl-tests' startColl). */
static void pointers(const struct nccl_state *st, const struct anvil_nccl_counts *c, int in_place, long iter,
		     char **send, char **recv)
{
	size_t total = 4 * (c->send > c->recv ? c->send : c->recv);
	size_t steps = total ? st->max_bytes / total : 1;
	size_t shift = total * ((size_t)iter % (steps ? steps : 1));
	char *r = st->recvbuf + shift, *s = st->sendbuf + shift;
	*send = in_place ? r + 4 * c->send_inplace_off * (size_t)st->rank : s;
	*recv = in_place ? r + 4 * c->recv_inplace_off * (size_t)st->rank : r;
}

static int launch(struct nccl_state *st, const struct anvil_nccl_counts *c, int in_place, long iter,
		  struct anvil_gpu_err *err)
{
	char *send, *recv;
	pointers(st, c, in_place, iter, &send, &recv);
	ANVIL_NCCL(err, st->coll->run(send, recv, c->param, st->root, st->nc, st->stream));
	return 0;
}

static int warm(struct nccl_state *st, const struct anvil_nccl_counts *c, int in_place, size_t bytes,
		struct anvil_gpu_err *err)
{
	long n = anvil_sweep_warmup(&st->sw, bytes);
	for (long i = 0; i < n; i++)
		if (launch(st, c, in_place, i, err))
			return -1;
	return wait_stream(st, err);
}

/* nccl-tests' BenchTime: host clock around `iters` launches and one wait. */
static int timed(struct nccl_state *st, const struct anvil_nccl_counts *c, int in_place, size_t bytes,
		 double *t, struct anvil_gpu_err *err)
{
	long iters = anvil_sweep_iters(&st->sw, bytes);
	double t0 = MPI_Wtime();
	for (long i = 0; i < iters; i++)
		if (launch(st, c, in_place, i, err))
			return -1;
	if (wait_stream(st, err))
		return -1;
	*t = (MPI_Wtime() - t0) / (double)iters;
	return 0;
}

/* A fresh operation on fresh data, and the wrong elements of its output. */
static int check(struct nccl_state *st, const struct anvil_nccl_counts *c, int in_place,
		 unsigned long long *wrong, struct anvil_gpu_err *err)
{
	const struct anvil_nccl_coll *k = st->coll;
	char *send, *recv;
	pointers(st, c, in_place, 0, &send, &recv);
	/* the output starts as zeros, so a collective that wrote nothing fails */
	size_t zero = c->recv;
	if (in_place) {
		size_t out = c->recv + c->recv_inplace_off * (size_t)st->rank;
		size_t in = c->send + c->send_inplace_off * (size_t)st->rank;
		zero = out > in ? out : in;
	}
	ANVIL_CUDA(err, cudaMemsetAsync(st->recvbuf, 0, 4 * zero, st->stream));
	ANVIL_CUDA(err, anvil_gpu_nccl_fill((float *)send, c->send, k->summed, st->rank, st->stream));
	ANVIL_CUDA(err, cudaMemsetAsync(st->d_bad, 0, sizeof(*st->d_bad), st->stream));
	ANVIL_NCCL(err, k->run(send, recv, c->param, st->root, st->nc, st->stream));
	struct anvil_nccl_want w = { k->expect, st->rank, st->n, st->root, c->param, st->hsum };
	size_t n_check = k->root_only && st->rank != st->root ? 0 : c->recv;
	ANVIL_CUDA(err, anvil_gpu_nccl_check((const float *)recv, n_check, &w, st->d_bad, st->stream));
	/* the stream first, then the count: a copy to pageable memory (wrong is
	 * on the caller's stack) blocks the host until the collective before it
	 * ends, so a collective that never ends (a rank gone) would hang here,
	 * out of reach of wait_stream's abort and deadline */
	if (wait_stream(st, err))
		return -1;
	ANVIL_CUDA(err, cudaMemcpy(wrong, st->d_bad, sizeof(*wrong), cudaMemcpyDeviceToHost));
	return 0;
}

/* One size in one mode. Every rank makes the same MPI calls whatever
 * happened on its GPU, so a failure ends the sweep on all ranks together. */
static int measure(struct nccl_state *st, const struct anvil_nccl_counts *c, int in_place, size_t bytes,
		   struct nccl_point *p, struct anvil_gpu_err *err)
{
	double t = 0, sum = 0;
	unsigned long long wrong = 0;
	long long mine, all = 0;
	int ok = !warm(st, c, in_place, bytes, err);
	MPI_Barrier(st->comm);
	ok = ok && !timed(st, c, in_place, bytes, &t, err);
	MPI_Allreduce(&t, &sum, 1, MPI_DOUBLE, MPI_SUM, st->comm);
	ok = ok && !check(st, c, in_place, &wrong, err);
	mine = (long long)wrong;
	MPI_Allreduce(&mine, &all, 1, MPI_LONG_LONG, MPI_SUM, st->comm);
	p->time_s = sum / st->n;  /* nccl-tests' default: the mean over ranks */
	p->algbw = 4.0 * (double)c->param * st->coll->alg_factor(st->n) / p->time_s / 1e9;
	p->busbw = p->algbw * st->coll->bus_factor(st->n);
	p->wrong = all;
	if (!agree(st->comm, ok)) {
		if (ok)
			anvil_gpu_failf(err, "%s: stopped at %zu B: another rank failed (see its error)", st->coll->name, bytes);
		return -1;
	}
	return 0;
}

void anvil_nccl_judge_add(struct anvil_nccl_judged *j, size_t nominal, size_t bytes, size_t judge_from,
			  double time_s, double algbw, double busbw)
{
	if (!j->largest)
		j->lat_us = time_s * 1e6;  /* the smallest size: latency */
	j->largest = bytes;
	j->bus_largest = busbw;
	j->alg_largest = algbw;
	if (nominal >= judge_from) {
		j->bus_sum += busbw;
		j->alg_sum += algbw;
		j->bus_min = j->count++ ? fmin(j->bus_min, busbw) : busbw;
	}
}

int anvil_nccl_judge_figures(const struct anvil_nccl_judged *j, double *bus, double *bus_min, double *alg)
{
	if (!j->largest)
		return -1;
	*bus = j->count ? j->bus_sum / j->count : j->bus_largest;
	*alg = j->count ? j->alg_sum / j->count : j->alg_largest;
	*bus_min = j->count ? j->bus_min : j->bus_largest;
	return 0;
}

static struct anvil_series *series_open(struct nccl_state *st)
{
	static const char *const cols[][2] = {
		{ "count", "elements" }, { "time", "us" }, { "algbw", "GB/s" }, { "busbw", "GB/s" },
		{ "wrong", "elements" }, { "time_inplace", "us" }, { "algbw_inplace", "GB/s" },
		{ "busbw_inplace", "GB/s" }, { "wrong_inplace", "elements" },
	};
	struct anvil_series *se = anvil_series_new(st->ctx, st->coll->name, "size", "B");
	for (size_t i = 0; i < sizeof(cols) / sizeof(*cols); i++)
		anvil_series_column(se, cols[i][0], cols[i][1]);
	return se;
}

static int sweep(struct nccl_state *st, struct anvil_nccl_judged *j, struct anvil_gpu_err *err)
{
	size_t judge_from = (size_t)anvil_param_int(st->ctx, "judge_from_bytes");
	struct anvil_series *se = st->rank == 0 ? series_open(st) : NULL;
	int rc = 0;
	for (int i = 0; i < st->sw.n && !rc; i++) {
		struct anvil_nccl_counts c;
		st->coll->counts(st->sw.sizes[i] / 4, st->n, &c);
		size_t bytes = 4 * (c.send > c.recv ? c.send : c.recv);  /* the size nccl-tests prints */
		if (!c.param)
			continue;  /* smaller than one 16-byte block per rank */
		if (!agree(st->comm, anvil_ctx_time_left(st->ctx) > 30)) {
			snprintf(st->stopped, sizeof(st->stopped), "stopped before %zu B: the test's time was running out", bytes);
			break;
		}
		struct nccl_point op, ip = { NAN, NAN, NAN, 0 };
		rc = measure(st, &c, 0, bytes, &op, err);
		if (!rc && st->coll->in_place)
			rc = measure(st, &c, 1, bytes, &ip, err);
		if (rc)
			break;
		if (se)
			anvil_series_row(se, (double)bytes, (double[]){ (double)c.param, op.time_s * 1e6, op.algbw, op.busbw,
				(double)op.wrong, ip.time_s * 1e6, ip.algbw, ip.busbw,
				st->coll->in_place ? (double)ip.wrong : NAN });
		j->wrong += op.wrong + (st->coll->in_place ? ip.wrong : 0);
		anvil_nccl_judge_add(j, st->sw.sizes[i], bytes, judge_from, op.time_s, op.algbw, op.busbw);
	}
	if (se)
		anvil_series_emit(se);
	return rc;
}

/* ---- the run ------------------------------------------------------------- */

static void emit(struct nccl_state *st, const struct anvil_nccl_judged *j, cJSON *topo, const char *path, double peak)
{
	struct anvil_ctx *ctx = st->ctx;
	cJSON *info = anvil_gpu_info(&st->gpu);
	char text[300];
	int v = 0;
	anvil_ctx_label(ctx, "path", path);
	ncclGetVersion(&v);
	snprintf(text, sizeof(text), "%d.%d.%d", v / 10000, v % 10000 / 100, v % 100);
	cJSON_AddStringToObject(info, "nccl_version", text);
	const char *env[] = { "NCCL_ALGO", "NCCL_PROTO", "NCCL_NET", "NCCL_IB_HCA" };
	for (size_t i = 0; i < sizeof(env) / sizeof(*env); i++)
		if (getenv(env[i]))
			cJSON_AddStringToObject(info, env[i], getenv(env[i]));
	cJSON_AddNumberToObject(info, "ranks", st->n);
	cJSON_AddItemToObject(info, "topology", topo);
	if (st->stopped[0])
		cJSON_AddStringToObject(info, "stopped", st->stopped);
	double bus = NAN, bmin = NAN, alg = NAN;
	anvil_nccl_judge_figures(j, &bus, &bmin, &alg);  /* NaN where no size was measured */
	if (st->n == 1)
		snprintf(text, sizeof(text), "one rank: no link is crossed, so no busbw_gbs (nccl-tests' busbw is 0 at a "
			 "factor of (n-1)/n, or a copy within the GPU at 1); algbw_gbs: mean out-of-place algbw of the %d "
			 "size(s) from %lld B (the largest's where none)", j->count, anvil_param_int(ctx, "judge_from_bytes"));
	else if (j->count)
		snprintf(text, sizeof(text), "busbw_gbs: mean out-of-place busbw of the %d size(s) from %lld B to %zu B; "
			 "busbw_min_gbs: their minimum", j->count, anvil_param_int(ctx, "judge_from_bytes"), j->largest);
	else
		snprintf(text, sizeof(text), "no size reached judge_from_bytes = %lld: busbw_gbs is that of the largest, %zu B",
			 anvil_param_int(ctx, "judge_from_bytes"), j->largest);
	cJSON_AddStringToObject(info, "judged", text);
	anvil_emit_info(ctx, info);
	/* busbw on one rank would be judged as a link's (a floor on it fails) */
	if (st->n > 1) {
		anvil_emit_metric(ctx, "busbw_gbs", bus, "GB/s", ANVIL_HIGHER);
		anvil_emit_metric(ctx, "busbw_min_gbs", bmin, "GB/s", ANVIL_HIGHER);
	}
	anvil_emit_metric(ctx, "algbw_gbs", alg, "GB/s", ANVIL_HIGHER);
	anvil_emit_metric(ctx, "latency_us", j->lat_us, "us", ANVIL_LOWER);
	if (isfinite(peak))
		anvil_emit_metric(ctx, "topology_peak_gbs", peak, "GB/s", ANVIL_NEUTRAL);
	snprintf(text, sizeof(text), "%lld wrong element(s) over all sizes, modes and ranks (exact float data)", j->wrong);
	anvil_emit_check(ctx, "correct", j->wrong == 0, (double)j->wrong, 0, text);
}

static void release(struct nccl_state *st, int ok)
{
	if (st->nc) {
		if (ok)
			ncclCommDestroy(st->nc);
		else
			ncclCommAbort(st->nc);
	}
	if (st->stream)
		cudaStreamDestroy(st->stream);
	cudaFree(st->sendbuf);
	cudaFree(st->recvbuf);
	cudaFree(st->d_bad);
	anvil_sweep_release(&st->sw);
	if (st->gpu_open)
		anvil_gpu_close(&st->gpu);
	MPI_Comm_free(&st->comm);
}

enum anvil_status anvil_nccl_run(struct anvil_ctx *ctx, const struct anvil_nccl_coll *coll)
{
	struct nccl_state st;
	struct anvil_gpu_err err = { "" };
	memset(&st, 0, sizeof(st));
	st.coll = coll;
	st.ctx = ctx;
	MPI_Comm_dup(anvil_ctx_comm(ctx), &st.comm);
	MPI_Comm_rank(st.comm, &st.rank);
	MPI_Comm_size(st.comm, &st.n);
	st.root = (int)anvil_param_int(ctx, "root");  /* 0 for the collectives without one */
	for (int r = 0; r < st.n; r++)
		st.hsum += anvil_nccl_h(r);
	int ok = st.root >= 0 && st.root < st.n;
	if (!ok)
		anvil_gpu_failf(&err, "%s: root %d is not a rank (0 .. %d)", coll->name, st.root, st.n - 1);
	ok = ok && !setup_local(&st, &err);
	if (!agree(st.comm, ok)) {
		if (ok)
			anvil_gpu_failf(&err, "%s: another rank could not set up its GPU or buffers", coll->name);
		release(&st, 0);
		return anvil_gpu_error(ctx, &err);
	}
	ok = !init_comm(&st, &err);
	if (agree(st.comm, ok)) {
		struct anvil_nccl_judged j = { 0 };
		ok = !sweep(&st, &j, &err);
		/* no size measured (the time ran out before the first, or every
		 * size is under one block per rank): an error that says why, not
		 * figures of nothing; j is the same on every rank (its figures are
		 * the ranks' combined), so every rank takes the same turn */
		if (ok && !j.largest) {
			anvil_gpu_failf(&err, "%s: no size was measured: %s", coll->name, st.stopped[0] ? st.stopped :
					"every size of the sweep gives a rank less than one 16-byte block");
			ok = 0;
		}
		const char *path;
		double peak;
		cJSON *topo = anvil_nccl_topology(ctx, st.comm, &st.gpu, &path, &peak);
		if (ok && st.rank == 0)
			emit(&st, &j, topo, path, peak);
		else
			cJSON_Delete(topo);
	} else if (ok) {
		anvil_gpu_failf(&err, "%s: another rank could not join the NCCL communicator", coll->name);
		ok = 0;
	}
	release(&st, ok);
	return ok ? ANVIL_OK : anvil_gpu_error(ctx, &err);
}
#endif
