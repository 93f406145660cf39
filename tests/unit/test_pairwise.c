/* reports/pairwise.c: the median, the peers rule on a pair matrix, the
 * culprit algorithm on synthetic matrices, and the whole path through
 * anvil_report_build (matrix, culprits, checks, verdict, exit code). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/pairwise.h"
#include "reports/report.h"

#define NMAX 16

/* ---- synthetic matrices ------------------------------------------------- */

static unsigned rng_state = 12345;

static double noise(void)  /* uniform in [-1, 1] */
{
	rng_state = rng_state * 1103515245u + 12345u;
	return ((rng_state >> 8) & 0xffff) / 32767.5 - 1.0;
}

/* n x n, every pair `base` +-5%, diagonal NAN. */
static void fill(double *v, int n, double base)
{
	for (int i = 0; i < n; i++) {
		v[i * n + i] = NAN;
		for (int j = i + 1; j < n; j++)
			v[i * n + j] = v[j * n + i] = base * (1 + 0.05 * noise());
	}
}

static void scale_pair(double *v, int n, int a, int b, double f)
{
	v[a * n + b] *= f;
	v[b * n + a] = v[a * n + b];
}

static void scale_node(double *v, int n, int x, double f)
{
	for (int j = 0; j < n; j++)
		if (j != x)
			scale_pair(v, n, x, j, f);
}

struct found {
	struct anvil_culprit c[NMAX * NMAX];
	int n, widespread;
};

/* The peers rule at `limit` x median, then the culprits. */
static struct found judge(const double *v, int n, int higher, double limit)
{
	struct anvil_pair pairs[NMAX * NMAX];
	struct found f;
	int np;
	anvil_pairwise_slow(n, v, higher, limit, pairs, &np);
	f.n = anvil_pairwise_culprits(n, pairs, np, f.c, NMAX * NMAX, &f.widespread);
	return f;
}

/* The measured pairs of an n x n matrix of flags (1 slow, 0 fine, -1 not
 * measured; symmetric), as anvil_pairwise_culprits takes them. */
static int pairs_of(int n, const signed char *slow, struct anvil_pair *out)
{
	int np = 0;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (slow[i * n + j] >= 0)
				out[np++] = (struct anvil_pair){ i, j, 1.0, slow[i * n + j] };
	return np;
}

static void expect_node(const struct found *f, int x)
{
	assert_int_equal(f->n, 1);
	assert_int_equal(f->widespread, 0);
	assert_int_equal(f->c[0].kind, ANVIL_CULPRIT_NODE);
	assert_int_equal(f->c[0].a, x);
}

static void expect_link(const struct found *f, int a, int b)
{
	assert_int_equal(f->n, 1);
	assert_int_equal(f->widespread, 0);
	assert_int_equal(f->c[0].kind, ANVIL_CULPRIT_LINK);
	assert_int_equal(f->c[0].a, a);
	assert_int_equal(f->c[0].b, b);
}

static void test_median(void **state)
{
	(void)state;
	double a[] = { 3, 1, 2 }, b[] = { 4, 1, 3, 2 }, c[] = { 4, 1, 3, 2 };
	assert_true(isnan(anvil_pairwise_median(a, 0, 1)));
	assert_true(anvil_pairwise_median(a, 3, 1) == 2);
	assert_true(anvil_pairwise_median(b, 4, 1) == 3);  /* the better (upper) middle */
	assert_true(anvil_pairwise_median(c, 4, 0) == 2);  /* lower is better: the lower middle */
}

static void test_clean_noise_flags_nothing(void **state)
{
	(void)state;
	double v[NMAX * NMAX];
	for (int seed = 1; seed <= 200; seed++) {
		rng_state = (unsigned)seed;
		int n = 2 + seed % 15;
		fill(v, n, 12.0);
		struct found f = judge(v, n, 1, 0.8);
		assert_int_equal(f.n, 0);
		assert_int_equal(f.widespread, 0);
		fill(v, n, 2.0);  /* latency, ceiling 1.25 x median */
		f = judge(v, n, 0, 1.25);
		assert_int_equal(f.n, 0);
		assert_int_equal(f.widespread, 0);
	}
}

