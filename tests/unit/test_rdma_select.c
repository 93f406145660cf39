/* RDMA choice and decoding without a device: link rates for every
 * active_width/active_speed code (and bad ones), GID choice on sample GID
 * tables, "device[:port]" parsing, and port choice. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <math.h>
#include <string.h>

#include "kernels/rdma_select.h"

#define EPS 1e-9

/* ---- link rate ---------------------------------------------------------------- */

struct lane { uint32_t code; const char *name; double ib, eth; };
static const struct lane lanes_tab[] = {
	{ 1, "SDR", 2.0, 2.5 },   { 2, "DDR", 4.0, 5.0 },       { 4, "QDR", 8.0, 10.0 },
	{ 8, "FDR10", 10.0, 10.0 }, { 16, "FDR", 14.0625 * 64 / 66, 14.0 }, { 32, "EDR", 25.0, 25.0 },
	{ 64, "HDR", 50.0, 50.0 }, { 128, "NDR", 100.0, 100.0 },
};
static const int width_code[] = { 1, 2, 4, 8, 16 }, width_lanes[] = { 1, 4, 8, 12, 2 };

static void test_rate_every_code(void **state)
{
	(void)state;
	char why[256];
	for (size_t w = 0; w < 5; w++) {
		for (size_t s = 0; s < sizeof(lanes_tab) / sizeof(*lanes_tab); s++) {
			struct anvil_rdma_rate r;
			assert_int_equal(anvil_rdma_decode_rate(width_code[w], (int)lanes_tab[s].code, 0, ANVIL_RDMA_LL_IB,
								&r, why, sizeof(why)), 0);
			assert_int_equal(r.lanes, width_lanes[w]);
			assert_string_equal(r.speed_name, lanes_tab[s].name);
			assert_true(fabs(r.data_gbps - width_lanes[w] * lanes_tab[s].ib) < EPS);
			assert_true(fabs(r.data_gbs - r.data_gbps / 8) < EPS);
			assert_int_equal(anvil_rdma_decode_rate(width_code[w], (int)lanes_tab[s].code, 0, ANVIL_RDMA_LL_ETH,
								&r, why, sizeof(why)), 0);
			assert_true(fabs(r.data_gbps - width_lanes[w] * lanes_tab[s].eth) < EPS);
		}
		/* XDR exists only in active_speed_ex; it wins over active_speed (which then says NDR) */
		struct anvil_rdma_rate r;
		assert_int_equal(anvil_rdma_decode_rate(width_code[w], 128, 256, ANVIL_RDMA_LL_IB, &r, why, sizeof(why)), 0);
		assert_string_equal(r.speed_name, "XDR");
		assert_true(fabs(r.data_gbps - width_lanes[w] * 200.0) < EPS);
	}
}

static void test_rate_known_links(void **state)
{
	(void)state;
	char why[256];
	struct anvil_rdma_rate r;
	struct { int w, s; uint32_t ex; int ll; double gbps; } cases[] = {
		{ 2, 32, 0, ANVIL_RDMA_LL_IB, 100.0 },        /* EDR 4x: 12.5 GB/s */
		{ 2, 64, 0, ANVIL_RDMA_LL_IB, 200.0 },        /* HDR 4x */
		{ 2, 128, 0, ANVIL_RDMA_LL_IB, 400.0 },       /* NDR 4x: 50 GB/s */
		{ 2, 128, 256, ANVIL_RDMA_LL_IB, 800.0 },     /* XDR 4x */
		{ 16, 64, 0, ANVIL_RDMA_LL_IB, 100.0 },       /* HDR100: 2x HDR */
		{ 2, 16, 0, ANVIL_RDMA_LL_IB, 54.54545454545 },/* FDR 4x: 56.25 Gb/s on the wire, 64b/66b */
		{ 2, 4, 0, ANVIL_RDMA_LL_IB, 32.0 },          /* QDR 4x: 40 Gb/s signalling, 8b/10b */
		{ 8, 32, 0, ANVIL_RDMA_LL_IB, 300.0 },        /* EDR 12x */
		{ 2, 4, 0, ANVIL_RDMA_LL_ETH, 40.0 },         /* 40GbE as mlx5 reports it */
		{ 1, 4, 0, ANVIL_RDMA_LL_ETH, 10.0 },         /* 10GbE */
		{ 1, 32, 0, ANVIL_RDMA_LL_ETH, 25.0 },        /* 25GbE */
		{ 2, 32, 0, ANVIL_RDMA_LL_ETH, 100.0 },       /* 100GbE */
		{ 2, 128, 0, ANVIL_RDMA_LL_ETH, 400.0 },      /* 400GbE */
		{ 2, 16, 0, ANVIL_RDMA_LL_ETH, 56.0 },        /* 56GbE */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_int_equal(anvil_rdma_decode_rate(cases[i].w, cases[i].s, cases[i].ex, cases[i].ll, &r, why,
							sizeof(why)), 0);
		assert_true(fabs(r.data_gbps - cases[i].gbps) < 1e-6);
	}
	anvil_rdma_decode_rate(2, 32, 0, ANVIL_RDMA_LL_IB, &r, why, sizeof(why));
	assert_true(fabs(r.data_gbs - 12.5) < EPS);
	assert_true(fabs(r.lane_nominal_gbps - 25.0) < EPS);
}

