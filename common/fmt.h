/* snprintf for the formats anvil's hot paths use, without glibc's slow
 * path: in this process every printf goes through printf_positional
 * (libquadmath, loaded by OpenBLAS's Fortran runtime, registers a printf
 * modifier), several times the cost of the conversions themselves. The
 * same output and return value as snprintf for: %s %c %d %i %u %ld %lu
 * %lld %llu %zu %zd %% and a double as %[.P]f, %[.P]g or %[.P]e (%.Pf and
 * %.Pg of ordinary numbers, up to 9 digits, rounded as scaled integers where
 * the rounding is certain; the rest through strfromd, which is the
 * conversion printf itself makes); any other format goes to vsnprintf. */
#ifndef ANVIL_FMT_H
#define ANVIL_FMT_H
#include <stdarg.h>
#include <stddef.h>

int anvil_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int anvil_vfmt(char *buf, size_t len, const char *fmt, va_list ap);

/* u's decimal digits into out (at most 20, no NUL); their number. What
 * %llu writes, for a caller putting text together by hand. */
int anvil_fmt_uint(char *out, unsigned long long u);

/* 10^k for k = 0 .. ANVIL_POW10_EXACT: the powers of ten a double holds
 * exactly (one multiplication or division by one rounds once). */
#define ANVIL_POW10_EXACT 22
extern const double anvil_pow10[ANVIL_POW10_EXACT + 1];

#endif
