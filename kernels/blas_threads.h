/* OpenBLAS's worker threads, for a process about to do no linear algebra. */
#ifndef ANVIL_BLAS_THREADS_H
#define ANVIL_BLAS_THREADS_H

/* Ends OpenBLAS's worker threads where the library can (it starts them again
 * at its next threaded call). Each spins in sched_yield for about 2^28 cycles
 * after the library is loaded: a tenth of a second of a core, at the start of
 * `anvil report`, which uses no BLAS. Nothing where the BLAS is another. */
void anvil_blas_threads_stop(void);

#endif
