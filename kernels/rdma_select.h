/*
 * RDMA device, port and GID choice and link-rate decoding: pure functions on
 * plain structs, so they are tested without a device (tests/unit/
 * test_rdma_select.c). kernels/rdma_verbs.c fills the structs from
 * ibv_query_port() and ibv_query_gid_ex(); nothing here calls libibverbs.
 */
#ifndef ANVIL_RDMA_SELECT_H
#define ANVIL_RDMA_SELECT_H
#include <stddef.h>
#include <stdint.h>

#define ANVIL_RDMA_NAME_MAX 64   /* IBV_SYSFS_NAME_MAX */

/* The values of enum ibv_port_state and IBV_LINK_LAYER_* (the IB spec's). */
enum { ANVIL_RDMA_PORT_ACTIVE = 4 };
enum { ANVIL_RDMA_LL_UNSPEC = 0, ANVIL_RDMA_LL_IB = 1, ANVIL_RDMA_LL_ETH = 2 };

/* One port of one device, as ibv_query_port() reported it. */
struct anvil_rdma_port {
	char device[ANVIL_RDMA_NAME_MAX];
	int port;            /* 1-based */
	int state;           /* enum ibv_port_state */
	int link_layer;      /* ANVIL_RDMA_LL_* */
	int width, speed;    /* active_width, active_speed (ibverbs encodings) */
	uint32_t speed_ex;   /* active_speed_ex; 0 where the library has none */
	int mtu_bytes;       /* active_mtu in bytes; 0 unknown */
	char fw_ver[64];     /* ibv_query_device's fw_ver; "" unknown */
};

/* Parses "NAME" or "NAME:PORT" (the "device" parameter). "" means choose
 * automatically: name "" and port 0; "NAME" alone gives port 0 (its first
 * ACTIVE port). Returns 0, or -1 with one line in why. */
int anvil_rdma_parse_devport(const char *s, char *name, size_t namelen, int *port,
			     char *why, size_t whylen);

/* The index in ports[] to use: device "" picks the first ACTIVE port (list
 * order: devices as ibv_get_device_list() gives them, ports ascending); a
 * named device with port 0 its first ACTIVE port; a named port must be
 * ACTIVE. Returns -1 with why (naming what exists) when there is none. */
int anvil_rdma_pick_port(const struct anvil_rdma_port *ports, int n, const char *device,
			 int port, char *why, size_t len);
const char *anvil_rdma_port_state_name(int state);
const char *anvil_rdma_link_layer_name(int link_layer);

/* ---- GIDs ----------------------------------------------------------------- */

/* enum ibv_gid_type's values; UNKNOWN where the type could not be read. */
enum { ANVIL_RDMA_GID_UNKNOWN = -1, ANVIL_RDMA_GID_IB = 0, ANVIL_RDMA_GID_ROCE_V1 = 1,
       ANVIL_RDMA_GID_ROCE_V2 = 2 };

struct anvil_rdma_gid {
	uint8_t raw[16];
	int type;        /* ANVIL_RDMA_GID_* */
	int valid;       /* 0: the entry could not be read */
};

/* perftest's compute_gid_score(): -1 for an unreadable or all-zero entry,
 * else +100 when the address family is the preferred one (IPv4-mapped
 * ::ffff:a.b.c.d unless prefer_ipv6), +10 when not link-local (fe80::/10,
 * or 169.254/16 for IPv4-mapped), +2 for RoCE v2, +1 for RoCE v1. */
int anvil_rdma_gid_score(const struct anvil_rdma_gid *g, int prefer_ipv6);
/* perftest's get_best_gid_index(): the first entry with the highest score;
 * -1 when every entry is unusable. */
int anvil_rdma_pick_gid(const struct anvil_rdma_gid *gids, int n, int prefer_ipv6);
int anvil_rdma_gid_is_ipv4(const uint8_t raw[16]);
/* The GID as text ("::ffff:10.0.0.1", "fe80::…"). */
void anvil_rdma_gid_format(const uint8_t raw[16], char *buf, size_t len);
const char *anvil_rdma_gid_type_name(int type);

/* ---- link rate -------------------------------------------------------------- */

struct anvil_rdma_rate {
	int lanes;                /* 1, 2, 4, 8, 12 */
	const char *speed_name;   /* "SDR" … "XDR" */
	double lane_nominal_gbps; /* per lane, as ibv_devinfo prints it */
	double lane_data_gbps;    /* per lane, after line coding */
	double data_gbps;         /* lanes × lane_data_gbps: the link's data rate */
	double data_gbs;          /* the same in GB/s (10^9 bytes) */
};

/* Decodes ibv_port_attr.active_width (1, 2, 4, 8, 16 = 1x, 4x, 8x, 12x, 2x)
 * and active_speed (1, 2, 4, 8, 16, 32, 64, 128 = SDR … NDR; active_speed_ex
 * when non-zero, which adds 256 = XDR) into the link's theoretical data rate.
 * InfiniBand lanes lose their line coding (8b/10b up to QDR: 2, 4, 8 Gb/s;
 * 64b/66b for FDR10, FDR, EDR: 10, 13.64, 25); HDR, NDR, XDR are defined as
 * 50, 100, 200 Gb/s of data. On Ethernet (RoCE) the driver encodes the
 * Ethernet rate as lanes × nominal lane speed (100GbE = 4x EDR, 40GbE = 4x
 * QDR), so the nominal figure is the data rate there. Returns 0, or -1 with
 * why on a code it does not know. */
int anvil_rdma_decode_rate(int width, int speed, uint32_t speed_ex, int link_layer,
			   struct anvil_rdma_rate *r, char *why, size_t len);

#endif