static void test_rate_invalid(void **state)
{
	(void)state;
	char why[256];
	struct anvil_rdma_rate r;
	int bad_widths[] = { 0, 3, 5, 32, 64, 255 };
	for (size_t i = 0; i < sizeof(bad_widths) / sizeof(*bad_widths); i++) {
		why[0] = '\0';
		assert_int_equal(anvil_rdma_decode_rate(bad_widths[i], 32, 0, ANVIL_RDMA_LL_IB, &r, why, sizeof(why)), -1);
		assert_non_null(strstr(why, "unknown active_width"));
	}
	int bad_speeds[] = { 0, 3, 5, 100, 255 };
	for (size_t i = 0; i < sizeof(bad_speeds) / sizeof(*bad_speeds); i++) {
		why[0] = '\0';
		assert_int_equal(anvil_rdma_decode_rate(2, bad_speeds[i], 0, ANVIL_RDMA_LL_IB, &r, why, sizeof(why)), -1);
		assert_non_null(strstr(why, "unknown active_speed"));
	}
	assert_int_equal(anvil_rdma_decode_rate(2, 128, 512, ANVIL_RDMA_LL_IB, &r, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "512 (active_speed_ex)"));
}

/* ---- GIDs ----------------------------------------------------------------------- */

static struct anvil_rdma_gid gid(const char *text, int type)
{
	struct anvil_rdma_gid g;
	memset(&g, 0, sizeof(g));
	g.type = type;
	g.valid = 1;
	if (text)
		assert_int_equal(inet_pton(AF_INET6, text, g.raw), 1);
	return g;
}

static void test_gid_roce_table(void **state)
{
	(void)state;
	/* the table mlx5 builds for an interface with a link-local IPv6, an IPv4 and a global IPv6 */
	struct anvil_rdma_gid t[] = {
		gid("fe80::b8ce:f6ff:fe12:3456", ANVIL_RDMA_GID_ROCE_V1),
		gid("fe80::b8ce:f6ff:fe12:3456", ANVIL_RDMA_GID_ROCE_V2),
		gid("::ffff:192.168.1.10", ANVIL_RDMA_GID_ROCE_V1),
		gid("::ffff:192.168.1.10", ANVIL_RDMA_GID_ROCE_V2),
		gid("2001:db8::10", ANVIL_RDMA_GID_ROCE_V1),
		gid("2001:db8::10", ANVIL_RDMA_GID_ROCE_V2),
		gid(NULL, ANVIL_RDMA_GID_ROCE_V2),   /* an empty slot */
	};
	assert_int_equal(anvil_rdma_pick_gid(t, 7, 0), 3);   /* RoCE v2, IPv4-mapped */
	assert_int_equal(anvil_rdma_pick_gid(t, 7, 1), 5);   /* RoCE v2, global IPv6 */
	assert_int_equal(anvil_rdma_gid_score(&t[3], 0), 112);
	assert_int_equal(anvil_rdma_gid_score(&t[2], 0), 111);
	assert_int_equal(anvil_rdma_gid_score(&t[1], 0), 2);     /* IPv6 link-local, v2 */
	assert_int_equal(anvil_rdma_gid_score(&t[5], 1), 112);
	assert_int_equal(anvil_rdma_gid_score(&t[6], 0), -1);    /* all zero */
	/* only link-local addresses: the RoCE v2 one */
	assert_int_equal(anvil_rdma_pick_gid(t, 2, 0), 1);
	/* an IPv4 link-local (169.254/16) loses to a routable IPv4 even as v1 */
	struct anvil_rdma_gid ll[] = {
		gid("::ffff:169.254.7.7", ANVIL_RDMA_GID_ROCE_V2),
		gid("::ffff:10.1.2.3", ANVIL_RDMA_GID_ROCE_V1),
	};
	assert_int_equal(anvil_rdma_gid_score(&ll[0], 0), 102);
	assert_int_equal(anvil_rdma_pick_gid(ll, 2, 0), 1);
	char text[64];
	anvil_rdma_gid_format(t[3].raw, text, sizeof(text));
	assert_string_equal(text, "::ffff:192.168.1.10");
}

