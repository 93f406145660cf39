/* anvil_blas_threads_stop: OpenBLAS's idle worker threads end, and the
 * next threaded call starts them again and gets the right answer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <cblas.h>
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include "kernels/blas_threads.h"

static int threads_now(void)
{
	DIR *d = opendir("/proc/self/task");
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void product_is_right(int n)
{
	double *a = malloc(sizeof(double) * (size_t)(n * n)), *b = malloc(sizeof(double) * (size_t)(n * n));
	double *c = calloc((size_t)(n * n), sizeof(double));
	for (int i = 0; i < n * n; i++) {
		a[i] = (double)(i % 7) - 3;
		b[i] = (double)(i % 5) - 2;
	}
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
	for (int i = 0; i < n; i += 37)
		for (int j = 0; j < n; j += 41) {
			double want = 0;
			for (int k = 0; k < n; k++)
				want += a[i * n + k] * b[k * n + j];
			assert_true(fabs(c[i * n + j] - want) < 1e-9);
		}
	free(a);
	free(b);
	free(c);
}

static void test_stop_then_again(void **state)
{
	(void)state;
	product_is_right(300);  /* the workers exist (where OpenBLAS has more than one thread) */
	int before = threads_now();
	anvil_blas_threads_stop();
	/* a joined thread can stay listed for a moment while the kernel reaps it */
	int after = threads_now();
	for (int i = 0; i < 200 && after >= before; i++) {
		usleep(10000);
		after = threads_now();
	}
	if (openblas_get_num_threads() > 1)
		assert_true(after < before);
	else
		assert_true(after <= before);
	product_is_right(300);  /* started again where needed, and still right */
	anvil_blas_threads_stop();
	anvil_blas_threads_stop();  /* twice: nothing left to stop */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stop_then_again),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