static void test_one_slow_node_of_8(void **state)
{
	(void)state;
	double v[NMAX * NMAX];
	for (int x = 0; x < 8; x++) {
		rng_state = 77u + (unsigned)x;
		fill(v, 8, 12.0);
		scale_node(v, 8, x, 0.3);
		struct found f = judge(v, 8, 1, 0.8);
		expect_node(&f, x);
		assert_int_equal(f.c[0].slow, 7);
		assert_int_equal(f.c[0].pairs, 7);
	}
	/* latency: one node 4x slower on every pair */
	rng_state = 5;
	fill(v, 8, 1.8);
	scale_node(v, 8, 3, 4.0);
	struct found f = judge(v, 8, 0, 1.25);
	expect_node(&f, 3);
}

/* "nearly every": one of the node's 7 pairs happens to look fine */
static void test_node_all_but_one(void **state)
{
	(void)state;
	double v[NMAX * NMAX];
	rng_state = 11;
	fill(v, 8, 12.0);
	scale_node(v, 8, 4, 0.3);
	scale_pair(v, 8, 4, 1, 1 / 0.3);
	struct found f = judge(v, 8, 1, 0.8);
	expect_node(&f, 4);
	assert_int_equal(f.c[0].slow, 6);
	/* but two of its pairs fine is no longer the node */
	scale_pair(v, 8, 4, 2, 1 / 0.3);
	f = judge(v, 8, 1, 0.8);
	assert_int_equal(f.widespread, 1);  /* 5 slow links from one node, more than n/2: no single link */
	for (int i = 0; i < f.n; i++)
		assert_int_not_equal(f.c[i].kind, ANVIL_CULPRIT_NODE);
}

static void test_one_slow_link_of_8(void **state)
{
	(void)state;
	double v[NMAX * NMAX];
	rng_state = 99;
	fill(v, 8, 12.0);
	scale_pair(v, 8, 2, 6, 0.5);
	struct found f = judge(v, 8, 1, 0.8);
	expect_link(&f, 2, 6);
	/* latency: one link 3x slower */
	fill(v, 8, 1.8);
	scale_pair(v, 8, 0, 7, 3.0);
	f = judge(v, 8, 0, 1.25);
	expect_link(&f, 0, 7);
}

/* Two nodes, one pair: the peers rule cannot judge it (it is its own median),
 * a peak rule can; when it is slow, all that can be said is "the link". */
static void test_two_nodes(void **state)
{
	(void)state;
	double v[4] = { NAN, 3.0, 3.0, NAN };
	struct found f = judge(v, 2, 1, 0.8);
	assert_int_equal(f.n, 0);
	signed char slow[4] = { -1, 1, 1, -1 };
	struct anvil_pair pairs[1];
	f.n = anvil_pairwise_culprits(2, pairs, pairs_of(2, slow, pairs), f.c, NMAX, &f.widespread);
	expect_link(&f, 0, 1);
}

/* Three nodes, one bad: 2 of the 3 pairs are slow, so the median is slow and
 * the peers rule sees nothing; the culprit logic still names the node when a
 * rule (a peak) FAILs those pairs. One slow pair of three is a link. */
static void test_three_nodes(void **state)
{
	(void)state;
	signed char node[9] = { -1, 1, 1, 1, -1, 0, 1, 0, -1 };
	signed char link[9] = { -1, 0, 1, 0, -1, 0, 1, 0, -1 };
	struct found f;
	struct anvil_pair pairs[3];
	f.n = anvil_pairwise_culprits(3, pairs, pairs_of(3, node, pairs), f.c, NMAX, &f.widespread);
	expect_node(&f, 0);
	f.n = anvil_pairwise_culprits(3, pairs, pairs_of(3, link, pairs), f.c, NMAX, &f.widespread);
	expect_link(&f, 0, 2);
}

