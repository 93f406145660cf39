/*
 * The RDMA figures, defined as perftest defines them (print_report_bw() and
 * print_report_lat() in perftest_parameters.c): pure arithmetic on timestamp
 * arrays, tested on synthetic ones in tests/unit/test_rdma_stats.c.
 * Timestamps are nanoseconds of CLOCK_MONOTONIC (perftest: CPU cycles), and
 * quotients are taken in double precision (perftest: integer cycles).
 */
#ifndef ANVIL_RDMA_STATS_H
#define ANVIL_RDMA_STATS_H
#include <stddef.h>
#include <stdint.h>

struct anvil_rdma_lat {
	long samples;        /* differences kept: iters - 3 */
	double min_us, typical_us, avg_us, p99_us, p999_us, max_us;
};

/* perftest's print_report_lat() for iters posts stamped in tposted[]: the
 * iters - 1 differences between successive posts (each one round trip),
 * sorted; the 2 largest left out (LAT_MEASURE_TAIL), leaving n = iters - 3;
 * then t_min = d[0], t_typical = the median of d[0..n-1] (d[n/2] for odd n,
 * the mean of d[n/2 - 1] and d[n/2] for even n), t_avg = their mean,
 * 99% = d[ceil(0.99 n)], 99.9% = d[ceil(0.999 n)] and t_max = d[n] (so the
 * second largest difference, as perftest prints it); each divided by
 * rtt_factor: 2 for write and send, whose round trip is two one-way trips,
 * 1 for read. scratch holds iters - 1 values. Returns -1 when iters < 5
 * (perftest's minimum) or rtt_factor < 1. */
int anvil_rdma_lat_stats(const uint64_t *tposted_ns, long iters, int rtt_factor,
			 uint64_t *scratch, struct anvil_rdma_lat *out);

struct anvil_rdma_bw {
	uint64_t msgs;       /* messages counted */
	double seconds;      /* the time they took */
	double avg_gbs;      /* size × msgs / seconds, GB/s (10^9 B/s) */
	double peak_gbs;     /* perftest's BW peak; NAN when not measured */
	double msg_rate_mpps;
};

/* perftest's print_report_bw() for an iterations run of n messages of size
 * bytes over all QPs: tposted[i] is the time before post i (posts in order,
 * all QPs together) and tcompleted[j] the time of the completion that
 * brought the completed count to j + 1 (0 where no completion landed there:
 * one signaled completion stands for cq_mod messages).
 * Average: size × n / (tcompleted[n-1] − tposted[0]).
 * Peak (when with_peak): size / the least of (tcompleted[j] − tposted[i]) /
 * (j − i + 1) over every post i and every completion j ≥ i that perftest
 * visits: j = ROUND_UP(i + 1, cq_mod) − 1 stepping cq_mod, and j = n − 1 when
 * cq_mod does not divide n. Returns -1 on n == 0 or an unstamped end. */
int anvil_rdma_bw_stats(const uint64_t *tposted, const uint64_t *tcompleted, uint64_t n,
			size_t size, int cq_mod, int with_peak, struct anvil_rdma_bw *out);

/* Duration mode (perftest -D): the messages completed inside the sample
 * window over the window; no peak. */
void anvil_rdma_bw_window(uint64_t msgs, uint64_t window_ns, size_t size, struct anvil_rdma_bw *out);

/* perftest's cq_mod rule: the requested value, or 100 and none (1) above
 * 8 KiB messages when not asked (MSG_SIZE_CQ_MOD_LIMIT); never above tx_depth. */
int anvil_rdma_cq_mod(int requested, size_t size, int tx_depth);

#endif
