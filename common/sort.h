/* qsort for arrays that may be empty: qsort's base must not be NULL, even
 * for 0 elements (C11 7.22.5), and an empty list's array often is. */
#ifndef ANVIL_SORT_H
#define ANVIL_SORT_H
#include <stdlib.h>

static inline void anvil_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}
#endif
