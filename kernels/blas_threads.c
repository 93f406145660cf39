/* OpenBLAS's worker threads ended; see blas_threads.h. */
#include "kernels/blas_threads.h"
#include <dlfcn.h>

void anvil_blas_threads_stop(void)
{
	/* exported by OpenBLAS's pthread build (its fork handler calls it);
	 * looked up, not linked, so that another BLAS (or OpenBLAS built for
	 * OpenMP) is simply left alone */
	int (*stop)(void);
	void *sym = dlsym(RTLD_DEFAULT, "blas_thread_shutdown_");
	*(void **)&stop = sym;
	if (stop)
		stop();
}
