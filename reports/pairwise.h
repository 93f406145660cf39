/* The node-pair matrix of a report and the culprit it points at: one bad
 * node (its port or cable) or one bad link. reports/build.c calls
 * anvil_pairwise_judge() for every test; the rest is its pure core. */
#ifndef ANVIL_PAIRWISE_H
#define ANVIL_PAIRWISE_H
#include <cjson/cJSON.h>

/* For a test of node pairs (runner "mpi-pairwise", or metrics labelled
 * "peer"): judges the profile's "peers" rules on pair metrics against the
 * median of all pairs (replacing build.c's per-host peers checks, which
 * compare a pair with unrelated pairs), adds "matrix" (hosts and an N x N
 * table per pair metric) and, when the test ran, "culprits" and one FAIL
 * check per culprit. Call it after the profile's rules were judged: a pair
 * is slow when any rule (peers, peak, absolute) FAILs it. Returns 1 when t
 * is such a test, else 0 (t unchanged). */
int anvil_pairwise_judge(cJSON *t, const cJSON *profile);
/* Is figure m (a gathered metric record) one of a node pair: a name, a
 * host and another host as its peer? A test with one (or of the runner
 * mpi-pairwise, anvil_pairwise_runner) is a node-pair test: its checks are
 * all kept, for the matrix and the culprits. */
int anvil_pairwise_metric(const cJSON *m);
int anvil_pairwise_runner(const cJSON *t);

/* ---- the pure core (exported for tests) ----------------------------- */

/* The median of v[0..n) (sorted in place); for an even n, the middle value
 * on the better side (the upper one when higher is better). NAN when n == 0. */
double anvil_pairwise_median(double *v, int n, int higher_better);

/* The peers rule on a matrix: v is n x n (symmetric; NAN where a pair was
 * not measured; the diagonal is ignored); a pair is slow when it is beyond
 * limit x the median of all pairs: below it when higher is better, above it
 * otherwise. Writes slow[i*n+j] = 1 slow, 0 fine, -1 not measured, and
 * returns the median. */
double anvil_pairwise_slow(int n, const double *v, int higher_better, double limit,
			   signed char *slow);

enum anvil_culprit_kind { ANVIL_CULPRIT_NODE, ANVIL_CULPRIT_LINK };

struct anvil_culprit {
	enum anvil_culprit_kind kind;
	int a, b;        /* node: a (b = -1); link: a < b */
	int slow, pairs; /* node: its slow and measured pairs; link: 1 and 1 */
};

/* Names what the slow pairs point at (the algorithm is described in
 * pairwise.c). slow is as anvil_pairwise_slow() writes it. Fills out (up to
 * max entries, nodes first) and returns how many; *widespread is set when
 * there are slow pairs but too many to blame on a few nodes or links. */
int anvil_pairwise_culprits(int n, const signed char *slow, struct anvil_culprit *out, int max,
			    int *widespread);

#endif