/* Four nodes, one bad: half of the 6 pairs are slow, so the median must lean
 * to the good side or a moderate fault (0.7x) would pass. */
static void test_four_nodes_half_slow(void **state)
{
	(void)state;
	double v[NMAX * NMAX];
	for (int x = 0; x < 4; x++) {
		rng_state = 300u + (unsigned)x;
		fill(v, 4, 12.0);
		scale_node(v, 4, x, 0.7);
		struct found f = judge(v, 4, 1, 0.8);
		expect_node(&f, x);
	}
}

static void test_two_slow_nodes_of_8(void **state)
{
	(void)state;
	double v[NMAX * NMAX];
	rng_state = 42;
	fill(v, 8, 12.0);
	scale_node(v, 8, 1, 0.4);
	scale_node(v, 8, 5, 0.4);
	struct found f = judge(v, 8, 1, 0.8);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.widespread, 0);
	assert_int_equal(f.c[0].kind, ANVIL_CULPRIT_NODE);
	assert_int_equal(f.c[0].a, 1);
	assert_int_equal(f.c[1].kind, ANVIL_CULPRIT_NODE);
	assert_int_equal(f.c[1].a, 5);
}

/* A bad node and, elsewhere, a bad cable: both named. */
static void test_node_and_link(void **state)
{
	(void)state;
	double v[NMAX * NMAX];
	rng_state = 8;
	fill(v, 8, 12.0);
	scale_node(v, 8, 0, 0.3);
	scale_pair(v, 8, 3, 6, 0.5);
	struct found f = judge(v, 8, 1, 0.8);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.c[0].kind, ANVIL_CULPRIT_NODE);
	assert_int_equal(f.c[0].a, 0);
	assert_int_equal(f.c[1].kind, ANVIL_CULPRIT_LINK);
	assert_int_equal(f.c[1].a, 3);
	assert_int_equal(f.c[1].b, 6);
}

/* Slowness everywhere (10 of 28 pairs, at most 4 of a node's 7): nobody is named. */
static void test_widespread(void **state)
{
	(void)state;
	double v[NMAX * NMAX];
	rng_state = 2024;
	fill(v, 8, 12.0);
	static const int slow[][2] = { { 0, 4 }, { 0, 5 }, { 1, 4 }, { 1, 7 }, { 2, 4 },
				       { 2, 6 }, { 3, 4 }, { 3, 7 }, { 5, 6 }, { 5, 7 } };
	for (size_t k = 0; k < sizeof(slow) / sizeof(*slow); k++)
		scale_pair(v, 8, slow[k][0], slow[k][1], 0.4);
	struct found f = judge(v, 8, 1, 0.8);
	assert_int_equal(f.n, 0);
	assert_int_equal(f.widespread, 1);
}

/* Pairs that were not measured are neither slow nor fine. */
static void test_unmeasured_pairs(void **state)
{
	(void)state;
	double v[NMAX * NMAX];
	rng_state = 3;
	fill(v, 6, 12.0);
	scale_node(v, 6, 2, 0.3);
	scale_pair(v, 6, 2, 5, NAN);  /* one of node 2's pairs is missing */
	scale_pair(v, 6, 0, 1, NAN);
	struct anvil_pair pairs[NMAX * NMAX];
	int np;
	anvil_pairwise_slow(6, v, 1, 0.8, pairs, &np);
	assert_int_equal(np, 15 - 2);  /* the two missing pairs are not there */
	for (int i = 0; i < np; i++) {
		assert_true(pairs[i].a < pairs[i].b);
		assert_false(pairs[i].a == 2 && pairs[i].b == 5);
		assert_false(pairs[i].a == 0 && pairs[i].b == 1);
		assert_int_equal(pairs[i].slow, pairs[i].a == 2 || pairs[i].b == 2);
	}
	struct found f = judge(v, 6, 1, 0.8);
	expect_node(&f, 2);
	assert_int_equal(f.c[0].pairs, 4);
}

