/* Work split in two: the second part on a thread of its own, the first
 * where it is called (on one thread when none can be made). For loops of
 * independent items whose results go to their own slots. */
#ifndef ANVIL_PAR_H
#define ANVIL_PAR_H
#include <stddef.h>

/* fn(arg, 0, mid) here and fn(arg, mid, n) on a second thread, both done on return. */
void anvil_par2(void (*fn)(void *arg, size_t from, size_t to), void *arg, size_t mid, size_t n);

#endif
