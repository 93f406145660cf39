/*
 * The machinery every NCCL runner shares, after nccl-tests (src/common.cu):
 * one GPU per rank by local rank, a communicator bootstrapped with
 * ncclGetUniqueId on rank 0 + MPI_Bcast + ncclCommInitRank, the size sweep
 * of runners/sweep.h, warm-up, out-of-place and in-place timing (host clock
 * around `iters` launches and one stream wait, averaged over ranks, buffers
 * shifted each iteration as nccl-tests does), algbw and busbw, and a check
 * of every size with exactly predictable data.
 *
 * A collective is one small file (runners/nccl_<name>.c) filling a struct
 * anvil_nccl_coll: its element counts and its bus-bandwidth factor side by
 * side, as nccl-tests' <name>.cu does, and the NCCL call.
 */
#ifndef ANVIL_NCCL_COMMON_H
#define ANVIL_NCCL_COMMON_H
#include "runners/gpu_common.h"
#include "runners/sweep.h"

#if !defined(ANVIL_HAVE_NCCL) && !defined(ANVIL_GPU_NOT_BUILT)
#define ANVIL_NCCL_NOT_BUILT "NCCL (nccl.h, libnccl) not found at configure time"
#elif defined(ANVIL_GPU_NOT_BUILT)
#define ANVIL_NCCL_NOT_BUILT ANVIL_GPU_NOT_BUILT
#else
#define ANVIL_NCCL_BUILT 1
#endif

/* Parameters of every NCCL runner: the sweep (8 B .. 1 GiB, x2) and the size
 * from which busbw is judged. */
#define ANVIL_NCCL_PARAMS \
	ANVIL_SWEEP_PARAMS("8", "1073741824", "20", "5"), \
	{ "judge_from_bytes", ANVIL_P_INT, "268435456", \
	  "busbw_gbs is the mean out-of-place busbw over the sizes from this one on (never all sizes)" }

/* The parameter tables of the NCCL runners: the sweep and judge_from_bytes;
 * and those with a "root" rank as well (broadcast, reduce). */
extern const struct anvil_param anvil_nccl_params[], anvil_nccl_root_params[];

/* The runner of one collective, in its runners/nccl_<name>.c:
 *   ANVIL_NCCL_RUNNER(allreduce, anvil_nccl_allreduce, "nccl-allreduce", "summary", anvil_nccl_params);
 * defines anvil_runner_nccl_<id> (every NCCL runner needs a GPU per rank and
 * NCCL, on one communicator; one rank is enough, as for nccl-tests: its
 * collectives are copies within the GPU, checked and timed, with no busbw
 * and the path "local") and its run(), which is anvil_nccl_run on `coll`.
 * Where NCCL is not built, the runner says why and `coll` is not referred to. */
#ifdef ANVIL_NCCL_BUILT
#define ANVIL_NCCL_RUNNER(id, coll, name_, summary_, params_) \
	static enum anvil_status nccl_##id##_run(struct anvil_ctx *ctx) \
	{ \
		return anvil_nccl_run(ctx, &(coll)); \
	} \
	ANVIL_NCCL_RUNNER_DEF(id, name_, summary_, params_, .available = anvil_gpu_available, .run = nccl_##id##_run)
#else
#define ANVIL_NCCL_RUNNER(id, coll, name_, summary_, params_) \
	ANVIL_NCCL_RUNNER_DEF(id, name_, summary_, params_, .not_built = ANVIL_NCCL_NOT_BUILT)
#endif
#define ANVIL_NCCL_RUNNER_DEF(id, name_, summary_, params_, ...) \
	const struct anvil_runner anvil_runner_nccl_##id = { \
		.name = name_, \
		.summary = summary_, \
		.needs = ANVIL_NEEDS_GPU | ANVIL_NEEDS_NCCL, \
		.scope = ANVIL_SCOPE_ALL, \
		.params = params_, \
		__VA_ARGS__ \
	}

#ifdef ANVIL_NCCL_BUILT
#include <nccl.h>
#include "kernels/gpu_kernels.h"

/* nccl-tests' GetCollByteCount, in elements: for a "size" of `count`
 * elements, what each rank sends and receives, the count NCCL is given, and
 * where the input and output sit inside the receive buffer when in place
 * (multiplied by the rank). */
struct anvil_nccl_counts {
	size_t send, recv, param;
	size_t send_inplace_off, recv_inplace_off;
};