/* ---- through the report ------------------------------------------------- */

static cJSON *metric(const char *host, const char *peer, const char *name, double value,
		     const char *unit, const char *better)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "kind", "metric");
	cJSON_AddStringToObject(m, "test", "mpi-pairwise");
	cJSON_AddStringToObject(m, "runner", "mpi-pairwise");
	cJSON_AddStringToObject(m, "host", host);
	cJSON_AddItemToObject(m, "labels", cJSON_CreateObject());
	cJSON_AddStringToObject(cJSON_GetObjectItem(m, "labels"), "peer", peer);
	cJSON_AddStringToObject(m, "name", name);
	cJSON_AddNumberToObject(m, "value", value);
	cJSON_AddStringToObject(m, "unit", unit);
	cJSON_AddStringToObject(m, "better", better);
	return m;
}

/* A journal of one mpi-pairwise run over n hosts named node1..nodeN (in a
 * shuffled order, as a journal has them); bw[i][j] and lat[i][j] per pair. */
static cJSON *journal(int n, const double *bw, const double *lat, const char *cluster_json)
{
	cJSON *recs = cJSON_CreateArray();
	cJSON *start = cJSON_Parse(
		"{\"kind\":\"run\",\"event\":\"start\",\"t\":1700000000,\"ranks\":4,\"nodes\":4,"
		"\"plan\":{\"tests\":[{\"id\":\"mpi-pairwise\",\"runner\":\"mpi-pairwise\"}]},"
		"\"profile_doc\":{\"schema\":\"anvil-profile/1\",\"name\":\"t\",\"tests\":[{\"runner\":\"mpi-pairwise\"}],"
		"\"checks\":[{\"test\":\"mpi-pairwise\",\"metric\":\"bandwidth_gbs\",\"rule\":\"peers\",\"min\":0.8},"
		"{\"test\":\"mpi-pairwise\",\"metric\":\"latency_us\",\"rule\":\"peers\",\"max\":1.5},"
		"{\"test\":\"mpi-pairwise\",\"metric\":\"bandwidth_gbs\",\"rule\":\"peak\",\"peak\":\"link.gbs\",\"min\":0.5}]}}");
	cJSON_AddItemToObject(start, "cluster", cluster_json ? cJSON_Parse(cluster_json) : cJSON_CreateNull());
	cJSON_AddItemToArray(recs, start);
	for (int k = 0; k < n; k++) {
		int i = (k * 5 + 3) % n;  /* a permutation when gcd(5, n) == 1 */
		for (int j = i + 1; j < n; j++) {
			char a[16], b[16];
			snprintf(a, sizeof(a), "node%d", i + 1);
			snprintf(b, sizeof(b), "node%d", j + 1);
			cJSON_AddItemToArray(recs, metric(a, b, "bandwidth_gbs", bw[i * n + j], "GB/s", "higher"));
			cJSON_AddItemToArray(recs, metric(a, b, "latency_us", lat[i * n + j], "us", "lower"));
		}
	}
	cJSON_AddItemToArray(recs, cJSON_Parse("{\"kind\":\"test\",\"test\":\"mpi-pairwise\",\"runner\":"
					       "\"mpi-pairwise\",\"status\":\"ok\",\"duration_s\":3}"));
	return recs;
}

static const cJSON *get(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	assert_non_null(v);
	return v;
}

static int count_checks(const cJSON *t, const char *name, const char *verdict)
{
	int n = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, get(t, "checks"))
		n += !strcmp(get(c, "name")->valuestring, name) && !strcmp(get(c, "verdict")->valuestring, verdict);
	return n;
}

/* n nodes' pair figures from seed: bandwidth about 11.5 GB/s, latency about 2 us. */
static void pair_figures(int n, unsigned seed, double *bw, double *lat)
{
	rng_state = seed;
	fill(bw, n, 11.5);
	fill(lat, n, 2.0);
}

