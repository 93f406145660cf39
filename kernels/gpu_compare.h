/*
 * Floating-point formats of the GPU GEMM runners and the rules for comparing
 * their results, shared by the CUDA kernels (kernels/gpu_*.cu) and the host:
 * the functions marked ANVIL_HD compile for both, so the comparison the GPU
 * makes is the one tests/unit/test_gpu_compare.c checks on the CPU.
 *
 * Two comparisons:
 *  - burn: a result against the reference result of the same GEMM on the same
 *    GPU. cuBLAS gives bit-identical results for the same call on the same
 *    GPU, so the tolerance is 2 units of the output format's roundoff, on the
 *    scale of the result: tol = 2 u (|ref| + scale), scale = the typical |C|.
 *    A flipped exponent bit or a garbage element is always outside it.
 *  - sample: a GPU result against a host reference computed in double from
 *    the same inputs. Error model: inputs rounded on the way in (TF32 only:
 *    the tensor cores round fp32 to 10 mantissa bits), a random walk of
 *    accumulation roundoff over n terms, and the output rounded once (to
 *    nearest or toward zero): tol = 8 (e_in + sqrt(n) u_acc) S + 4 u_out |ref|,
 *    S = sqrt(sum (a_k b_k)^2). Emulated on the host, the worst error seen is
 *    under half of it (tests/unit/test_gpu_compare.c); a wrong element is
 *    off by a sizeable share of S.
 */
#ifndef ANVIL_GPU_COMPARE_H
#define ANVIL_GPU_COMPARE_H
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __CUDACC__
#define ANVIL_HD static inline __host__ __device__
#else
#define ANVIL_HD static inline
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* 2^-53 and 2^-24 written out: hex float literals are not C++11. */
#define ANVIL_2M53 1.1102230246251565404236316680908203125e-16
#define ANVIL_2M24 5.9604644775390625e-08

enum anvil_prec {
	ANVIL_FP64,   /* double in and out, FP64 (tensor cores on Ampere/Hopper) */
	ANVIL_FP32,   /* float in and out, CUBLAS_COMPUTE_32F (no TF32) */
	ANVIL_TF32,   /* float in and out, CUBLAS_COMPUTE_32F_FAST_TF32 */
	ANVIL_BF16,   /* bfloat16 in and out, FP32 accumulate */
	ANVIL_FP16,   /* half in and out, FP32 accumulate */
	ANVIL_PREC_COUNT,
};

/* "fp64" … "fp16"; NULL for a bad value. */
const char *anvil_prec_name(enum anvil_prec p);
/* The precision named s, or -1 (and the known names in why). */
int anvil_prec_parse(const char *s, char *why, size_t len);
/* Parses "fp64,fp32,…" into out (at most ANVIL_PREC_COUNT, no repeats);
 * the count, or -1 with why naming the bad entry. */
int anvil_prec_list(const char *s, enum anvil_prec *out, char *why, size_t len);

ANVIL_HD size_t anvil_prec_size(enum anvil_prec p)
{
	return p == ANVIL_FP64 ? 8 : p == ANVIL_BF16 || p == ANVIL_FP16 ? 2 : 4;
}

/* Unit roundoff of the output format (half an ulp at 1.0). */
ANVIL_HD double anvil_prec_u_out(enum anvil_prec p)
{
	return p == ANVIL_FP64 ? ANVIL_2M53 : p == ANVIL_BF16 ? 0.00390625 /* 2^-8 */ :
	       p == ANVIL_FP16 ? 0.00048828125 /* 2^-11 */ : ANVIL_2M24;
}

/* Unit roundoff of the accumulation. */
ANVIL_HD double anvil_prec_u_acc(enum anvil_prec p)
{
	return p == ANVIL_FP64 ? ANVIL_2M53 : ANVIL_2M24;
}

/* Relative error of one product from rounding its inputs inside the GEMM:
 * TF32 keeps 10 of fp32's 23 mantissa bits (rounded or truncated: <= 2^-10
 * per input, 2^-9 per product). The other formats multiply their inputs exactly. */
