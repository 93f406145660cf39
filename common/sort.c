/* Numbers sorted by their bits; see sort.h. */
#include "common/sort.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#define SMALL 48   /* fewer than this: insertion sort */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The bits of x made an unsigned key in x's order: the sign flipped for a
 * positive number, every bit for a negative one. */
static uint64_t key_of(double x)
{
	uint64_t u;
	memcpy(&u, &x, sizeof(u));
	return u >> 63 ? ~u : u | (uint64_t)1 << 63;
}

static double double_of(uint64_t k)
{
	uint64_t u = k >> 63 ? k & ~((uint64_t)1 << 63) : ~k;
	double x;
	memcpy(&x, &u, sizeof(x));
	return x;
}

void anvil_sort_doubles(double *v, size_t n)
{
	if (n < 2)
		return;
	for (size_t i = 0; i < n; i++)
		if (isnan(v[i]) || (v[i] == 0 && signbit(v[i]))) {
			/* -0, equal to +0 but not in its bits, or NaN: as qsort has them */
			qsort(v, n, sizeof(*v), cmp_double);
			return;
		}
	if (n < SMALL) {
		for (size_t i = 1; i < n; i++) {
			double x = v[i];
			size_t j = i;
			for (; j > 0 && v[j - 1] > x; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		return;
	}
	uint64_t *a = malloc(2 * n * sizeof(*a));
	if (!a) {
		qsort(v, n, sizeof(*v), cmp_double);
		return;
	}
	uint64_t *b = a + n, *base = a;
	/* the counts of every byte of every key in one pass; a byte that is
	 * the same in every key (the sign and exponent, mostly) takes no pass */
	size_t count[8][256];
	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < n; i++) {
		uint64_t k = key_of(v[i]);
		a[i] = k;
		for (int d = 0; d < 8; d++)
			count[d][(k >> (8 * d)) & 0xff]++;
	}
	for (int d = 0; d < 8; d++) {
		size_t *c = count[d];
		if (c[(a[0] >> (8 * d)) & 0xff] == n)
			continue;
		size_t at = 0;
		for (int i = 0; i < 256; i++) {
			size_t k = c[i];
			c[i] = at;
			at += k;
		}
		for (size_t i = 0; i < n; i++)
			b[c[(a[i] >> (8 * d)) & 0xff]++] = a[i];
		uint64_t *t = a;
		a = b;
		b = t;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = double_of(a[i]);
	free(base);
}
