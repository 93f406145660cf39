/* The rules the GPU kernels compare results by (kernels/gpu_compare.h), the
 * counter-based generator (kernels/gpu_rand.h), and the precision lists:
 * all plain C, so they are tested here without a GPU. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/gpu_compare.h"
#include "kernels/gpu_rand.h"

/* ---- host conversions to the 16-bit formats (round to nearest even) ------ */

static uint16_t to_bf16(double v)
{
	float f = (float)v;
	uint32_t b;
	memcpy(&b, &f, 4);
	if ((b & 0x7fffffffu) > 0x7f800000u)
		return (uint16_t)((b >> 16) | 0x40);  /* NaN stays NaN */
	b += 0x7fffu + ((b >> 16) & 1u);
	return (uint16_t)(b >> 16);
}

static uint16_t to_half(double v)
{
	_Float16 h = (_Float16)v;  /* GCC 12 on x86-64: IEEE binary16, round to nearest */
	uint16_t b;
	memcpy(&b, &h, 2);
	return b;
}

/* An array of `count` values of format p from doubles. */
static void *make(enum anvil_prec p, const double *v, size_t count)
{
	void *x = malloc(count * anvil_prec_size(p));
	for (size_t i = 0; i < count; i++) {
		switch (p) {
		case ANVIL_FP64: ((double *)x)[i] = v[i]; break;
		case ANVIL_BF16: ((uint16_t *)x)[i] = to_bf16(v[i]); break;
		case ANVIL_FP16: ((uint16_t *)x)[i] = to_half(v[i]); break;
		default: ((float *)x)[i] = (float)v[i]; break;
		}
	}
	return x;
}

/* ---- names ----------------------------------------------------------------- */

static void test_prec_names(void **state)
{
	(void)state;
	char why[200];
	enum anvil_prec list[ANVIL_PREC_COUNT];
	assert_string_equal(anvil_prec_name(ANVIL_BF16), "bf16");
	assert_null(anvil_prec_name(ANVIL_PREC_COUNT));
	assert_int_equal(anvil_prec_parse("tf32", why, sizeof(why)), ANVIL_TF32);
	assert_int_equal(anvil_prec_parse("fp8", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "\"fp8\""));
	assert_non_null(strstr(why, "fp64, fp32, tf32, bf16, fp16"));
	assert_int_equal(anvil_prec_list("fp64,fp32,tf32,bf16,fp16", list, why, sizeof(why)), 5);
	assert_int_equal(list[0], ANVIL_FP64);
	assert_int_equal(list[4], ANVIL_FP16);
	assert_int_equal(anvil_prec_list("bf16, fp64", list, why, sizeof(why)), 2);
	assert_int_equal(list[0], ANVIL_BF16);
	assert_int_equal(anvil_prec_list("fp64,fp64", list, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "named twice"));
	assert_int_equal(anvil_prec_list("", list, why, sizeof(why)), -1);
	assert_int_equal(anvil_prec_list("fp64,int8", list, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "int8"));
	assert_int_equal((int)anvil_prec_size(ANVIL_FP64), 8);
	assert_int_equal((int)anvil_prec_size(ANVIL_TF32), 4);
	assert_int_equal((int)anvil_prec_size(ANVIL_FP16), 2);
}

/* ---- the 16-bit formats ------------------------------------------------------ */

static void test_half(void **state)
{
	(void)state;
	assert_true(anvil_half_to_double(0x3c00) == 1.0);
	assert_true(anvil_half_to_double(0xc000) == -2.0);
	assert_true(anvil_half_to_double(0x7bff) == 65504.0);
	assert_true(anvil_half_to_double(0x0001) == ldexp(1.0, -24));   /* smallest subnormal */
	assert_true(anvil_half_to_double(0x0400) == ldexp(1.0, -14));   /* smallest normal */
	assert_true(isinf(anvil_half_to_double(0x7c00)) && anvil_half_to_double(0x7c00) > 0);
	assert_true(isnan(anvil_half_to_double(0x7e00)));
	double z = anvil_half_to_double(0x8000);
	assert_true(z == 0.0 && signbit(z));
	/* every finite half agrees with the compiler's own conversion */
	for (uint32_t b = 0; b < 0x10000; b++) {
		_Float16 h;
		uint16_t bits = (uint16_t)b;
		memcpy(&h, &bits, 2);
		double want = (double)h, got = anvil_half_to_double(bits);
		if (isnan(want))
			assert_true(isnan(got));
		else
			assert_true(want == got);
	}
}

static void test_bf16(void **state)
{
	(void)state;
	assert_true(anvil_bf16_to_double(0x3f80) == 1.0);
	assert_true(anvil_bf16_to_double(0xc040) == -3.0);
	assert_true(isinf(anvil_bf16_to_double(0x7f80)));
	assert_true(isnan(anvil_bf16_to_double(0x7fc0)));
	assert_true(anvil_bf16_to_double(to_bf16(1.00390625)) == 1.0);       /* a tie rounds to even */
	assert_true(anvil_bf16_to_double(to_bf16(1.01171875)) == 1.015625);  /* the other tie */
	for (int i = -50; i <= 50; i++) {
		double v = i * 0.37;
		assert_true(fabs(anvil_bf16_to_double(to_bf16(v)) - v) <= fabs(v) * 0x1p-8);
	}
}

static void test_load(void **state)
{
	(void)state;
	double v[3] = { 1.5, -0.25, 3.0 };
	for (int p = 0; p < ANVIL_PREC_COUNT; p++) {
		void *x = make((enum anvil_prec)p, v, 3);
		for (int i = 0; i < 3; i++)
			assert_true(anvil_prec_load(x, (size_t)i, (enum anvil_prec)p) == v[i]);
		free(x);
	}
}

/* ---- the burn comparison ----------------------------------------------------- */

static void test_burn_tolerance(void **state)
{
	(void)state;
	double rel, abs_tol, scale = anvil_gemm_scale(8192);
	assert_true(fabs(scale - sqrt(8192.0) / 3) < 1e-12);
	anvil_burn_tol(ANVIL_FP64, scale, &rel, &abs_tol);
	assert_true(rel == 2 * DBL_EPSILON / 2);
	double x = 42.123456789;
	assert_false(anvil_differs(x, x, rel, abs_tol));
	assert_false(anvil_differs(x, nextafter(x, 100), rel, abs_tol));        /* 1 ulp: same result */
	assert_true(anvil_differs(x, x * (1 + 1e-12), rel, abs_tol));           /* ~4500 ulps: not */
	assert_false(anvil_differs(0.0, 1e-300, rel, abs_tol));                  /* near zero: the scale counts */
	assert_true(anvil_differs(x, NAN, rel, abs_tol));
	assert_true(anvil_differs(NAN, NAN, rel, abs_tol));
	assert_true(anvil_differs(INFINITY, INFINITY, rel, abs_tol));           /* inf - inf is NaN */
	anvil_burn_tol(ANVIL_BF16, scale, &rel, &abs_tol);
	assert_true(rel == 2.0 / 256);
	assert_false(anvil_differs(40.0, 40.25, rel, abs_tol));                  /* one bf16 ulp at 40 */
	assert_true(anvil_differs(40.0, 41.0, rel, abs_tol));
	anvil_burn_tol(ANVIL_FP16, scale, &rel, &abs_tol);
	assert_false(anvil_differs(40.0, 40.03125, rel, abs_tol));
	assert_true(anvil_differs(40.0, 40.5, rel, abs_tol));
}

/* GEMM-like results: the generator's values times the scale, plus the
 * awkward ones (zero, tiny, just under and over powers of two). */
static double *results(size_t count, double scale)
{
	double *v = malloc(count * sizeof(double));
	const double special[] = { 0.0, -0.0, 1e-30, -1e-7, 0.5, 1.0, 1.999, 2.0, 3.999, -4.0, 255.0 };
	size_t ns = sizeof(special) / sizeof(*special);
	for (size_t i = 0; i < count; i++)
		v[i] = i < ns ? special[i] : anvil_rand_uniform(77, i, -3 * scale, 3 * scale);
	return v;
}

/* The fault-injection flip is caught wherever it lands, in every format and
 * up to the largest burn size (n = 65536), and nothing else is counted. */
static void test_corruption_always_caught(void **state)
{
	(void)state;
	const size_t count = 4000, sizes[] = { 256, 8192, 65536 };
	for (size_t s = 0; s < 3; s++) {
		double scale = anvil_gemm_scale(sizes[s]);
		double *v = results(count, scale);
		for (int p = 0; p < ANVIL_PREC_COUNT; p++) {
			void *ref = make((enum anvil_prec)p, v, count), *got = make((enum anvil_prec)p, v, count);
			assert_int_equal((int)anvil_burn_count(ref, got, count, (enum anvil_prec)p, scale), 0);
			for (size_t i = 0; i < count; i += 3)
				anvil_corrupt(got, i, (enum anvil_prec)p);
			size_t want = (count + 2) / 3;
			size_t seen = anvil_burn_count(ref, got, count, (enum anvil_prec)p, scale);
			if (seen != want)
				fail_msg("%s, n = %zu: %zu of %zu flips caught", anvil_prec_name((enum anvil_prec)p),
					 sizes[s], seen, want);
			for (size_t i = 0; i < count; i += 3)  /* a second flip restores the value */
				anvil_corrupt(got, i, (enum anvil_prec)p);
			assert_int_equal((int)anvil_burn_count(ref, got, count, (enum anvil_prec)p, scale), 0);
			free(ref);
			free(got);
		}
		free(v);
	}
}

/* A flip of the lowest mantissa bit is a one-ulp change: within tolerance
 * (the burn does not flag last-bit noise), as a bit flip gpu-burn would not see either. */
