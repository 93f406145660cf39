/*
 * Shared by the libFuzzer targets in tests/fuzz (one file a target, each
 * defining LLVMFuzzerTestOneInput). Built only with -DANVIL_FUZZ=ON and a
 * clang that has -fsanitize=fuzzer; `make fuzz` runs them (scripts/fuzz.sh).
 * A target feeds its bytes to one parser the way anvil does, then walks what
 * came out, and frees everything: a leak, a crash, undefined behaviour or a
 * hang is a finding.
 */
#ifndef ANVIL_FUZZ_H
#define ANVIL_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy, for parsers that take C strings; the caller frees. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif
