/* STREAM with OpenMP, after McCalpin's stream.c (v5.10): the same four
 * kernels, initial values, byte counts, timing rules and validation.
 *
 * Each kernel walks the arrays one 64-byte line at a time under
 * schedule(static), and the first touch walks them the same way, so every
 * page lives near the thread that streams it and no line is shared by two
 * threads.  On x86-64 the stores are non-temporal (SSE2 movntpd): the target
 * lines are not read first (no write-allocate), which is what a compiler that
 * emits streaming stores for stream.c does (icc -qopt-streaming-stores; gcc
 * ignores `omp simd nontemporal`).  STREAM's byte counts exclude that traffic
 * either way.  -DANVIL_STREAM_PLAIN builds the plain loops, to re-measure.
 * Measured: best triad, 2 / 1 threads, 2-vCPU EPYC VM, n=16Mi: streaming 64 / 38 GB/s, plain 50 / 25, -O3 no gain. */
#include "kernels/stream.h"
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__SSE2__) && !defined(ANVIL_STREAM_PLAIN)
#include <emmintrin.h>
#define STREAM_NT 1
#endif

#define STREAM_ALIGN 4096 /* a page: first touch places whole pages */
#define STREAM_LINE 8     /* doubles per 64-byte cache line */

const char *const anvil_stream_names[ANVIL_STREAM_KERNELS] = { "copy", "scale", "add", "triad" };
const double anvil_stream_words[ANVIL_STREAM_KERNELS] = { 2, 2, 3, 3 };

struct stream_arrays {
	double *a, *b, *c;  /* owned; 4096-aligned; freed by stream_arrays_release */
	size_t n;
	size_t lines;       /* whole lines: n / STREAM_LINE; the rest is the tail */
	int threads;
};

static double stream_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#ifdef STREAM_NT
static inline void stream_line_copy(double *restrict c, const double *restrict a)
{
	for (int k = 0; k < STREAM_LINE; k += 2)
		_mm_stream_pd(c + k, _mm_load_pd(a + k));
}

static inline void stream_line_scale(double *restrict b, const double *restrict c, double q)
{
	__m128d vq = _mm_set1_pd(q);
	for (int k = 0; k < STREAM_LINE; k += 2)
		_mm_stream_pd(b + k, _mm_mul_pd(vq, _mm_load_pd(c + k)));
}

static inline void stream_line_add(double *restrict c, const double *restrict a,
				   const double *restrict b)
{
	for (int k = 0; k < STREAM_LINE; k += 2)
		_mm_stream_pd(c + k, _mm_add_pd(_mm_load_pd(a + k), _mm_load_pd(b + k)));
}

static inline void stream_line_triad(double *restrict a, const double *restrict b,
				     const double *restrict c, double q)
{
	__m128d vq = _mm_set1_pd(q);
	for (int k = 0; k < STREAM_LINE; k += 2)
		_mm_stream_pd(a + k, _mm_add_pd(_mm_load_pd(b + k),
						_mm_mul_pd(vq, _mm_load_pd(c + k))));
}

/* Streaming stores are weakly ordered: each thread drains its own before the
 * closing barrier, so the time covers them and other threads see them. */
static inline void stream_fence(void) { _mm_sfence(); }
#else
static inline void stream_line_copy(double *restrict c, const double *restrict a)
{
	for (int k = 0; k < STREAM_LINE; k++)
		c[k] = a[k];
}

static inline void stream_line_scale(double *restrict b, const double *restrict c, double q)
{
	for (int k = 0; k < STREAM_LINE; k++)
		b[k] = q * c[k];
}

static inline void stream_line_add(double *restrict c, const double *restrict a,
				   const double *restrict b)
{
	for (int k = 0; k < STREAM_LINE; k++)
		c[k] = a[k] + b[k];
}

static inline void stream_line_triad(double *restrict a, const double *restrict b,
				     const double *restrict c, double q)
{
	for (int k = 0; k < STREAM_LINE; k++)
		a[k] = b[k] + q * c[k];
}

static inline void stream_fence(void) { }
#endif

/* The four kernels.  Lines are split by schedule(static) exactly as in
 * stream_arrays_fill; the tail (< 8 elements) is done by the calling thread,
 * which also first-touched it. */
static void stream_copy(const struct stream_arrays *s)
{
	double *restrict a = s->a, *restrict c = s->c;
#pragma omp parallel num_threads(s->threads)
	{
#pragma omp for schedule(static) nowait
		for (size_t l = 0; l < s->lines; l++)
			stream_line_copy(c + l * STREAM_LINE, a + l * STREAM_LINE);
		stream_fence();
	}
	for (size_t j = s->lines * STREAM_LINE; j < s->n; j++)
		c[j] = a[j];
}

static void stream_scale(const struct stream_arrays *s, double q)
{
	double *restrict b = s->b, *restrict c = s->c;
#pragma omp parallel num_threads(s->threads)
	{
#pragma omp for schedule(static) nowait
		for (size_t l = 0; l < s->lines; l++)
			stream_line_scale(b + l * STREAM_LINE, c + l * STREAM_LINE, q);
		stream_fence();
	}
	for (size_t j = s->lines * STREAM_LINE; j < s->n; j++)
		b[j] = q * c[j];
}

