/* qsort for arrays that may be empty: qsort's base must not be NULL, even
 * for 0 elements (C11 7.22.5), and an empty list's array often is. And
 * numbers sorted without a comparison function (anvil_sort_doubles). */
#ifndef ANVIL_SORT_H
#define ANVIL_SORT_H
#include <stdlib.h>

static inline void anvil_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

/* v[0..n) in ascending order: the order anvil_sort gives with a
 * comparison of (x > y) - (x < y), by a radix sort of the numbers' bits
 * (equal numbers have equal bits but -0 and +0, so no order among equals
 * is lost), or by qsort itself where there is a -0 or a NaN. A fleet's
 * figures are thousands a name, and calling a comparison function for
 * each pair was most of the time of sorting them. */
void anvil_sort_doubles(double *v, size_t n);
#endif