/* The report of a journal of one test, and that test in *t. */
static cJSON *report_of(const cJSON *recs, const cJSON **t)
{
	char err[256];
	cJSON *r = anvil_report_build(recs, NULL, NULL, "/tmp/x", 0, 0, err, sizeof(err));
	assert_non_null(r);
	*t = cJSON_GetArrayItem(get(r, "tests"), 0);
	return r;
}

static void test_report_slow_node(void **state)
{
	(void)state;
	int n = 12;
	double bw[NMAX * NMAX], lat[NMAX * NMAX];
	const cJSON *t;
	pair_figures(n, 17, bw, lat);
	scale_node(bw, n, 9, 0.25);  /* node10 */
	cJSON *recs = journal(n, bw, lat, "{\"peaks\":{\"link.gbs\":12.5}}");
	cJSON *r = report_of(recs, &t);
	/* the matrix: hosts in natural order, symmetric, empty diagonal */
	const cJSON *mx = get(t, "matrix"), *hosts = get(mx, "hosts");
	assert_int_equal(cJSON_GetArraySize(hosts), n);
	assert_string_equal(cJSON_GetArrayItem(hosts, 1)->valuestring, "node2");
	assert_string_equal(cJSON_GetArrayItem(hosts, 9)->valuestring, "node10");
	const cJSON *rows = get(get(mx, "metrics"), "bandwidth_gbs");
	assert_true(cJSON_IsNull(cJSON_GetArrayItem(cJSON_GetArrayItem(rows, 4), 4)));
	double x = cJSON_GetArrayItem(cJSON_GetArrayItem(rows, 2), 9)->valuedouble;
	assert_true(x == cJSON_GetArrayItem(cJSON_GetArrayItem(rows, 9), 2)->valuedouble);
	assert_true(fabs(x - bw[2 * n + 9]) < 1e-12);
	get(get(mx, "metrics"), "latency_us");
	/* one culprit: node10, with its check first */
	const cJSON *cu = get(t, "culprits");
	assert_int_equal(cJSON_GetArraySize(cu), 1);
	assert_string_equal(get(cJSON_GetArrayItem(cu, 0), "kind")->valuestring, "node");
	assert_int_equal(cJSON_GetArraySize(get(cJSON_GetArrayItem(cu, 0), "hosts")), 1);
	assert_string_equal(cJSON_GetArrayItem(get(cJSON_GetArrayItem(cu, 0), "hosts"), 0)->valuestring, "node10");
	assert_non_null(strstr(get(cJSON_GetArrayItem(cu, 0), "why")->valuestring, "node10: its port or cable"));
	const cJSON *c0 = cJSON_GetArrayItem(get(t, "checks"), 0);
	assert_string_equal(get(c0, "name")->valuestring, "culprit");
	assert_string_equal(get(c0, "host")->valuestring, "node10");
	assert_string_equal(get(c0, "verdict")->valuestring, "FAIL");
	assert_int_equal(count_checks(t, "culprit", "FAIL"), 1);
	/* every pair judged once per rule: 66 pairs, 11 of them node10's, slow by peers and by peak */
	assert_int_equal(count_checks(t, "bandwidth_gbs", "FAIL"), 2 * 11);
	assert_int_equal(count_checks(t, "bandwidth_gbs", "PASS"), 2 * 55);
	assert_int_equal(count_checks(t, "latency_us", "PASS"), 66);
	/* the peers checks compare with all pairs, not with other hosts' same peer label */
	const cJSON *c;
	cJSON_ArrayForEach(c, get(t, "checks"))
		if (!strcmp(get(c, "rule")->valuestring, "peers"))
			assert_non_null(strstr(get(c, "why")->valuestring, "of all 66 pairs"));
	assert_string_equal(get(t, "verdict")->valuestring, "FAIL");
	assert_int_equal(anvil_report_exit_code(r), 1);
	cJSON_Delete(r);
	cJSON_Delete(recs);
}

