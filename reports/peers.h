/* A test's figures in peer groups: the same figure (name) with the same
 * labels but "gpu" — the other nodes, or the other GPUs, this node's too.
 * Each group's values are sorted once, so the peers rule (median of the
 * others) and the MAD rule cost a lookup per figure, not a scan. */
#ifndef ANVIL_PEERS_H
#define ANVIL_PEERS_H
#include <stddef.h>
#include <cjson/cJSON.h>

struct anvil_peers;

/* Groups figures of one test (ms[0..n), borrowed: they must outlive the
 * index): all of them, or all those of one name (groups never span names). */
struct anvil_peers *anvil_peers_new(const cJSON *const *ms, size_t n);
void anvil_peers_free(struct anvil_peers *p);

/* The sorted finite values of m's group, m's own value included; NULL and
 * *n = 0 when m has no group (no name, or a label that is not a string). */
const double *anvil_peers_group(const struct anvil_peers *p, const cJSON *m, size_t *n);

/* Median of sorted v[0..n); NAN when n is 0. */
double anvil_median_sorted(const double *v, size_t n);
/* Median of sorted v with one copy of x (which is in v) taken out: the
 * median of the others. NAN when nothing is left. */
double anvil_median_without(const double *v, size_t n, double x);

/* The robust spread of m's group (Iglewicz and Hoaglin): the median, the
 * median absolute deviation from it, and the mean absolute deviation (the
 * scale used when more than half the values are equal, so MAD is 0). */
struct anvil_mad {
	double median, mad, meanad;
	size_t n;
};
int anvil_peers_mad(const struct anvil_peers *p, const cJSON *m, struct anvil_mad *out);
/* The same for sorted values (exported for tests). */
void anvil_mad_of(const double *sorted, size_t n, struct anvil_mad *out);

#endif