struct anvil_nccl_coll {
	const char *name;          /* nccl-tests' name: the series name */
	int in_place;              /* nccl-tests checks in place (not alltoall, sendrecv) */
	int summed;                /* a reduction: inputs are summed */
	int root_only;             /* only the root's output is defined (reduce) */
	enum anvil_nccl_expect expect;
	void (*counts)(size_t count, int nranks, struct anvil_nccl_counts *c);
	/* nccl-tests' GetBw: algbw = param * 4 B * alg_factor / t; busbw = algbw * bus_factor */
	double (*alg_factor)(int nranks);
	double (*bus_factor)(int nranks);
	ncclResult_t (*run)(const void *send, void *recv, size_t param, int root, ncclComm_t comm,
			    cudaStream_t stream);
};

/* The collectives, one per runners/nccl_<name>.c. */
extern const struct anvil_nccl_coll anvil_nccl_allreduce, anvil_nccl_allgather, anvil_nccl_reducescatter,
	anvil_nccl_broadcast, anvil_nccl_reduce, anvil_nccl_alltoall, anvil_nccl_sendrecv;

/* The whole test for coll, on every rank of the context's communicator. */
enum anvil_status anvil_nccl_run(struct anvil_ctx *ctx, const struct anvil_nccl_coll *coll);

/*
 * Collective over comm; the result on rank 0 (NULL elsewhere): the path the
 * collective crosses ("local" on one rank, "nvlink" within a node where every
 * GPU has active NVLink, "pcie" within a node otherwise, "network" across
 * nodes) and the
 * per-GPU, per-direction peak it allows where the topology gives a number:
 * PCIe, the slowest GPU's link (rates of configs/hardware/links.json);
 * network, the active RDMA ports' rate of rank 0's node / 8 / GPUs per node.
 * NVLink: NAN here, the report takes the datasheet's nvlink_gbs_per_dir.
 * Caller owns the object.
 */
cJSON *anvil_nccl_topology(struct anvil_ctx *ctx, MPI_Comm comm, const struct anvil_gpu *gpu,
			   const char **path, double *peak);

/* What each rank tells rank 0 for it (4 ints: gathered as such): its node,
 * its GPU's active NVLink links (-1: unknown), PCIe generation and width. */
struct anvil_nccl_topo_rank {
	int node, nvlink, pcie_gen, pcie_width;
};

/* Rank 0's reading of the n ranks' facts: the path ("local" on one rank:
 * no link is crossed), the peak (NAN where none), the facts into t;
 * nic_gbps gives the active RDMA ports of rank 0's node (Gb/s, summed) and
 * lists them into its array, only where the path is the network. */
const char *anvil_nccl_topo_path(const struct anvil_nccl_topo_rank *all, int n, double (*nic_gbps)(cJSON *nics),
				 cJSON *t, double *peak);

/* nccl-tests' GetCollByteCount where every rank sends and receives the
 * whole count and NCCL is given it (all_reduce, broadcast, reduce, sendrecv). */
void anvil_nccl_counts_whole(size_t count, int nranks, struct anvil_nccl_counts *c);

/* The bandwidth factors more than one collective has (nccl-tests' GetBw):
 * 1; nranks (algbw of the split collectives: size = n x part); (n-1)/n
 * (busbw of all_gather, reduce_scatter, alltoall: a rank's own block does
 * not cross a link). */
double anvil_nccl_factor_one(int nranks);
double anvil_nccl_factor_ranks(int nranks);
double anvil_nccl_factor_ring(int nranks);

/* nccl-tests' element-count rule for split buffers: count / nranks rounded
 * down to 16 bytes (4 floats). */
size_t anvil_nccl_split(size_t count, int nranks);

/* What the sweep keeps of its out-of-place figures for the judged ones. */
struct anvil_nccl_judged {
	double bus_sum, alg_sum, bus_min;  /* over the sizes from judge_from_bytes on */
	int count;                         /* how many */
	size_t largest;                    /* the last size measured, as reported; 0: none */
	double bus_largest, alg_largest, lat_us;
	long long wrong;
};

/* One measured size. `nominal` is the sweep's size, the one judge_from_bytes
 * is compared with (a profile names sizes of the sweep); `bytes` is the size
 * reported for it, which the split collectives round down to whole 16-byte
 * blocks per rank: on 3 ranks 256 MiB reports 268435440 B. */
void anvil_nccl_judge_add(struct anvil_nccl_judged *j, size_t nominal, size_t bytes, size_t judge_from,
			  double time_s, double algbw, double busbw);

/* The judged figures: busbw, the mean over the sizes from judge_from_bytes
 * on (the largest size's where none reached it), their minimum, and algbw
 * likewise. -1 when no size was measured: there is no figure to give. */
int anvil_nccl_judge_figures(const struct anvil_nccl_judged *j, double *bus, double *bus_min, double *alg);
#endif

#endif