static void test_last_bit_tolerated(void **state)
{
	(void)state;
	double scale = anvil_gemm_scale(8192);
	double v[4] = { 12.5, -30.0, 0.75, 100.0 };
	for (int p = 0; p < ANVIL_PREC_COUNT; p++) {
		void *ref = make((enum anvil_prec)p, v, 4), *got = make((enum anvil_prec)p, v, 4);
		if (anvil_prec_size((enum anvil_prec)p) == 2)
			((uint16_t *)got)[1] ^= 1;
		else if (p == ANVIL_FP64)
			((uint64_t *)got)[1] ^= 1;
		else
			((uint32_t *)got)[1] ^= 1;
		assert_int_equal((int)anvil_burn_count(ref, got, 4, (enum anvil_prec)p, scale), 0);
		free(ref);
		free(got);
	}
}

/* ---- the sampled check of a GEMM element ------------------------------------- */

/* One element of C as a GPU would compute it in format p: inputs of the
 * format (TF32: fp32 inputs cut to 10 mantissa bits), FP64 or FP32
 * accumulation in order, the output rounded to the format. */
static double emulate(enum anvil_prec p, const double *a, const double *b, size_t n, double *ref, double *s)
{
	long double r = 0, sq = 0;
	double acc64 = 0;
	float acc32 = 0;
	for (size_t k = 0; k < n; k++) {
		double x = a[k], y = b[k];
		r += (long double)x * y;
		sq += (long double)x * y * x * y;
		if (p == ANVIL_TF32) {
			float fx = (float)x, fy = (float)y;
			uint32_t bx, by;
			memcpy(&bx, &fx, 4);
			memcpy(&by, &fy, 4);
			bx &= 0xffffe000u;  /* truncation: the worse of the two roundings */
			by &= 0xffffe000u;
			memcpy(&fx, &bx, 4);
			memcpy(&fy, &by, 4);
			acc32 += fx * fy;
		} else if (p == ANVIL_FP64) {
			acc64 += x * y;
		} else {
			acc32 += (float)x * (float)y;
		}
	}
	*ref = (double)r;
	*s = sqrt((double)sq);
	double out = p == ANVIL_FP64 ? acc64 : acc32;
	if (p == ANVIL_BF16)
		out = anvil_bf16_to_double(to_bf16(out));
	if (p == ANVIL_FP16)
		out = anvil_half_to_double(to_half(out));
	return out;
}

static void test_sample_tolerance(void **state)
{
	(void)state;
	const size_t n = 16384;
	double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double));
	for (int p = 0; p < ANVIL_PREC_COUNT; p++) {
		for (int trial = 0; trial < 20; trial++) {
			for (size_t k = 0; k < n; k++) {  /* inputs exact in the format, as the fill makes them */
				void *x;
				double ak = anvil_rand_uniform(100 + (uint64_t)trial, k, -1, 1);
				double bk = anvil_rand_uniform(200 + (uint64_t)trial, k, -1, 1);
				x = make((enum anvil_prec)p, &ak, 1);
				a[k] = anvil_prec_load(x, 0, (enum anvil_prec)p);
				free(x);
				x = make((enum anvil_prec)p, &bk, 1);
				b[k] = anvil_prec_load(x, 0, (enum anvil_prec)p);
				free(x);
			}
			double ref, s, got = emulate((enum anvil_prec)p, a, b, n, &ref, &s);
			double tol = anvil_sample_tol((enum anvil_prec)p, n, s, ref);
			if (anvil_differs(ref, got, 0, tol))
				fail_msg("%s trial %d: |%.17g - %.17g| > %.3g", anvil_prec_name((enum anvil_prec)p), trial,
					 got, ref, tol);
			/* a wrong element (one product missing, or another column) is caught */
			assert_true(anvil_differs(ref, ref + 0.05 * s, 0, tol));
			assert_true(anvil_differs(ref, NAN, 0, tol));
		}
	}
	free(a);
	free(b);
}

/* ---- the generator -------------------------------------------------------------- */

static void test_rand(void **state)
{
	(void)state;
	double sum = 0, lo = 1, hi = -1;
	const int n = 200000;
	for (int i = 0; i < n; i++) {
		double v = anvil_rand_uniform(9, (uint64_t)i, -0.5, 0.5);
		assert_true(v >= -0.5 && v < 0.5);
		sum += v;
		lo = fmin(lo, v);
		hi = fmax(hi, v);
	}
	assert_true(fabs(sum / n) < 0.005);
	assert_true(lo < -0.499 && hi > 0.499);
	assert_true(anvil_rand_bits(9, 12345) == anvil_rand_bits(9, 12345));   /* a pure function */
	assert_true(anvil_rand_bits(9, 12345) != anvil_rand_bits(10, 12345));  /* streams differ */
	assert_true(anvil_rand_bits(9, 12345) != anvil_rand_bits(9, 12346));
	/* an index beyond 2^32, as in an HPL matrix of N > 65536 */
	double v = anvil_rand_uniform(9, (uint64_t)1 << 35, -0.5, 0.5);
	assert_true(v >= -0.5 && v < 0.5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prec_names),
		cmocka_unit_test(test_half),
		cmocka_unit_test(test_bf16),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_burn_tolerance),
		cmocka_unit_test(test_corruption_always_caught),
		cmocka_unit_test(test_last_bit_tolerated),
		cmocka_unit_test(test_sample_tolerance),
		cmocka_unit_test(test_rand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
