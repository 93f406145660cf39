/*
 * The runner interface. A runner is one file in runners/ exporting one
 * `const struct anvil_runner`; runners/registry.c lists them. A runner
 * measures and emits records through anvil_emit_*(); it never prints, never
 * writes files and never exits: the driver in bench/ does all of that.
 */
#ifndef ANVIL_RUNNER_H
#define ANVIL_RUNNER_H
#include <stddef.h>
#include <mpi.h>
#include <cjson/cJSON.h>

/* What a runner needs; the dispatcher checks each before calling run(). */
enum anvil_needs {
	ANVIL_NEEDS_GPU = 1u << 0,     /* a CUDA device for this rank */
	ANVIL_NEEDS_RDMA = 1u << 1,    /* an RDMA device (libibverbs) */
	ANVIL_NEEDS_FIO = 1u << 2,     /* fio in PATH */
	ANVIL_NEEDS_2RANKS = 1u << 3,  /* at least two ranks in the job */
	ANVIL_NEEDS_2NODES = 1u << 4,  /* at least two nodes in the job */
	ANVIL_NEEDS_NCCL = 1u << 5,    /* built with NCCL */
	ANVIL_NEEDS_STORAGE = 1u << 6, /* a directory to do I/O in. Such a runner has the
					* parameters "dir" and "max_fill_fraction", which bench/
					* fills from the cluster config's storage.path and
					* storage.max_fill_fraction; a "dir" left "" becomes the
					* run directory's scratch/ (one node only) */
	ANVIL_TEST_ONLY = 1u << 15,    /* for anvil's own tests: never in a default profile */
};

/* Which ranks run it, and together with whom. */
enum anvil_scope {
	ANVIL_SCOPE_PER_RANK,  /* every rank, independently (one GPU per rank) */
	ANVIL_SCOPE_PER_NODE,  /* one leader rank per node, all nodes at once */
	ANVIL_SCOPE_PAIRS,     /* node pairs in rounds of disjoint pairs */
	ANVIL_SCOPE_ALL,       /* every rank on one communicator */
};

enum anvil_param_type { ANVIL_P_INT, ANVIL_P_DOUBLE, ANVIL_P_STRING, ANVIL_P_BOOL };

/* One documented parameter; `def` is the default written as JSON text. */
struct anvil_param {
	const char *key;
	enum anvil_param_type type;
	const char *def;
	const char *help;
};

/* What run() returns. Acceptance failures are records, not return codes. */
enum anvil_status {
	ANVIL_OK = 0,
	ANVIL_SKIP = 1,     /* nothing measured; anvil_ctx_why() says why */
	ANVIL_ERROR = 2,    /* harness error (a library call failed); says why */
};

struct anvil_ctx;
struct anvil_world;

struct anvil_runner {
	const char *name;        /* "stream", "mpi-pingpong" … */
	const char *summary;     /* one line for `anvil list` */
	unsigned needs;          /* enum anvil_needs */
	enum anvil_scope scope;
	const struct anvil_param *params;  /* terminated by { NULL } */
	/* NULL when always available; else 0 and a reason in why when not. */
	int (*available)(char *why, size_t why_len);
	enum anvil_status (*run)(struct anvil_ctx *ctx);
	/* Set when this build lacks what the runner needs (run is then NULL):
	 * the reason `anvil list` shows, e.g. "ScaLAPACK not found at configure time". */
	const char *not_built;
};

/* ---- what a runner may use ------------------------------------------- */