ANVIL_HD double anvil_prec_e_in(enum anvil_prec p)
{
	return p == ANVIL_TF32 ? 0.001953125 /* 2^-9 */ : 0.0;
}

/* IEEE binary16 bits to double (subnormals, infinities and NaN included). */
ANVIL_HD double anvil_half_to_double(uint16_t h)
{
	int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
	double v;
	if (exp == 0)
		v = ldexp((double)mant, -24);
	else if (exp == 31)
		v = mant ? NAN : INFINITY;
	else
		v = ldexp((double)(mant | 0x400), exp - 25);
	return sign ? -v : v;
}

/* bfloat16 bits to double: the upper half of a float. */
ANVIL_HD double anvil_bf16_to_double(uint16_t h)
{
	uint32_t bits = (uint32_t)h << 16;
	float f;
	memcpy(&f, &bits, sizeof(f));
	return (double)f;
}

/* Element i of an array in format p, as a double. */
ANVIL_HD double anvil_prec_load(const void *base, size_t i, enum anvil_prec p)
{
	switch (p) {
	case ANVIL_FP64: return ((const double *)base)[i];
	case ANVIL_BF16: return anvil_bf16_to_double(((const uint16_t *)base)[i]);
	case ANVIL_FP16: return anvil_half_to_double(((const uint16_t *)base)[i]);
	default: return (double)((const float *)base)[i];
	}
}

/* 1 when got is not ref within rel |ref| + abs; NaN and infinities differ. */
ANVIL_HD int anvil_differs(double ref, double got, double rel, double abs_tol)
{
	double d = fabs(got - ref);
	return !(d <= rel * fabs(ref) + abs_tol);
}

/* Burn tolerance: rel and abs for anvil_differs(); see the top of this file. */
ANVIL_HD void anvil_burn_tol(enum anvil_prec p, double scale, double *rel, double *abs_tol)
{
	*rel = 2.0 * anvil_prec_u_out(p);
	*abs_tol = 2.0 * anvil_prec_u_out(p) * scale;
}

/* Typical |C| of an n x n x n GEMM of inputs uniform in [-1, 1] (rms 1/sqrt 3). */
ANVIL_HD double anvil_gemm_scale(size_t n)
{
	return sqrt((double)n) / 3.0;
}

/* Sample tolerance: |c - ref| allowed for one element, given n and
 * s = sqrt(sum_k (a_k b_k)^2) from the host reference. */
ANVIL_HD double anvil_sample_tol(enum anvil_prec p, size_t n, double s, double ref)
{
	return 8.0 * (anvil_prec_e_in(p) + sqrt((double)n) * anvil_prec_u_acc(p)) * s +
	       4.0 * anvil_prec_u_out(p) * fabs(ref);
}

/* What the fault-injection hook does to element i: flips the most
 * significant exponent bit, as a bit flip in memory or a datapath would.
 * That moves the value by 2^(2^(e-1)) or turns it into an inf/NaN, so the
 * burn tolerance always catches it (tests/unit/test_gpu_compare.c). */
ANVIL_HD void anvil_corrupt(void *base, size_t i, enum anvil_prec p)
{
	switch (p) {
	case ANVIL_FP64: {
		uint64_t b;
		memcpy(&b, (double *)base + i, 8);
		b ^= (uint64_t)1 << 62;
		memcpy((double *)base + i, &b, 8);
		break;
	}
	case ANVIL_BF16:
	case ANVIL_FP16:
		((uint16_t *)base)[i] ^= (uint16_t)0x4000;
		break;
	default: {
		uint32_t b;
		memcpy(&b, (float *)base + i, 4);
		b ^= (uint32_t)1 << 30;
		memcpy((float *)base + i, &b, 4);
		break;
	}
	}
}

/* Host versions of the device loops (tests and small host-side checks):
 * elements of got that differ from ref under the burn tolerance. */
size_t anvil_burn_count(const void *ref, const void *got, size_t count, enum anvil_prec p,
			double scale);

#ifdef __cplusplus
}
#endif
#endif
