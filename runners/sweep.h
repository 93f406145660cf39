/* Message-size sweeps shared by every size-sweeping runner (MPI, NCCL, RDMA),
 * so no runner copies its own loop of sizes and iteration counts. */
#ifndef ANVIL_SWEEP_H
#define ANVIL_SWEEP_H
#include <stddef.h>
#include "runners/runner.h"

struct anvil_sweep {
	size_t *sizes;      /* owned */
	int n;
	long iters, warmup;             /* for sizes below large_bytes */
	long iters_large, warmup_large; /* for sizes from large_bytes on */
	size_t large_bytes;
};

/* Sizes min..max multiplied by `factor` each step (max always included),
 * rounded to multiples of `align` (the element size). 0, or -1 on bad bounds. */
int anvil_sweep_make(struct anvil_sweep *s, size_t min, size_t max, int factor, size_t align);
/* The same from a runner's parameters min_bytes, max_bytes, iters, warmup,
 * iters_large, warmup_large, large_bytes (the names every sweeping runner uses). */
int anvil_sweep_from_params(struct anvil_sweep *s, const struct anvil_ctx *ctx, size_t align,
			    char *why, size_t len);
void anvil_sweep_release(struct anvil_sweep *s);
long anvil_sweep_iters(const struct anvil_sweep *s, size_t size);
long anvil_sweep_warmup(const struct anvil_sweep *s, size_t size);

/* The parameter table entries every sweeping runner shares; use as
 * ANVIL_SWEEP_PARAMS("8", "67108864", "100", "10") inside its table. */
#define ANVIL_SWEEP_PARAMS(min, max, iters, warmup) \
	ANVIL_SWEEP_PARAMS_FROM(min, max, iters, warmup, "8192")

/* The same with the size from which the _large counts apply; "0" keeps the
 * same counts at every size (as perftest -a does). */
#define ANVIL_SWEEP_PARAMS_FROM(min, max, iters, warmup, large) \
	{ "min_bytes", ANVIL_P_INT, min, "smallest message size (bytes)" }, \
	{ "max_bytes", ANVIL_P_INT, max, "largest message size (bytes)" }, \
	{ "iters", ANVIL_P_INT, iters, "timed iterations per size" }, \
	{ "warmup", ANVIL_P_INT, warmup, "untimed iterations before them" }, \
	{ "large_bytes", ANVIL_P_INT, large, "from this size on, the _large counts apply (as OSU; 0: never)" }, \
	{ "iters_large", ANVIL_P_INT, "0", "timed iterations for large sizes (0: iters/10, at least 10)" }, \
	{ "warmup_large", ANVIL_P_INT, "0", "warm-up for large sizes (0: warmup/10, at least 2)" }

#endif