static void stream_add(const struct stream_arrays *s)
{
	double *restrict a = s->a, *restrict b = s->b, *restrict c = s->c;
#pragma omp parallel num_threads(s->threads)
	{
#pragma omp for schedule(static) nowait
		for (size_t l = 0; l < s->lines; l++)
			stream_line_add(c + l * STREAM_LINE, a + l * STREAM_LINE,
					b + l * STREAM_LINE);
		stream_fence();
	}
	for (size_t j = s->lines * STREAM_LINE; j < s->n; j++)
		c[j] = a[j] + b[j];
}

static void stream_triad(const struct stream_arrays *s, double q)
{
	double *restrict a = s->a, *restrict b = s->b, *restrict c = s->c;
#pragma omp parallel num_threads(s->threads)
	{
#pragma omp for schedule(static) nowait
		for (size_t l = 0; l < s->lines; l++)
			stream_line_triad(a + l * STREAM_LINE, b + l * STREAM_LINE,
					  c + l * STREAM_LINE, q);
		stream_fence();
	}
	for (size_t j = s->lines * STREAM_LINE; j < s->n; j++)
		a[j] = b[j] + q * c[j];
}

/* STREAM's initial values, then its a = 2a pass (stream.c times that pass to
 * judge the clock; here it only has to leave the same values). */
static void stream_arrays_fill(const struct stream_arrays *s)
{
	double *restrict a = s->a, *restrict b = s->b, *restrict c = s->c;
#pragma omp parallel for schedule(static) num_threads(s->threads)
	for (size_t l = 0; l < s->lines; l++) {
		for (size_t j = l * STREAM_LINE; j < (l + 1) * STREAM_LINE; j++) {
			a[j] = 1.0;
			b[j] = 2.0;
			c[j] = 0.0;
		}
	}
	for (size_t j = s->lines * STREAM_LINE; j < s->n; j++) {
		a[j] = 1.0;
		b[j] = 2.0;
		c[j] = 0.0;
	}
#pragma omp parallel for schedule(static) num_threads(s->threads)
	for (size_t l = 0; l < s->lines; l++)
		for (size_t j = l * STREAM_LINE; j < (l + 1) * STREAM_LINE; j++)
			a[j] = 2.0 * a[j];
	for (size_t j = s->lines * STREAM_LINE; j < s->n; j++)
		a[j] = 2.0 * a[j];
}

static void stream_arrays_release(struct stream_arrays *s)
{
	free(s->a);
	free(s->b);
	free(s->c);
	s->a = s->b = s->c = NULL;
}

/* Refuses sizes beyond the node's memory before trying: with overcommit the
 * allocation could succeed and the job be OOM-killed at first touch. */
static int stream_arrays_alloc(struct stream_arrays *s, size_t n, char *err, size_t errlen)
{
	size_t phys = (size_t)sysconf(_SC_PHYS_PAGES) * (size_t)sysconf(_SC_PAGESIZE);
	s->a = s->b = s->c = NULL;
	s->n = n;
	s->lines = n / STREAM_LINE;
	if (n > SIZE_MAX / sizeof(double) / 3) {
		snprintf(err, errlen, "stream n=%zu: 3 x %zu x 8 bytes (%.3g) overflows size_t",
			 n, n, 24.0 * (double)n);
		return -1;
	}
	size_t each = n * sizeof(double);
	if (phys > 0 && 3 * each > phys)
		goto fail;
	if (posix_memalign((void **)&s->a, STREAM_ALIGN, each) ||
	    posix_memalign((void **)&s->b, STREAM_ALIGN, each) ||
	    posix_memalign((void **)&s->c, STREAM_ALIGN, each))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "stream n=%zu needs 3 x %zu = %zu bytes; cannot allocate them "
		 "(node memory %zu bytes)", n, each, 3 * each, phys);
	stream_arrays_release(s);
	return -1;
}

static int stream_default_threads(void)
{
#ifdef _OPENMP
	return omp_get_max_threads();
#else
	return 1;
#endif
}

/* One trial: the four kernels in STREAM's order, each timed alone. */
static void stream_trial(const struct stream_arrays *s, double t[ANVIL_STREAM_KERNELS])
{
	double t0 = stream_now();
	stream_copy(s);
	double t1 = stream_now();
	stream_scale(s, ANVIL_STREAM_SCALAR);
	double t2 = stream_now();
	stream_add(s);
	double t3 = stream_now();
	stream_triad(s, ANVIL_STREAM_SCALAR);
	double t4 = stream_now();
	t[ANVIL_STREAM_COPY] = t1 - t0;
	t[ANVIL_STREAM_SCALE] = t2 - t1;
	t[ANVIL_STREAM_ADD] = t3 - t2;
	t[ANVIL_STREAM_TRIAD] = t4 - t3;
}

