/*
 * What the six RDMA runners (runners/rdma_{write,read,send}_{bw,lat}.c)
 * share: their parameters, availability, and the run on a pair of nodes
 * (runners/rdma_run.c) over the resources and loops of kernels/rdma_*.c.
 * Each runner file holds only its definition: the verb, bandwidth or
 * latency, and its defaults.
 */
#ifndef ANVIL_RDMA_RUN_H
#define ANVIL_RDMA_RUN_H
#include "runners/runner.h"
#include "runners/sweep.h"
#include "kernels/rdma_verbs.h"

struct anvil_rdma_test {
	enum anvil_rdma_verb verb;
	int latency;               /* 0: bandwidth */
	const char *anchor;        /* the perftest program it matches, for the record */
};

#define ANVIL_RDMA_NOT_BUILT "libibverbs (libibverbs-dev) not found at configure time"

/* The runner of one test, in its runners/rdma_<verb>_<bw|lat>.c:
 *   ANVIL_RDMA_RUNNER(write_bw, ANVIL_RDMA_WRITE, 0, "perftest ib_write_bw",
 *                     "rdma-write-bw", "summary", params);
 * defines anvil_runner_rdma_<id> (every RDMA runner needs an RDMA device and
 * runs on node pairs) and its run(), which is anvil_rdma_run on that test.
 * Where libibverbs is not built, the runner says why. */
#ifdef ANVIL_HAVE_IBVERBS
#define ANVIL_RDMA_RUNNER(id, verb, latency, anchor, name_, summary_, params_) \
	static enum anvil_status rdma_##id##_run(struct anvil_ctx *ctx) \
	{ \
		static const struct anvil_rdma_test test = { verb, latency, anchor }; \
		return anvil_rdma_run(ctx, &test); \
	} \
	ANVIL_RDMA_RUNNER_DEF(id, name_, summary_, params_, .available = anvil_rdma_available, .run = rdma_##id##_run)
#else
#define ANVIL_RDMA_RUNNER(id, verb, latency, anchor, name_, summary_, params_) \
	ANVIL_RDMA_RUNNER_DEF(id, name_, summary_, params_, .not_built = ANVIL_RDMA_NOT_BUILT)
#endif
#define ANVIL_RDMA_RUNNER_DEF(id, name_, summary_, params_, ...) \
	const struct anvil_runner anvil_runner_rdma_##id = { \
		.name = name_, \
		.summary = summary_, \
		.needs = ANVIL_NEEDS_RDMA, \
		.scope = ANVIL_SCOPE_PAIRS, \
		.params = params_, \
		__VA_ARGS__ \
	}

/* available(): a device with an ACTIVE port on this node. */
int anvil_rdma_available(char *why, size_t len);
enum anvil_status anvil_rdma_run(struct anvil_ctx *ctx, const struct anvil_rdma_test *t);

/* Sizes 2 B .. 8 MiB, the same iterations at every size (perftest -a). */
#define ANVIL_RDMA_SWEEP(iters) ANVIL_SWEEP_PARAMS_FROM("2", "8388608", iters, "100", "0")

#define ANVIL_RDMA_LINK_PARAMS \
	{ "device", ANVIL_P_STRING, "\"\"", "RDMA device and port, NAME or NAME:PORT (\"\": the first ACTIVE port)" }, \
	{ "gid_index", ANVIL_P_INT, "-1", "GID index (-1: on RoCE the best as perftest scores them: IPv4-mapped, not link-local, RoCE v2; on InfiniBand none, LID routing)" }, \
	{ "mtu", ANVIL_P_INT, "0", "path MTU in bytes, 256..4096 (0: the port's active MTU)" }, \
	{ "sl", ANVIL_P_INT, "0", "service level (perftest -S)" }, \
	{ "traffic_class", ANVIL_P_INT, "0", "GRH traffic class (perftest --tclass)" }, \
	{ "qp_timeout", ANVIL_P_INT, "14", "ack timeout exponent: 4.096 us x 2^n (perftest -u)" }, \
	{ "inline_size", ANVIL_P_INT, "-1", "largest message sent inline (-1: perftest's: latency write 220, send 236, else 0)" }, \
	{ "gpu_memory", ANVIL_P_BOOL, "false", "buffers in CUDA memory (GPUDirect RDMA: DMA-BUF where offered, else nvidia-peermem)" }, \
	{ "gpu", ANVIL_P_INT, "0", "the CUDA device for gpu_memory" }

#define ANVIL_RDMA_BW_PARAMS(iters) \
	ANVIL_RDMA_SWEEP(iters), \
	ANVIL_RDMA_LINK_PARAMS, \
	{ "qps", ANVIL_P_INT, "1", "queue pairs, posted to in turn (perftest -q); iters is per QP" }, \
	{ "tx_depth", ANVIL_P_INT, "128", "send queue depth per QP (perftest -t)" }, \
	{ "cq_mod", ANVIL_P_INT, "0", "one signaled completion per this many posts (0: perftest's: 100, 1 above 8 KiB; at most tx_depth)" }, \
	{ "duration_s", ANVIL_P_DOUBLE, "0", "seconds per size instead of iterations (perftest -D: a quarter warm-up and a quarter after the sample; no peak)" }, \
	{ "peak", ANVIL_P_BOOL, "true", "measure BW peak (perftest does not above 20000 iterations)" }

#define ANVIL_RDMA_LAT_PARAMS \
	ANVIL_RDMA_SWEEP("1000"), \
	ANVIL_RDMA_LINK_PARAMS

#define ANVIL_RDMA_RX_PARAM \
	{ "rx_depth", ANVIL_P_INT, "512", "receives kept posted per QP (perftest -r)" }

#endif