static void test_gid_ib_and_unusable(void **state)
{
	(void)state;
	/* InfiniBand: the default subnet prefix fe80::/64 and the port GUID; type IB scores nothing */
	struct anvil_rdma_gid ib[] = {
		gid("fe80::248a:703:49:1234", ANVIL_RDMA_GID_IB),
		gid("fe80::248a:703:49:1235", ANVIL_RDMA_GID_IB),
	};
	assert_int_equal(anvil_rdma_gid_score(&ib[0], 0), 0);
	assert_int_equal(anvil_rdma_pick_gid(ib, 2, 0), 0);   /* ties go to the first, as perftest's '>' */
	struct anvil_rdma_gid none[] = { gid(NULL, ANVIL_RDMA_GID_ROCE_V2), gid("::ffff:10.0.0.1", ANVIL_RDMA_GID_ROCE_V2) };
	none[1].valid = 0;   /* unreadable */
	assert_int_equal(anvil_rdma_pick_gid(none, 2, 0), -1);
	assert_int_equal(anvil_rdma_pick_gid(none, 0, 0), -1);
	/* type unknown (ibv_query_gid_ex failed): family and scope still count */
	struct anvil_rdma_gid u = gid("::ffff:10.0.0.1", ANVIL_RDMA_GID_UNKNOWN);
	assert_int_equal(anvil_rdma_gid_score(&u, 0), 110);
	/* IPv4 multicast mapping counts as IPv4 too (perftest's ipv6_addr_v4mapped) */
	struct anvil_rdma_gid m = gid("ff0e::ffff:239.1.1.1", ANVIL_RDMA_GID_ROCE_V2);
	assert_true(anvil_rdma_gid_is_ipv4(m.raw));
	assert_false(anvil_rdma_gid_is_ipv4(ib[0].raw));
}

/* ---- device:port ---------------------------------------------------------------------- */

