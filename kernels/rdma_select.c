/* Pure choice and decoding for the RDMA runners; see kernels/rdma_select.h. */
#include "kernels/rdma_select.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVPORT_FORM "expected NAME or NAME:PORT, e.g. mlx5_0 or mlx5_0:1"

static int bad_devport(const char *s, const char *what, char *why, size_t len)
{
	snprintf(why, len, "device \"%s\": %s (" DEVPORT_FORM ")", s, what);
	return -1;
}

int anvil_rdma_parse_devport(const char *s, char *name, size_t namelen, int *port,
			     char *why, size_t whylen)
{
	*port = 0;
	name[0] = '\0';
	if (!s || !*s)
		return 0;
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	if (n == 0)
		return bad_devport(s, "the device name is empty", why, whylen);
	if (n >= ANVIL_RDMA_NAME_MAX || n >= namelen)
		return bad_devport(s, "the device name is too long", why, whylen);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return bad_devport(s, "the device name has a character other than letters, digits, _ - .",
					   why, whylen);
	memcpy(name, s, n);
	name[n] = '\0';
	if (!colon)
		return 0;
	const char *p = colon + 1;
	if (!*p)
		return bad_devport(s, "the port after ':' is empty", why, whylen);
	for (const char *q = p; *q; q++)
		if (!isdigit((unsigned char)*q))
			return bad_devport(s, "the port is not a whole number", why, whylen);
	long v = 0;
	for (const char *q = p; *q && v <= 255; q++)
		v = v * 10 + (*q - '0');
	if (v < 1 || v > 255)
		return bad_devport(s, "the port must be 1..255 (ports are numbered from 1)", why, whylen);
	*port = (int)v;
	return 0;
}

const char *anvil_rdma_port_state_name(int state)
{
	static const char *const names[] = { "NOP", "DOWN", "INIT", "ARMED", "ACTIVE", "ACTIVE_DEFER" };
	return state >= 0 && state < 6 ? names[state] : "UNKNOWN";
}

const char *anvil_rdma_link_layer_name(int link_layer)
{
	return link_layer == ANVIL_RDMA_LL_IB ? "InfiniBand" :
	       link_layer == ANVIL_RDMA_LL_ETH ? "Ethernet" : "unspecified";
}