/* Runs the trials; min and mean over all but the first, as stream.c. */
static void stream_time(const struct stream_arrays *s, int ntimes, struct anvil_stream_result *out)
{
	double sum[ANVIL_STREAM_KERNELS] = { 0 }, t[ANVIL_STREAM_KERNELS];
	for (int j = 0; j < ANVIL_STREAM_KERNELS; j++)
		out->min_s[j] = INFINITY;
	for (int k = 0; k < ntimes; k++) {
		stream_trial(s, t);
		for (int j = 0; k > 0 && j < ANVIL_STREAM_KERNELS; j++) {
			double bytes = anvil_stream_words[j] * sizeof(double) * (double)s->n;
			out->trial_gbs[j][k - 1] = 1e-9 * bytes / t[j];  /* as best_gbs below: its max is best_gbs */
			sum[j] += t[j];
			if (t[j] < out->min_s[j])
				out->min_s[j] = t[j];
		}
	}
	for (int j = 0; j < ANVIL_STREAM_KERNELS; j++) {
		double bytes = anvil_stream_words[j] * sizeof(double) * (double)s->n;
		out->best_gbs[j] = 1e-9 * bytes / out->min_s[j];
		out->avg_gbs[j] = 1e-9 * bytes / (sum[j] / (ntimes - 1));
	}
}

int anvil_stream_run(size_t n, int ntimes, int threads, struct anvil_stream_result *out,
		     char *err, size_t errlen)
{
	struct stream_arrays s;
	if (n < 1 || ntimes < 2 || ntimes > ANVIL_STREAM_MAX_TIMES) {
		snprintf(err, errlen, "stream: n=%zu must be >= 1 and ntimes=%d in 2..%d",
			 n, ntimes, ANVIL_STREAM_MAX_TIMES);
		return -1;
	}
	if (stream_arrays_alloc(&s, n, err, errlen))
		return -1;
	s.threads = threads > 0 ? threads : stream_default_threads();
	stream_arrays_fill(&s);
	out->n = n;
	out->ntimes = ntimes;
	stream_time(&s, ntimes, out);
	out->valid = anvil_stream_validate(s.a, s.b, s.c, n, ntimes, out->max_err,
					   out->why, sizeof(out->why));
	stream_arrays_release(&s);
	return 0;
}

size_t anvil_stream_n_for_cache(size_t llc_bytes, size_t min_elems)
{
	/* 8-byte elements: 4 x llc bytes is llc / 2 elements, rounded up. */
	size_t n = llc_bytes / 2 + llc_bytes % 2;
	if (n < min_elems)
		n = min_elems;
	if (n > SIZE_MAX - 1023)
		return SIZE_MAX / 1024 * 1024;
	return (n + 1023) / 1024 * 1024;
}

/* The values stream.c's checkSTREAMresults expects after ntimes trials. */
static void stream_expected(int ntimes, double x[3])
{
	double a = 1.0, b = 2.0, c = 0.0, q = ANVIL_STREAM_SCALAR;
	a = 2.0 * a;
	for (int k = 0; k < ntimes; k++) {
		c = a;
		b = q * c;
		c = a + b;
		a = b + q * c;
	}
	x[0] = a;
	x[1] = b;
	x[2] = c;
}

/* STREAM's AvgRelAbsErr of one array; *bad counts the elements whose own
 * relative error exceeds epsilon (stream.c's ierr). */
static double stream_avg_err(const double *x, size_t n, double expect, size_t *bad)
{
	double sum = 0.0, scale = expect != 0.0 ? fabs(expect) : 1.0;
	*bad = 0;
	for (size_t j = 0; j < n; j++) {
		double d = fabs(x[j] - expect);
		sum += d;
		if (!(d / scale <= ANVIL_STREAM_EPSILON))
			(*bad)++;
	}
	return sum / (double)n / scale;
}

static void stream_appendf(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	if (*off >= len)
		return;
	va_start(ap, fmt);
	int w = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (w > 0)
		*off += (size_t)w;
}

int anvil_stream_validate(const double *a, const double *b, const double *c, size_t n,
			  int ntimes, double err[3], char *why, size_t whylen)
{
	const double *arr[3] = { a, b, c };
	double expect[3];
	size_t off = 0, bad;
	int valid = 1;
	stream_expected(ntimes, expect);
	if (whylen)
		why[0] = '\0';
	for (int i = 0; i < 3; i++) {
		err[i] = stream_avg_err(arr[i], n, expect[i], &bad);
		if (err[i] <= ANVIL_STREAM_EPSILON)  /* NaN fails here */
			continue;
		stream_appendf(why, whylen, &off, "%s%c[]: AvgRelAbsErr %.3g > %g, %zu of %zu "
			       "elements off (expected %.6g)", valid ? "failed validation: " : "; ",
			       "abc"[i], err[i], ANVIL_STREAM_EPSILON, bad, n, expect[i]);
		valid = 0;
	}
	if (valid)
		stream_appendf(why, whylen, &off, "solution validates: avg error less than %g "
			       "on all three arrays", ANVIL_STREAM_EPSILON);
	return valid;
}