static void test_devport_good(void **state)
{
	(void)state;
	char name[ANVIL_RDMA_NAME_MAX], why[256];
	int port = -1;
	struct { const char *in, *name; int port; } ok[] = {
		{ "", "", 0 }, { "mlx5_0", "mlx5_0", 0 }, { "mlx5_0:1", "mlx5_0", 1 },
		{ "mlx5_bond_0:2", "mlx5_bond_0", 2 }, { "rxe-eth0.5:255", "rxe-eth0.5", 255 }, { "hfi1_0:0001", "hfi1_0", 1 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		assert_int_equal(anvil_rdma_parse_devport(ok[i].in, name, sizeof(name), &port, why, sizeof(why)), 0);
		assert_string_equal(name, ok[i].name);
		assert_int_equal(port, ok[i].port);
	}
	assert_int_equal(anvil_rdma_parse_devport(NULL, name, sizeof(name), &port, why, sizeof(why)), 0);
	assert_string_equal(name, "");
}

static void test_devport_bad(void **state)
{
	(void)state;
	char name[ANVIL_RDMA_NAME_MAX], why[256], longname[80];
	int port;
	memset(longname, 'a', 70);
	longname[70] = '\0';
	struct { const char *in, *says; } bad[] = {
		{ ":1", "the device name is empty" },
		{ "mlx5_0:", "the port after ':' is empty" },
		{ "mlx5_0:x", "the port is not a whole number" },
		{ "mlx5_0:-1", "the port is not a whole number" },
		{ "mlx5_0:1:2", "the port is not a whole number" },
		{ "mlx5_0:0", "the port must be 1..255" },
		{ "mlx5_0:256", "the port must be 1..255" },
		{ "mlx5_0:99999999999999999999", "the port must be 1..255" },
		{ "mlx 5", "a character other than" },
		{ longname, "the device name is too long" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		why[0] = '\0';
		assert_int_equal(anvil_rdma_parse_devport(bad[i].in, name, sizeof(name), &port, why, sizeof(why)), -1);
		assert_non_null(strstr(why, bad[i].says));
		assert_non_null(strstr(why, "expected NAME or NAME:PORT"));
		assert_true(!strncmp(why, "device \"", 8));
	}
}

/* ---- port choice -------------------------------------------------------------------------- */

static void test_pick_port(void **state)
{
	(void)state;
	char why[512];
	struct anvil_rdma_port p[] = {
		{ "mlx5_0", 1, 1, ANVIL_RDMA_LL_IB, 2, 64, 0, 0, "" },                      /* DOWN */
		{ "mlx5_1", 1, ANVIL_RDMA_PORT_ACTIVE, ANVIL_RDMA_LL_IB, 2, 64, 0, 0, "" },
		{ "mlx5_1", 2, ANVIL_RDMA_PORT_ACTIVE, ANVIL_RDMA_LL_ETH, 2, 32, 0, 0, "" },
	};
	assert_int_equal(anvil_rdma_pick_port(p, 3, "", 0, why, sizeof(why)), 1);
	assert_int_equal(anvil_rdma_pick_port(p, 3, NULL, 0, why, sizeof(why)), 1);
	assert_int_equal(anvil_rdma_pick_port(p, 3, "mlx5_1", 0, why, sizeof(why)), 1);
	assert_int_equal(anvil_rdma_pick_port(p, 3, "mlx5_1", 2, why, sizeof(why)), 2);
	assert_int_equal(anvil_rdma_pick_port(p, 3, "mlx5_0", 1, why, sizeof(why)), -1);
	assert_string_equal(why, "mlx5_0:1 is DOWN, not ACTIVE");
	assert_int_equal(anvil_rdma_pick_port(p, 3, "mlx5_0", 0, why, sizeof(why)), -1);
	assert_string_equal(why, "no ACTIVE RDMA port: mlx5_0:1 (DOWN)");
	assert_int_equal(anvil_rdma_pick_port(p, 3, "mlx5_9", 0, why, sizeof(why)), -1);
	assert_string_equal(why, "no RDMA device \"mlx5_9\" (this node has mlx5_0, mlx5_1)");
	assert_int_equal(anvil_rdma_pick_port(p, 3, "mlx5_1", 3, why, sizeof(why)), -1);
	assert_string_equal(why, "mlx5_1 has no port 3 (it has mlx5_1:1 (ACTIVE), mlx5_1:2 (ACTIVE))");
	assert_int_equal(anvil_rdma_pick_port(p, 1, "", 0, why, sizeof(why)), -1);
	assert_string_equal(why, "no ACTIVE RDMA port: mlx5_0:1 (DOWN)");
	assert_int_equal(anvil_rdma_pick_port(p, 0, "", 0, why, sizeof(why)), -1);
	assert_string_equal(why, "no RDMA device: ibv_get_device_list returned 0 devices");
	assert_string_equal(anvil_rdma_port_state_name(4), "ACTIVE");
	assert_string_equal(anvil_rdma_port_state_name(9), "UNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_every_code),
		cmocka_unit_test(test_rate_known_links),
		cmocka_unit_test(test_rate_invalid),
		cmocka_unit_test(test_gid_roce_table),
		cmocka_unit_test(test_gid_ib_and_unusable),
		cmocka_unit_test(test_devport_good),
		cmocka_unit_test(test_devport_bad),
		cmocka_unit_test(test_pick_port),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