static void test_report_clean_and_link(void **state)
{
	(void)state;
	int n = 8;
	double bw[NMAX * NMAX], lat[NMAX * NMAX];
	const cJSON *t;
	pair_figures(n, 23, bw, lat);
	/* clean, and no link peak declared: the peak checks SKIP and say why */
	cJSON *recs = journal(n, bw, lat, NULL);
	cJSON *r = report_of(recs, &t);
	assert_int_equal(cJSON_GetArraySize(get(t, "culprits")), 0);
	assert_int_equal(count_checks(t, "bandwidth_gbs", "SKIP"), 28);
	const cJSON *c;
	cJSON_ArrayForEach(c, get(t, "checks"))
		if (!strcmp(get(c, "verdict")->valuestring, "SKIP"))
			assert_non_null(strstr(get(c, "why")->valuestring, "peaks.link.gbs"));
	assert_int_equal(anvil_report_exit_code(r), 0);
	cJSON_Delete(r);
	cJSON_Delete(recs);
	/* one slow link, on latency only */
	scale_pair(lat, n, 1, 4, 3.0);
	recs = journal(n, bw, lat, "{\"peaks\":{\"link.gbs\":12.5}}");
	r = report_of(recs, &t);
	const cJSON *cu = get(t, "culprits");
	assert_int_equal(cJSON_GetArraySize(cu), 1);
	assert_string_equal(get(cJSON_GetArrayItem(cu, 0), "kind")->valuestring, "link");
	assert_string_equal(cJSON_GetArrayItem(get(cJSON_GetArrayItem(cu, 0), "hosts"), 0)->valuestring, "node2");
	assert_string_equal(cJSON_GetArrayItem(get(cJSON_GetArrayItem(cu, 0), "hosts"), 1)->valuestring, "node5");
	assert_string_equal(cJSON_GetArrayItem(get(cJSON_GetArrayItem(cu, 0), "metrics"), 0)->valuestring, "latency_us");
	assert_int_equal(anvil_report_exit_code(r), 1);
	cJSON_Delete(r);
	cJSON_Delete(recs);
}

/* Several culprits (two slow nodes, a slow link): each has its FAIL check,
 * and those come first among the checks, in the culprits' order (cJSON
 * 1.7.15 refused to insert a second one, and it was lost). */
static void test_report_three_culprits(void **state)
{
	(void)state;
	int n = 12;
	double bw[NMAX * NMAX], lat[NMAX * NMAX];
	const cJSON *t;
	pair_figures(n, 41, bw, lat);
	scale_node(bw, n, 2, 0.25);   /* node3 */
	scale_node(bw, n, 9, 0.25);   /* node10 */
	scale_pair(lat, n, 5, 7, 3.0);  /* node6-node8 */
	cJSON *recs = journal(n, bw, lat, "{\"peaks\":{\"link.gbs\":12.5}}");
	cJSON *r = report_of(recs, &t);
	const cJSON *cu = get(t, "culprits");
	assert_int_equal(cJSON_GetArraySize(cu), 3);
	assert_int_equal(count_checks(t, "culprit", "FAIL"), 3);
	/* the link says why from its pair's own FAIL check */
	int links = 0;
	for (int i = 0; i < 3; i++) {
		const cJSON *c = cJSON_GetArrayItem(cu, i);
		if (strcmp(get(c, "kind")->valuestring, "link"))
			continue;
		links++;
		if (!strstr(get(c, "why")->valuestring, "of the median of all 66 pairs"))
			fail_msg("%s", get(c, "why")->valuestring);
	}
	assert_int_equal(links, 1);
	for (int i = 0; i < 3; i++) {
		const cJSON *c = cJSON_GetArrayItem(get(t, "checks"), i);
		assert_string_equal(get(c, "name")->valuestring, "culprit");
		assert_string_equal(get(c, "host")->valuestring,
				    cJSON_GetArrayItem(get(cJSON_GetArrayItem(cu, i), "hosts"), 0)->valuestring);
	}
	assert_string_not_equal(get(cJSON_GetArrayItem(get(t, "checks"), 3), "name")->valuestring, "culprit");  /* then the rest */
	cJSON_Delete(r);
	cJSON_Delete(recs);
}

