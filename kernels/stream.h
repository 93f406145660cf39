/* STREAM memory bandwidth (McCalpin's rules and definitions) with OpenMP.
 * Figures are comparable with stream.c: same kernels, same byte counts (no
 * write-allocate traffic counted), best rate from the minimum time, the first
 * trial dropped, and STREAM's own validation. */
#ifndef ANVIL_KERNELS_STREAM_H
#define ANVIL_KERNELS_STREAM_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {  /* kernels/gpu_stream.cu uses the kernel numbers */
#endif

enum { ANVIL_STREAM_COPY, ANVIL_STREAM_SCALE, ANVIL_STREAM_ADD, ANVIL_STREAM_TRIAD,
       ANVIL_STREAM_KERNELS };

/* STREAM's kernel names, and the words (array elements) each moves per
 * element as STREAM counts them: copy, scale 2; add, triad 3. The CPU and
 * GPU runners both count bytes by this table. */
extern const char *const anvil_stream_names[ANVIL_STREAM_KERNELS];
extern const double anvil_stream_words[ANVIL_STREAM_KERNELS];

#define ANVIL_STREAM_SCALAR 3.0    /* q in scale and triad, as STREAM */
#define ANVIL_STREAM_EPSILON 1e-13 /* STREAM's tolerance for doubles */
#define ANVIL_STREAM_MAX_TIMES 250 /* values grow 15x per trial: 2·15^262 overflows */

struct anvil_stream_result {
	double best_gbs[4];  /* bytes / min time / 1e9, indexed by ANVIL_STREAM_* */
	double avg_gbs[4];   /* bytes / mean time / 1e9 */
	double min_s[4];     /* both over trials 2..ntimes, as STREAM */
	double trial_gbs[4][ANVIL_STREAM_MAX_TIMES];  /* bytes / time / 1e9 of trials 2..ntimes, in order */
	size_t n;            /* elements per array */
	int ntimes;          /* trials run, the dropped first one included */
	int valid;           /* 1 when all three arrays pass STREAM's check */
	double max_err[3];   /* a, b, c: STREAM's AvgRelAbsErr (mean |x - expected| / expected) */
	char why[160];       /* STREAM's verdict in words, failing arrays named */
};

/* n: elements per array (caller guarantees >= 4x last-level cache); ntimes:
 * trials (2..ANVIL_STREAM_MAX_TIMES; the first is dropped as STREAM does);
 * threads: OpenMP threads (<= 0: the OpenMP default).  Returns 0 with *out
 * filled, or -1 with a message in err (bad arguments, or the arrays cannot be
 * allocated: the message gives the bytes).  Failed validation is not an
 * error: it is out->valid == 0 and out->why. */
int anvil_stream_run(size_t n, int ntimes, int threads, struct anvil_stream_result *out,
		     char *err, size_t errlen);

/* Elements per array so that each array is >= 4x llc_bytes and at least
 * min_elems (STREAM's rule), rounded up to a multiple of 1024. */
size_t anvil_stream_n_for_cache(size_t llc_bytes, size_t min_elems);

/* STREAM's checkSTREAMresults: a, b, c of n elements after `ntimes` trials
 * from STREAM's initial values.  Writes AvgRelAbsErr of each array to err[3]
 * and a sentence to why; returns 1 when every array is within
 * ANVIL_STREAM_EPSILON, else 0 (NaN fails, where stream.c would pass it).
 * Public so that tests can hand it a corrupted array. */
int anvil_stream_validate(const double *a, const double *b, const double *c, size_t n,
			  int ntimes, double err[3], char *why, size_t whylen);

#ifdef __cplusplus
}
#endif
#endif
