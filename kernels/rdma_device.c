/*
 * The first half of opening an RDMA end, as perftest's ctx_init and
 * check_link_and_mtu do it: the device list and its ports, the port to use,
 * the GID (perftest's get_best_gid_index on RoCE), the path MTU, inline size
 * and reads in flight. The choices themselves are kernels/rdma_select.c's
 * pure functions.
 */
#ifdef ANVIL_HAVE_IBVERBS
#include "kernels/rdma_internal.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert((int)IBV_PORT_ACTIVE == (int)ANVIL_RDMA_PORT_ACTIVE, "port state values");
_Static_assert((int)IBV_LINK_LAYER_INFINIBAND == (int)ANVIL_RDMA_LL_IB &&
	       (int)IBV_LINK_LAYER_ETHERNET == (int)ANVIL_RDMA_LL_ETH, "link layer values");
_Static_assert((int)IBV_GID_TYPE_IB == (int)ANVIL_RDMA_GID_IB &&
	       (int)IBV_GID_TYPE_ROCE_V1 == (int)ANVIL_RDMA_GID_ROCE_V1 &&
	       (int)IBV_GID_TYPE_ROCE_V2 == (int)ANVIL_RDMA_GID_ROCE_V2, "GID type values");

#define DEF_INLINE_WRITE 220  /* perftest's latency defaults for RC */
#define DEF_INLINE_SEND 236

uint32_t anvil_rdma_speed_ex(const struct ibv_port_attr *a)
{
#ifdef ANVIL_HAVE_IBV_SPEED_EX
	return a->active_speed_ex;
#else
	(void)a;
	return 0;
#endif
}

int anvil_rdma_fail(char *why, size_t len, const char *fmt, const char *what, int err)
{
	snprintf(why, len, fmt, what, strerror(err));
	return -1;
}

static struct ibv_device **device_list(int *n, char *why, size_t len)
{
	errno = 0;
	struct ibv_device **list = ibv_get_device_list(n);
	if (!list || *n <= 0) {
		int e = errno;
		snprintf(why, len, "no RDMA device: ibv_get_device_list returned 0 devices%s%s%s",
			 e ? " (" : "", e ? strerror(e) : "", e ? ")" : "");
		if (list)
			ibv_free_device_list(list);
		*n = 0;
		return NULL;
	}
	return list;
}

static int add_ports(struct ibv_context *c, const char *name, struct anvil_rdma_port **ports, int *n)
{
	struct ibv_device_attr da;
	if (ibv_query_device(c, &da))
		return -1;
	for (int p = 1; p <= da.phys_port_cnt; p++) {
		struct ibv_port_attr pa;
		if (ibv_query_port(c, (uint8_t)p, &pa))
			continue;
		struct anvil_rdma_port *grown = realloc(*ports, sizeof(**ports) * (size_t)(*n + 1));
		if (!grown)
			return -1;
		*ports = grown;
		struct anvil_rdma_port *x = &grown[(*n)++];
		memset(x, 0, sizeof(*x));
		snprintf(x->device, sizeof(x->device), "%s", name);
		x->port = p;
		x->state = pa.state;
		x->link_layer = pa.link_layer;
		x->width = pa.active_width;
		x->speed = pa.active_speed;
		x->speed_ex = anvil_rdma_speed_ex(&pa);
		/* enum ibv_mtu: IBV_MTU_256 = 1 … IBV_MTU_4096 = 5 */
		x->mtu_bytes = pa.active_mtu >= IBV_MTU_256 && pa.active_mtu <= IBV_MTU_4096
			       ? 128 << pa.active_mtu : 0;
		snprintf(x->fw_ver, sizeof(x->fw_ver), "%s", da.fw_ver);
	}
	return 0;
}

int anvil_rdma_list_ports(struct anvil_rdma_port **ports, int *n, char *why, size_t len)
{
	int ndev = 0;
	*ports = NULL;
	*n = 0;
	struct ibv_device **list = device_list(&ndev, why, len);
	if (!list)
		return -1;
	char unopened[256] = "";
	for (int i = 0; i < ndev; i++) {
		const char *name = ibv_get_device_name(list[i]);
		struct ibv_context *c = ibv_open_device(list[i]);
		if (!c || add_ports(c, name, ports, n)) {
			size_t o = strlen(unopened);
			snprintf(unopened + o, sizeof(unopened) - o, "%s%s (%s)", o ? ", " : "", name,
				 strerror(errno ? errno : EIO));
		}
		if (c)
			ibv_close_device(c);
	}
	ibv_free_device_list(list);
	if (!*n) {
		snprintf(why, len, "no RDMA port could be queried: %s", unopened);
		return -1;
	}
	return 0;
}

/* ---- open ------------------------------------------------------------------- */

