/* snprintf for the formats anvil's hot paths use, without glibc's slow
 * path: in this process every printf goes through printf_positional
 * (libquadmath, loaded by OpenBLAS's Fortran runtime, registers a printf
 * modifier), several times the cost of the conversions themselves. The
 * same output and return value as snprintf for: %s %c %d %i %u %ld %lu
 * %lld %llu %zu %zd %% and a double as %[.P]f, %[.P]g or %[.P]e (numbers
 * through strfromd, which is the conversion printf itself makes); any other
 * format goes to vsnprintf. */
#ifndef ANVIL_FMT_H
#define ANVIL_FMT_H
#include <stdarg.h>
#include <stddef.h>

int anvil_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int anvil_vfmt(char *buf, size_t len, const char *fmt, va_list ap);

#endif
