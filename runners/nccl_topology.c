/* The topology an NCCL collective crosses and the peak it allows; see
 * anvil_nccl_topology() in runners/nccl_common.h. */
#include "runners/nccl_common.h"

#ifdef ANVIL_NCCL_BUILT
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PCIe data rate per lane and direction in GB/s after line encoding: the
 * x16 figures of configs/hardware/links.json (pcie_x16_gbs_per_dir) / 16;
 * Gen1-2 8b/10b, Gen3-5 128b/130b, Gen6 FLIT (~121 GB/s x16). */
static double pcie_lane_gbs(int gen)
{
	static const double rate[] = { 0, 0.25, 0.5, 0.984375, 1.96875, 3.9375, 7.5625 };
	return gen >= 1 && gen <= 6 ? rate[gen] : NAN;
}

static int read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return 0;
}

/* Active RDMA ports of this node (/sys/class/infiniband/<dev>/ports/<n>)
 * into nics; their summed rate in Gb/s ("400 Gb/sec (4X NDR)"). */
static double node_nic_gbps(cJSON *nics)
{
	glob_t g;
	double sum = 0;
	if (glob("/sys/class/infiniband/*/ports/*/rate", 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char dir[512], path[600], state[64], rate[64], layer[64] = "";
		double gbps;
		snprintf(dir, sizeof(dir), "%.*s", (int)(strlen(g.gl_pathv[i]) - 5), g.gl_pathv[i]);
		snprintf(path, sizeof(path), "%s/state", dir);
		if (read_text(path, state, sizeof(state)) || !strstr(state, "ACTIVE") ||
		    read_text(g.gl_pathv[i], rate, sizeof(rate)) || sscanf(rate, "%lf", &gbps) != 1)
			continue;
		snprintf(path, sizeof(path), "%s/link_layer", dir);
		read_text(path, layer, sizeof(layer));
		layer[strcspn(layer, "\n")] = '\0';
		cJSON *nic = cJSON_CreateObject();
		cJSON_AddStringToObject(nic, "port", dir + strlen("/sys/class/infiniband/"));
		cJSON_AddNumberToObject(nic, "rate_gbps", gbps);
		cJSON_AddStringToObject(nic, "link_layer", layer);
		cJSON_AddItemToArray(nics, nic);
		sum += gbps;
	}
	globfree(&g);
	return sum;
}

static void topo_local(struct anvil_ctx *ctx, int rank, const struct anvil_gpu *gpu, struct anvil_nccl_topo_rank *m)
{
	m->node = anvil_ctx_node_of(ctx, rank);
	m->nvlink = -1;
	m->pcie_gen = m->pcie_width = 0;
	if (!gpu->have_nvml)
		return;
	m->nvlink = anvil_nvml_nvlink_active(gpu->nvml);
	cJSON *f = anvil_nvml_facts(gpu->nvml, 0);
	double g = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(f, "pcie_max_gen"));
	double w = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(f, "pcie_max_width"));
	m->pcie_gen = isfinite(g) ? (int)g : 0;
	m->pcie_width = isfinite(w) ? (int)w : 0;
	cJSON_Delete(f);
}

const char *anvil_nccl_topo_path(const struct anvil_nccl_topo_rank *all, int n, double (*nic_gbps)(cJSON *nics),
				 cJSON *t, double *peak)
{
	const char *path = "unknown";
	*peak = NAN;
	int nodes = 0, per_node = 0, nvl = all[0].nvlink, gen = all[0].pcie_gen, width = all[0].pcie_width;
	for (int r = 0; r < n; r++) {
		int here = 0, first = 1;
		for (int q = 0; q < n; q++) {
			here += all[q].node == all[r].node;
			first &= !(q < r && all[q].node == all[r].node);
		}
		nodes += first;
		per_node = here > per_node ? here : per_node;
		nvl = all[r].nvlink < 0 || nvl < 0 ? -1 : all[r].nvlink < nvl ? all[r].nvlink : nvl;
		gen = all[r].pcie_gen < gen ? all[r].pcie_gen : gen;
		width = all[r].pcie_width < width ? all[r].pcie_width : width;
	}
	cJSON_AddNumberToObject(t, "nodes", nodes);
	cJSON_AddNumberToObject(t, "gpus_per_node", per_node);
	cJSON_AddNumberToObject(t, "nvlink_active_links_min", nvl);
	cJSON_AddNumberToObject(t, "pcie_gen_min", gen);
	cJSON_AddNumberToObject(t, "pcie_width_min", width);
	if (n == 1) {
		/* a lone GPU's NVLink is up on an NVSwitch board all the same, but
		 * its collectives are copies within the GPU: judged as NVLink they
		 * would fail (busbw 0 at factor (n-1)/n) */
		path = "local";
		cJSON_AddStringToObject(t, "peak_rule", "one rank: no link is crossed (NCCL copies within the GPU)");
	} else if (nodes > 1) {
		cJSON *nics = cJSON_AddArrayToObject(t, "nics_rank0_node");
		double gbps = nic_gbps(nics);
		path = "network";
		if (gbps > 0 && per_node > 0)
			*peak = gbps / 8.0 / per_node;
		cJSON_AddStringToObject(t, "peak_rule", "sum of active RDMA port rates of a node / 8 / GPUs per node");
	} else if (nvl > 0) {
		path = "nvlink";
		cJSON_AddStringToObject(t, "peak_rule", "datasheet gpu.nvlink_gbs_per_dir (the profile's peak rule)");
	} else if (nvl == 0) {
		path = "pcie";
		if (gen > 0 && width > 0)
			*peak = pcie_lane_gbs(gen) * width;
		cJSON_AddStringToObject(t, "peak_rule", "slowest GPU's PCIe link, per direction (links.json rates)");
	}
	cJSON_AddStringToObject(t, "path", path);
	if (isfinite(*peak))
		cJSON_AddNumberToObject(t, "peak_gbs_per_gpu", *peak);
	return path;
}

cJSON *anvil_nccl_topology(struct anvil_ctx *ctx, MPI_Comm comm, const struct anvil_gpu *gpu,
			   const char **path, double *peak)
{
	int rank, n;
	MPI_Comm_rank(comm, &rank);
	MPI_Comm_size(comm, &n);
	struct anvil_nccl_topo_rank m, *all = rank == 0 ? calloc((size_t)n, sizeof(m)) : NULL;
	topo_local(ctx, rank, gpu, &m);
	MPI_Gather(&m, 4, MPI_INT, all, 4, MPI_INT, 0, comm);
	*path = "unknown";
	*peak = NAN;
	if (rank != 0)
		return NULL;
	cJSON *t = cJSON_CreateObject();
	if (!all)
		return t;
	*path = anvil_nccl_topo_path(all, n, node_nic_gbps, t, peak);
	free(all);
	return t;
}
#endif