/* The ranks taking part, as the scope defines them (for PAIRS: the pair). */
MPI_Comm anvil_ctx_comm(const struct anvil_ctx *ctx);
int anvil_ctx_rank(const struct anvil_ctx *ctx);
int anvil_ctx_size(const struct anvil_ctx *ctx);
const struct anvil_world *anvil_ctx_world(const struct anvil_ctx *ctx);
/* This rank in the whole job, and among the ranks of its node (GPU binding). */
int anvil_ctx_world_rank(const struct anvil_ctx *ctx);
int anvil_ctx_local_rank(const struct anvil_ctx *ctx);
int anvil_ctx_local_size(const struct anvil_ctx *ctx);
/* Node index (0..nodes-1) of a rank of anvil_ctx_comm(). */
int anvil_ctx_node_of(const struct anvil_ctx *ctx, int rank);
/* Hostname of the node of a rank of anvil_ctx_comm(). */
const char *anvil_ctx_host_of(const struct anvil_ctx *ctx, int rank);
const char *anvil_ctx_test(const struct anvil_ctx *ctx);
/* Cores this rank may use (all cores of the node for PER_NODE). */
int anvil_ctx_threads(const struct anvil_ctx *ctx);
/* Seconds left before the test's timeout; runners with long loops stop near 0. */
double anvil_ctx_time_left(const struct anvil_ctx *ctx);

/* Resolved parameters: runner default < profile < cluster config < --set. */
long long anvil_param_int(const struct anvil_ctx *ctx, const char *key);
double anvil_param_double(const struct anvil_ctx *ctx, const char *key);
const char *anvil_param_str(const struct anvil_ctx *ctx, const char *key);
int anvil_param_bool(const struct anvil_ctx *ctx, const char *key);
const cJSON *anvil_param_json(const struct anvil_ctx *ctx, const char *key);

/* Sets the reason for ANVIL_SKIP or ANVIL_ERROR; returns `status`. */
enum anvil_status anvil_ctx_fail(struct anvil_ctx *ctx, enum anvil_status status,
				 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Labels that go on every following record of this rank (e.g. "gpu" "0",
 * "peer" "node3"); value NULL removes the label. */
void anvil_ctx_label(struct anvil_ctx *ctx, const char *key, const char *value);

/* ---- records --------------------------------------------------------- */

enum anvil_better { ANVIL_HIGHER = 1, ANVIL_LOWER = -1, ANVIL_NEUTRAL = 0 };

/* One scalar figure, e.g. ("gflops", 81.2, "GFLOP/s", ANVIL_HIGHER). */
void anvil_emit_metric(struct anvil_ctx *ctx, const char *name, double value,
		       const char *unit, enum anvil_better better);
/* A figure from repeated measurements (reps, trials): the summary the runner
 * chooses as the value, with every sample and their standard deviation, so
 * that a comparison with a baseline can tell a real change from the noise
 * (reports/baseline.c: a drop counts only beyond k x the spread). At most
 * ANVIL_MAX_SAMPLES samples are recorded (the first ones); NaN samples are
 * left out. */
enum anvil_stat {
	ANVIL_STAT_BEST,    /* max where higher is better, min where lower is (STREAM, HPL practice) */
	ANVIL_STAT_MEDIAN,
	ANVIL_STAT_MEAN,
};
#define ANVIL_MAX_SAMPLES 1000
void anvil_emit_metric_samples(struct anvil_ctx *ctx, const char *name, const double *samples, int n,
			       const char *unit, enum anvil_better better, enum anvil_stat stat);
/* A correctness check the runner itself decides (HPL residual, STREAM
 * validation). ok == 0 is an acceptance failure, with the measured value,
 * the limit and a sentence saying what went wrong. */
void anvil_emit_check(struct anvil_ctx *ctx, const char *name, int ok, double value,
		      double limit, const char *why);
/* Free-form facts (NB chosen, which LU was used …) as a JSON object; takes ownership. */
void anvil_emit_info(struct anvil_ctx *ctx, cJSON *info);

/* A table of figures against one x axis (message size, time …). */
struct anvil_series;
struct anvil_series *anvil_series_new(struct anvil_ctx *ctx, const char *name,
				      const char *x_name, const char *x_unit);
void anvil_series_column(struct anvil_series *s, const char *name, const char *unit);
/* One row: x and one value per column, in the order the columns were added. */
void anvil_series_row(struct anvil_series *s, double x, const double *values);
/* Emits the series and frees it. */
void anvil_series_emit(struct anvil_series *s);

#endif
