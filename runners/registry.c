#include "runners/registry.h"
#include <stdio.h>
#include <string.h>

extern const struct anvil_runner anvil_runner_hpl;
extern const struct anvil_runner anvil_runner_hpl_cluster;
extern const struct anvil_runner anvil_runner_cpu_dgemm;
extern const struct anvil_runner anvil_runner_stream;
extern const struct anvil_runner anvil_runner_gpu_dgemm;
extern const struct anvil_runner anvil_runner_gpu_hpl;
extern const struct anvil_runner anvil_runner_gpu_stream;
extern const struct anvil_runner anvil_runner_gpu_burn;
extern const struct anvil_runner anvil_runner_mpi_pingpong;
extern const struct anvil_runner anvil_runner_mpi_allreduce;
extern const struct anvil_runner anvil_runner_mpi_pairwise;
extern const struct anvil_runner anvil_runner_nccl_allreduce;
extern const struct anvil_runner anvil_runner_nccl_allgather;
extern const struct anvil_runner anvil_runner_nccl_reducescatter;
extern const struct anvil_runner anvil_runner_nccl_broadcast;
extern const struct anvil_runner anvil_runner_nccl_reduce;
extern const struct anvil_runner anvil_runner_nccl_alltoall;
extern const struct anvil_runner anvil_runner_nccl_sendrecv;
extern const struct anvil_runner anvil_runner_rdma_write_bw;
extern const struct anvil_runner anvil_runner_rdma_read_bw;
extern const struct anvil_runner anvil_runner_rdma_send_bw;
extern const struct anvil_runner anvil_runner_rdma_write_lat;
extern const struct anvil_runner anvil_runner_rdma_read_lat;
extern const struct anvil_runner anvil_runner_rdma_send_lat;
extern const struct anvil_runner anvil_runner_null;
extern const struct anvil_runner anvil_runner_fail;
extern const struct anvil_runner anvil_runner_sleep;
extern const struct anvil_runner anvil_runner_fio_seq_read;
extern const struct anvil_runner anvil_runner_fio_seq_write;
extern const struct anvil_runner anvil_runner_fio_rand_read;
extern const struct anvil_runner anvil_runner_fio_rand_write;
extern const struct anvil_runner anvil_runner_fio_mixed;
extern const struct anvil_runner anvil_runner_mdtest;
extern const struct anvil_runner anvil_runner_mpiio_shared;

/* Order is the default order of a plan that names no order. */
const struct anvil_runner *const anvil_runners[] = {
	&anvil_runner_hpl,
	&anvil_runner_hpl_cluster,
	&anvil_runner_cpu_dgemm,
	&anvil_runner_stream,
	&anvil_runner_gpu_dgemm,
	&anvil_runner_gpu_hpl,
	&anvil_runner_gpu_stream,
	&anvil_runner_gpu_burn,
	&anvil_runner_mpi_pingpong,
	&anvil_runner_mpi_allreduce,
	&anvil_runner_mpi_pairwise,
	&anvil_runner_nccl_allreduce,
	&anvil_runner_nccl_allgather,
	&anvil_runner_nccl_reducescatter,
	&anvil_runner_nccl_broadcast,
	&anvil_runner_nccl_reduce,
	&anvil_runner_nccl_alltoall,
	&anvil_runner_nccl_sendrecv,
	&anvil_runner_rdma_write_bw,
	&anvil_runner_rdma_read_bw,
	&anvil_runner_rdma_send_bw,
	&anvil_runner_rdma_write_lat,
	&anvil_runner_rdma_read_lat,
	&anvil_runner_rdma_send_lat,
	&anvil_runner_fio_seq_read,
	&anvil_runner_fio_seq_write,
	&anvil_runner_fio_rand_read,
	&anvil_runner_fio_rand_write,
	&anvil_runner_fio_mixed,
	&anvil_runner_mdtest,
	&anvil_runner_mpiio_shared,
	&anvil_runner_null,
	&anvil_runner_fail,
	&anvil_runner_sleep,
	NULL,
};

const struct anvil_runner *anvil_runner_find(const char *name)
{
	for (int i = 0; anvil_runners[i]; i++)
		if (strcmp(anvil_runners[i]->name, name) == 0)
			return anvil_runners[i];
	return NULL;
}

void anvil_runner_names(char *buf, size_t len, int include_test_only)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; anvil_runners[i] && n < len; i++) {
		if (!include_test_only && (anvil_runners[i]->needs & ANVIL_TEST_ONLY))
			continue;
		int w = snprintf(buf + n, len - n, "%s%s", n ? ", " : "", anvil_runners[i]->name);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

const char *anvil_scope_name(enum anvil_scope scope)
{
	switch (scope) {
	case ANVIL_SCOPE_PER_RANK: return "per-rank";
	case ANVIL_SCOPE_PER_NODE: return "per-node";
	case ANVIL_SCOPE_PAIRS: return "pairs";
	case ANVIL_SCOPE_ALL: return "all";
	}
	return "?";
}
