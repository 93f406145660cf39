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

/* A measured node pair: nodes a < b, its figure (NAN where a rule FAILed
 * a pair with no figure) and whether it is slow (1) or fine (0). */
struct anvil_pair {
	int a, b;
	double v;
	int slow;
};

/* The peers rule on a matrix: v is n x n (symmetric; NAN where a pair was
 * not measured; the diagonal is ignored); a pair is slow when it is beyond
 * limit x the median of all pairs: below it when higher is better, above it
 * otherwise. Writes the measured pairs to out (room for n(n-1)/2), in order
 * of a and then b, and their number to *np; returns the median. */
double anvil_pairwise_slow(int n, const double *v, int higher_better, double limit,
			   struct anvil_pair *out, int *np);

enum anvil_culprit_kind { ANVIL_CULPRIT_NODE, ANVIL_CULPRIT_LINK };

struct anvil_culprit {
	enum anvil_culprit_kind kind;
	int a, b;        /* node: a (b = -1); link: a < b */
	int slow, pairs; /* node: its slow and measured pairs; link: 1 and 1 */
};

/* Names what the slow pairs point at (the algorithm is described in
 * pairwise.c). pairs[0..np) are the measured pairs of n nodes, each once,
 * in order of a and then b (as anvil_pairwise_slow() writes them). Fills
 * out (up to max entries, nodes first) and returns how many; *widespread
 * is set when there are slow pairs but too many to blame on a few nodes or
 * links. Its work is in the pairs measured, not in the n x n matrix: at a
 * thousand nodes a million cells, most of them pairs never measured. */
int anvil_pairwise_culprits(int n, const struct anvil_pair *pairs, int np, struct anvil_culprit *out, int max,
			    int *widespread);

#endif