/* "mlx5_0:1 (DOWN), mlx5_1:1 (ACTIVE)" for messages. */
static void list_ports(const struct anvil_rdma_port *ports, int n, const char *device,
		       char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < n && off < len; i++) {
		if (device && *device && strcmp(ports[i].device, device))
			continue;
		int w = snprintf(buf + off, len - off, "%s%s:%d (%s)", off ? ", " : "", ports[i].device,
				 ports[i].port, anvil_rdma_port_state_name(ports[i].state));
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

static void list_devices(const struct anvil_rdma_port *ports, int n, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < n && off < len; i++) {
		if (i && !strcmp(ports[i].device, ports[i - 1].device))
			continue;
		int w = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", ports[i].device);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

int anvil_rdma_pick_port(const struct anvil_rdma_port *ports, int n, const char *device,
			 int port, char *why, size_t len)
{
	char have[400];
	int named = device && *device, seen = 0;
	if (n <= 0) {
		snprintf(why, len, "no RDMA device: ibv_get_device_list returned 0 devices");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (named && strcmp(ports[i].device, device))
			continue;
		seen = 1;
		if (port && ports[i].port != port)
			continue;
		if (ports[i].state == ANVIL_RDMA_PORT_ACTIVE)
			return i;
		if (port) {
			snprintf(why, len, "%s:%d is %s, not ACTIVE", ports[i].device, port,
				 anvil_rdma_port_state_name(ports[i].state));
			return -1;
		}
	}
	if (named && !seen) {
		list_devices(ports, n, have, sizeof(have));
		snprintf(why, len, "no RDMA device \"%s\" (this node has %s)", device, have);
	} else if (port) {
		list_ports(ports, n, device, have, sizeof(have));
		snprintf(why, len, "%s has no port %d (it has %s)", device, port, have);
	} else {
		list_ports(ports, n, device, have, sizeof(have));
		snprintf(why, len, "no ACTIVE RDMA port: %s", have);
	}
	return -1;
}

/* ---- GIDs ----------------------------------------------------------------- */

int anvil_rdma_gid_is_ipv4(const uint8_t raw[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t mcast[12] = { 0xff, 0x0e, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	/* perftest's ipv6_addr_v4mapped(): ::ffff:a.b.c.d, and IPv4 multicast ff0e::ffff:a.b.c.d */
	return !memcmp(raw, mapped, 12) || !memcmp(raw, mcast, 12);
}

static int gid_link_local(const uint8_t raw[16], int ipv4)
{
	if (ipv4)
		return raw[12] == 169 && raw[13] == 254;
	return raw[0] == 0xfe && (raw[1] & 0xc0) == 0x80;
}

int anvil_rdma_gid_score(const struct anvil_rdma_gid *g, int prefer_ipv6)
{
	static const uint8_t zero[16];
	if (!g->valid || !memcmp(g->raw, zero, 16))
		return -1;
	int ipv4 = anvil_rdma_gid_is_ipv4(g->raw), score = 0;
	if (prefer_ipv6 ? !ipv4 : ipv4)
		score += 100;
	if (!gid_link_local(g->raw, ipv4))
		score += 10;
	if (g->type == ANVIL_RDMA_GID_ROCE_V2)
		score += 2;
	else if (g->type == ANVIL_RDMA_GID_ROCE_V1)
		score += 1;
	return score;
}

int anvil_rdma_pick_gid(const struct anvil_rdma_gid *gids, int n, int prefer_ipv6)
{
	int best = -1, best_score = -1;
	for (int i = 0; i < n; i++) {
		int s = anvil_rdma_gid_score(&gids[i], prefer_ipv6);
		if (s > best_score) {
			best_score = s;
			best = i;
		}
	}
	return best;
}

void anvil_rdma_gid_format(const uint8_t raw[16], char *buf, size_t len)
{
	char text[INET6_ADDRSTRLEN];
	if (!inet_ntop(AF_INET6, raw, text, sizeof(text)))
		snprintf(text, sizeof(text), "?");
	snprintf(buf, len, "%s", text);
}

const char *anvil_rdma_gid_type_name(int type)
{
	return type == ANVIL_RDMA_GID_IB ? "IB" : type == ANVIL_RDMA_GID_ROCE_V1 ? "RoCE v1" :
	       type == ANVIL_RDMA_GID_ROCE_V2 ? "RoCE v2" : "unknown";
}

/* ---- link rate -------------------------------------------------------------- */

struct speed_row {
	uint32_t code;
	const char *name;
	double nominal, ib_data;  /* per lane, Gb/s */
};

/* Codes and nominal lane speeds as ibverbs and ibv_devinfo give them; the
 * InfiniBand data rates per the IB spec: 8b/10b to QDR, 64b/66b on the
 * 10.3125, 14.0625 and 25.78125 Gb/s lanes of FDR10, FDR and EDR, and HDR and
 * up defined as data rates. On Ethernet the mlx5 driver reports the Ethernet
 * rate as lanes x nominal (10GbE = 1x QDR, 56GbE = 4x FDR, 100GbE = 4x EDR,
 * 400GbE = 4x NDR), so there the nominal figure is the data rate. */
static const struct speed_row speeds[] = {
	{ 1, "SDR", 2.5, 2.0 },
	{ 2, "DDR", 5.0, 4.0 },
	{ 4, "QDR", 10.0, 8.0 },
	{ 8, "FDR10", 10.0, 10.3125 * 64 / 66 },
	{ 16, "FDR", 14.0, 14.0625 * 64 / 66 },
	{ 32, "EDR", 25.0, 25.78125 * 64 / 66 },
	{ 64, "HDR", 50.0, 50.0 },
	{ 128, "NDR", 100.0, 100.0 },
	{ 256, "XDR", 200.0, 200.0 },
};

static int width_lanes(int width)
{
	switch (width) {
	case 1: return 1;
	case 2: return 4;
	case 4: return 8;
	case 8: return 12;
	case 16: return 2;
	default: return 0;
	}
}

int anvil_rdma_decode_rate(int width, int speed, uint32_t speed_ex, int link_layer,
			   struct anvil_rdma_rate *r, char *why, size_t len)
{
	uint32_t code = speed_ex ? speed_ex : (uint32_t)speed;
	const struct speed_row *row = NULL;
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < sizeof(speeds) / sizeof(*speeds); i++)
		if (speeds[i].code == code)
			row = &speeds[i];
	r->lanes = width_lanes(width);
	if (!r->lanes) {
		snprintf(why, len, "unknown active_width %d (ibverbs encodes 1x, 4x, 8x, 12x, 2x as 1, 2, 4, 8, 16)",
			 width);
		return -1;
	}
	if (!row) {
		snprintf(why, len, "unknown active_speed %u%s (ibverbs encodes SDR..NDR as 1, 2, 4, ..., 128 and XDR as 256 in active_speed_ex)",
			 code, speed_ex ? " (active_speed_ex)" : "");
		return -1;
	}
	r->speed_name = row->name;
	r->lane_nominal_gbps = row->nominal;
	r->lane_data_gbps = link_layer == ANVIL_RDMA_LL_ETH ? row->nominal : row->ib_data;
	r->data_gbps = r->lanes * r->lane_data_gbps;
	r->data_gbs = r->data_gbps / 8;
	return 0;
}