int anvil_rdma_open_port(struct anvil_rdma *r, char *why, size_t len)
{
	struct anvil_rdma_port *ports;
	int n, ndev;
	if (anvil_rdma_list_ports(&ports, &n, why, len))
		return -1;
	int i = anvil_rdma_pick_port(ports, n, r->o.device, r->o.port, why, len);
	if (i < 0) {
		free(ports);
		return -1;
	}
	snprintf(r->o.device, sizeof(r->o.device), "%s", ports[i].device);
	r->port = ports[i].port;
	free(ports);
	/* mlx5 would scatter small receives into the CQE and copy them with the
	 * CPU, which cannot write GPU memory (perftest does the same). */
	if (r->o.gpu_memory && r->o.verb == ANVIL_RDMA_SEND)
		setenv("MLX5_SCATTER_TO_CQE", "0", 1);
	struct ibv_device **list = device_list(&ndev, why, len);
	for (int d = 0; list && d < ndev && !r->ctx; d++)
		if (!strcmp(ibv_get_device_name(list[d]), r->o.device))
			r->ctx = ibv_open_device(list[d]);
	int e = errno;
	if (list)
		ibv_free_device_list(list);
	if (!r->ctx)
		return anvil_rdma_fail(why, len, "ibv_open_device(%s) failed: %s", r->o.device, e ? e : ENODEV);
	if (ibv_query_device(r->ctx, &r->dattr) || ibv_query_port(r->ctx, (uint8_t)r->port, &r->pattr))
		return anvil_rdma_fail(why, len, "cannot query %s: %s", r->o.device, errno ? errno : EIO);
	return 0;
}

static int read_gid(struct anvil_rdma *r, int index, struct anvil_rdma_gid *g)
{
	struct ibv_gid_entry e;
	memset(g, 0, sizeof(*g));
	g->type = ANVIL_RDMA_GID_UNKNOWN;
	if (!ibv_query_gid_ex(r->ctx, (uint32_t)r->port, (uint32_t)index, &e, 0)) {
		memcpy(g->raw, e.gid.raw, 16);
		g->type = (int)e.gid_type;
		g->valid = 1;
	} else {
		union ibv_gid gid;
		if (!ibv_query_gid(r->ctx, (uint8_t)r->port, index, &gid)) {
			memcpy(g->raw, gid.raw, 16);
			g->valid = 1;
		}
	}
	return g->valid ? 0 : -1;
}

/* perftest: RoCE always uses a GRH (its best-scored GID unless one is
 * given); InfiniBand routes by LID unless a GID index is given. */
int anvil_rdma_choose_gid(struct anvil_rdma *r, char *why, size_t len)
{
	int tbl = r->pattr.gid_tbl_len;
	struct anvil_rdma_gid g;
	r->gid_index = r->o.gid_index;
	r->gid_type = ANVIL_RDMA_GID_UNKNOWN;
	if (r->gid_index >= tbl) {
		snprintf(why, len, "gid_index %d: %s:%d has %d GID entries (0..%d)", r->gid_index, r->o.device,
			 r->port, tbl, tbl - 1);
		return -1;
	}
	if (r->gid_index < 0 && r->pattr.link_layer == IBV_LINK_LAYER_ETHERNET) {
		struct anvil_rdma_gid *all = calloc((size_t)(tbl > 0 ? tbl : 1), sizeof(*all));
		if (!all)
			return anvil_rdma_fail(why, len, "%s: %s", "GID table", ENOMEM);
		for (int i = 0; i < tbl; i++)
			read_gid(r, i, &all[i]);
		r->gid_index = anvil_rdma_pick_gid(all, tbl, 0);
		free(all);
		if (r->gid_index < 0) {
			snprintf(why, len, "no usable GID on %s:%d (all %d entries empty): is an IP address set on its interface?",
				 r->o.device, r->port, tbl);
			return -1;
		}
	}
	if (read_gid(r, r->gid_index >= 0 ? r->gid_index : 0, &g) && r->gid_index >= 0) {
		snprintf(why, len, "cannot read GID %d of %s:%d", r->gid_index, r->o.device, r->port);
		return -1;
	}
	memcpy(r->gid.raw, g.raw, 16);
	r->gid_type = g.type;
	return 0;
}

static enum ibv_mtu mtu_code(int bytes)
{
	switch (bytes) {
	case 256: return IBV_MTU_256;
	case 512: return IBV_MTU_512;
	case 1024: return IBV_MTU_1024;
	case 2048: return IBV_MTU_2048;
	case 4096: return IBV_MTU_4096;
	default: return 0;
	}
}

int anvil_rdma_choose_limits(struct anvil_rdma *r, char *why, size_t len)
{
	r->mtu = r->pattr.active_mtu;
	if (r->o.mtu) {
		enum ibv_mtu want = mtu_code(r->o.mtu);
		if (!want) {
			snprintf(why, len, "mtu %d: expected 0 (the port's) or 256, 512, 1024, 2048, 4096", r->o.mtu);
			return -1;
		}
		if (want < r->mtu)
			r->mtu = want;   /* as perftest, never above the active MTU */
	}
	int dflt = r->o.latency && !r->o.gpu_memory ?
		   (r->o.verb == ANVIL_RDMA_WRITE ? DEF_INLINE_WRITE : r->o.verb == ANVIL_RDMA_SEND ? DEF_INLINE_SEND : 0) : 0;
	r->inline_size = r->o.inline_size < 0 ? dflt : r->o.inline_size;
	if (r->o.verb == ANVIL_RDMA_READ)
		r->inline_size = 0;
	if (r->o.gpu_memory && r->inline_size > 0) {
		snprintf(why, len, "inline_size %d with gpu_memory: inline data is copied by the CPU from GPU memory, which it cannot read (perftest refuses it too); set inline_size 0",
			 r->inline_size);
		return -1;
	}
	r->out_reads = 1;
	if (r->o.verb == ANVIL_RDMA_READ) {
		int a = r->dattr.max_qp_rd_atom, b = r->dattr.max_qp_init_rd_atom;
		r->out_reads = a < b ? a : b;
		if (r->out_reads < 1)
			r->out_reads = 1;
	}
	return 0;
}

#endif /* ANVIL_HAVE_IBVERBS */