/* Two nodes: the peers rule SKIPs (one pair), the declared link peak judges
 * it, and the culprit is the link. */
static void test_report_two_nodes(void **state)
{
	(void)state;
	double bw[4] = { NAN, 4.0, 4.0, NAN }, lat[4] = { NAN, 2.0, 2.0, NAN };
	const cJSON *t;
	cJSON *recs = journal(2, bw, lat, "{\"peaks\":{\"link.gbs\":12.5}}");
	cJSON *r = report_of(recs, &t);
	assert_int_equal(count_checks(t, "bandwidth_gbs", "SKIP"), 1);
	assert_int_equal(count_checks(t, "bandwidth_gbs", "FAIL"), 1);
	const cJSON *cu = get(t, "culprits");
	assert_int_equal(cJSON_GetArraySize(cu), 1);
	assert_string_equal(get(cJSON_GetArrayItem(cu, 0), "kind")->valuestring, "link");
	assert_non_null(strstr(get(cJSON_GetArrayItem(cu, 0), "why")->valuestring, "cannot be told"));
	assert_int_equal(anvil_report_exit_code(r), 1);
	cJSON_Delete(r);
	cJSON_Delete(recs);
}

/* A test that did not run to the end: its matrix has every metric's rows,
 * and no culprits are looked for (the rules judge only a test that ran). */
static void test_report_not_ok(void **state)
{
	(void)state;
	int n = 6;
	double bw[NMAX * NMAX], lat[NMAX * NMAX];
	const cJSON *t;
	pair_figures(n, 5, bw, lat);
	cJSON *recs = journal(n, bw, lat, "{\"peaks\":{\"link.gbs\":12.5}}");
	cJSON *last = cJSON_GetArrayItem(recs, cJSON_GetArraySize(recs) - 1);
	cJSON_ReplaceItemInObjectCaseSensitive(last, "status", cJSON_CreateString("failed"));
	cJSON *r = report_of(recs, &t);
	const cJSON *ms = get(get(t, "matrix"), "metrics");
	assert_int_equal(cJSON_GetArraySize(get(ms, "bandwidth_gbs")), n);
	assert_int_equal(cJSON_GetArraySize(get(ms, "latency_us")), n);
	double x = cJSON_GetArrayItem(cJSON_GetArrayItem(get(ms, "latency_us"), 1), 4)->valuedouble;
	assert_true(fabs(x - lat[1 * n + 4]) < 1e-12);
	assert_null(cJSON_GetObjectItemCaseSensitive(t, "culprits"));
	assert_null(cJSON_GetObjectItemCaseSensitive(get(t, "matrix"), "slow"));
	cJSON_Delete(r);
	cJSON_Delete(recs);
}

/* Slow pairs all over: no culprit, a note that says where most of them are. */
static void test_report_widespread(void **state)
{
	(void)state;
	int n = 6;
	double bw[NMAX * NMAX], lat[NMAX * NMAX];
	const cJSON *t;
	pair_figures(n, 31, bw, lat);
	static const int slow[][2] = { { 0, 1 }, { 2, 3 }, { 4, 5 }, { 1, 4 } };
	for (size_t k = 0; k < sizeof(slow) / sizeof(*slow); k++)
		scale_pair(bw, n, slow[k][0], slow[k][1], 0.5);
	cJSON *recs = journal(n, bw, lat, NULL);
	cJSON *r = report_of(recs, &t);
	assert_int_equal(cJSON_GetArraySize(get(t, "culprits")), 0);
	const cJSON *notes = get(get(t, "matrix"), "notes");
	assert_int_equal(cJSON_GetArraySize(notes), 1);
	assert_non_null(strstr(cJSON_GetArrayItem(notes, 0)->valuestring, "slow pairs per node: node2 2/5, node5 2/5"));
	assert_int_equal(count_checks(t, "bandwidth_gbs", "FAIL"), 4);
	assert_int_equal(anvil_report_exit_code(r), 1);
	cJSON_Delete(r);
	cJSON_Delete(recs);
}

