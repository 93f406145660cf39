/* See par.h. */
#include "common/par.h"
#include <pthread.h>

struct part {
	void (*fn)(void *, size_t, size_t);
	void *arg;
	size_t from, to;
};

static void *run_part(void *p)
{
	struct part *pt = p;
	pt->fn(pt->arg, pt->from, pt->to);
	return NULL;
}

void anvil_par2(void (*fn)(void *arg, size_t from, size_t to), void *arg, size_t mid, size_t n)
{
	if (mid > n)
		mid = n;
	struct part second = { fn, arg, mid, n };
	pthread_t th;
	int threaded = mid < n && pthread_create(&th, NULL, run_part, &second) == 0;
	fn(arg, 0, threaded ? mid : n);
	if (threaded)
		pthread_join(th, NULL);
}
