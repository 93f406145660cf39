/* perftest's bandwidth and latency arithmetic; see kernels/rdma_stats.h. */
#include "kernels/rdma_stats.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "common/sort.h"

#define LAT_MEASURE_TAIL 2   /* perftest drops the 2 largest differences */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

int anvil_rdma_lat_stats(const uint64_t *tposted_ns, long iters, int rtt_factor,
			 uint64_t *d, struct anvil_rdma_lat *out)
{
	memset(out, 0, sizeof(*out));
	if (iters < 5 || rtt_factor < 1)
		return -1;
	long m = iters - 1;
	for (long i = 0; i < m; i++)
		d[i] = tposted_ns[i + 1] - tposted_ns[i];
	anvil_sort(d, (size_t)m, sizeof(*d), cmp_u64);
	long n = m - LAT_MEASURE_TAIL;
	double q = 1e3 * rtt_factor;   /* ns of round trip → µs one way */
	double sum = 0;
	for (long i = 0; i < n; i++)
		sum += (double)d[i] / q;
	/* perftest's get_median(): (n - 1) % 2 means n is even */
	double median = (n - 1) % 2 ? ((double)d[n / 2] + (double)d[n / 2 - 1]) / 2 : (double)d[n / 2];
	out->samples = n;
	out->min_us = (double)d[0] / q;
	out->typical_us = median / q;
	out->avg_us = sum / (double)n;
	out->p99_us = (double)d[(long)ceil((double)n * 0.99)] / q;
	out->p999_us = (double)d[(long)ceil((double)n * 0.999)] / q;
	out->max_us = (double)d[n] / q;
	return 0;
}

/* The least time per message over the (post, completion) spans perftest visits. */
static double best_span(const uint64_t *tp, const uint64_t *tc, uint64_t n, uint64_t cq_mod)
{
	double best = INFINITY;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t first = (i + 1) % cq_mod ? cq_mod * ((i + 1) / cq_mod + 1) : i + 1;
		for (uint64_t j = first - 1; j < n; j += cq_mod) {
			if (!tc[j])
				continue;
			double t = (double)(tc[j] - tp[i]) / (double)(j - i + 1);
			if (t < best)
				best = t;
		}
		if (n % cq_mod && tc[n - 1]) {
			double t = (double)(tc[n - 1] - tp[i]) / (double)(n - i);
			if (t < best)
				best = t;
		}
	}
	return best;
}

int anvil_rdma_bw_stats(const uint64_t *tposted, const uint64_t *tcompleted, uint64_t n,
			size_t size, int cq_mod, int with_peak, struct anvil_rdma_bw *out)
{
	memset(out, 0, sizeof(*out));
	out->peak_gbs = NAN;
	if (!n || !tcompleted[n - 1] || tcompleted[n - 1] <= tposted[0] || cq_mod < 1)
		return -1;
	uint64_t span = tcompleted[n - 1] - tposted[0];
	out->msgs = n;
	out->seconds = (double)span / 1e9;
	out->avg_gbs = (double)size * (double)n / (double)span;   /* bytes per ns = GB/s */
	out->msg_rate_mpps = (double)n / (double)span * 1e3;
	if (with_peak) {
		double t = best_span(tposted, tcompleted, n, (uint64_t)cq_mod);
		out->peak_gbs = isfinite(t) && t > 0 ? (double)size / t : NAN;
	}
	return 0;
}

void anvil_rdma_bw_window(uint64_t msgs, uint64_t window_ns, size_t size, struct anvil_rdma_bw *out)
{
	memset(out, 0, sizeof(*out));
	out->peak_gbs = NAN;
	out->msgs = msgs;
	out->seconds = (double)window_ns / 1e9;
	if (window_ns) {
		out->avg_gbs = (double)size * (double)msgs / (double)window_ns;
		out->msg_rate_mpps = (double)msgs / (double)window_ns * 1e3;
	}
}

int anvil_rdma_cq_mod(int requested, size_t size, int tx_depth)
{
	int m = requested > 0 ? requested : size > 8192 ? 1 : 100;
	if (m > tx_depth)
		m = tx_depth;
	return m > 0 ? m : 1;
}
