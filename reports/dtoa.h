/* Fast double → text for the report writers (JSON, Prometheus). */
#ifndef ANVIL_DTOA_H
#define ANVIL_DTOA_H

/* Writes v as a JSON number that strtod reads back as exactly v (at most 25
 * bytes and a NUL); NaN and infinities, which JSON cannot hold, as "null".
 * Returns the length. */
#define ANVIL_DTOA_MAX 32
int anvil_dtoa(double v, char *out);

#endif