/* A test that is not about pairs is left alone. */
static void test_not_pairs(void **state)
{
	(void)state;
	cJSON *t = cJSON_Parse("{\"id\":\"stream\",\"runner\":\"stream\",\"status\":\"ok\",\"metrics\":"
			       "[{\"name\":\"triad_gbs\",\"host\":\"a\",\"value\":1}],\"checks\":[]}");
	char *before = cJSON_PrintUnformatted(t);
	assert_int_equal(anvil_pairwise_judge(t, NULL), 0);
	char *after = cJSON_PrintUnformatted(t);
	assert_string_equal(before, after);
	free(before);
	free(after);
	cJSON_Delete(t);
	/* mpi-pingpong on one node labels its peer with its own host: no pair */
	t = cJSON_Parse("{\"id\":\"mpi-pingpong\",\"runner\":\"mpi-pingpong\",\"status\":\"ok\",\"metrics\":"
			"[{\"name\":\"latency_us\",\"host\":\"a\",\"labels\":{\"peer\":\"a\"},\"value\":1}],"
			"\"checks\":[{\"name\":\"latency_us\",\"rule\":\"peers\",\"host\":\"a\",\"labels\":{\"peer\":\"a\"},"
			"\"verdict\":\"SKIP\"}]}");
	before = cJSON_PrintUnformatted(t);
	assert_int_equal(anvil_pairwise_judge(t, NULL), 0);
	after = cJSON_PrintUnformatted(t);
	assert_string_equal(before, after);
	free(before);
	free(after);
	cJSON_Delete(t);
}

/* More hosts than the pair matrix is built for (a journal naming thousands
 * of peers): no matrix, no overflowing n x n arrays, and a SKIP that says so. */
static void test_too_many_nodes(void **state)
{
	(void)state;
	cJSON *t = cJSON_Parse("{\"id\":\"mpi-pairwise\",\"runner\":\"mpi-pairwise\",\"status\":\"ok\","
			       "\"metrics\":[],\"checks\":[]}");
	cJSON *metrics = cJSON_GetObjectItem(t, "metrics");
	char a[32], b[32];
	for (int i = 0; i < 2100; i++) {
		snprintf(a, sizeof(a), "n%d", 2 * i);
		snprintf(b, sizeof(b), "n%d", 2 * i + 1);
		cJSON_AddItemToArray(metrics, metric(a, b, "bw_gbs", 10, "GB/s", "higher"));
	}
	assert_int_equal(anvil_pairwise_judge(t, NULL), 1);
	assert_null(cJSON_GetObjectItem(t, "matrix"));
	const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "checks"), 0);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(c, "verdict")), "SKIP");
	assert_non_null(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(c, "why")), "4200 nodes"));
	cJSON_Delete(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_clean_noise_flags_nothing),
		cmocka_unit_test(test_one_slow_node_of_8),
		cmocka_unit_test(test_node_all_but_one),
		cmocka_unit_test(test_one_slow_link_of_8),
		cmocka_unit_test(test_two_nodes),
		cmocka_unit_test(test_three_nodes),
		cmocka_unit_test(test_four_nodes_half_slow),
		cmocka_unit_test(test_two_slow_nodes_of_8),
		cmocka_unit_test(test_node_and_link),
		cmocka_unit_test(test_widespread),
		cmocka_unit_test(test_unmeasured_pairs),
		cmocka_unit_test(test_report_slow_node),
		cmocka_unit_test(test_report_clean_and_link),
		cmocka_unit_test(test_report_two_nodes),
		cmocka_unit_test(test_report_not_ok),
		cmocka_unit_test(test_report_three_culprits),
		cmocka_unit_test(test_report_widespread),
		cmocka_unit_test(test_not_pairs),
		cmocka_unit_test(test_too_many_nodes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
