#include "runners/msgbuf.h"
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_BYTES ((size_t)2 << 20)

void *anvil_msgbuf_alloc(size_t bytes, int huge)
{
	if (!bytes || bytes > SIZE_MAX - HUGE_BYTES)
		return NULL;
	size_t len = (bytes + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1);
	void *p = aligned_alloc(HUGE_BYTES, len);
#ifdef MADV_HUGEPAGE
	if (p && huge)
		madvise(p, len, MADV_HUGEPAGE);  /* a kernel without THP says EINVAL: 4 KiB pages */
#endif
	return p;
}

long anvil_msgbuf_huge_kib(const void *p, size_t bytes)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	if (!f)
		return -1;
	uintptr_t a = (uintptr_t)p;
	char line[512];
	int inside = 0;
	long kib = -1;
	while (fgets(line, sizeof(line), f)) {
		uintptr_t lo, hi;
		/* a mapping's header, "7f12a0000000-7f12a0400000 rw-p ...": no
		 * field line ("AnonHugePages:  2048 kB") reads as two hex numbers */
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR, &lo, &hi) == 2) {
			inside = a >= lo && a < hi;
			continue;
		}
		if (inside && sscanf(line, "AnonHugePages: %ld kB", &kib) == 1)
			break;
	}
	fclose(f);
	/* the advice gives the buffer a mapping of its own; where the kernel
	 * merged it with a neighbour the count is the mapping's, so at most the
	 * buffer's own size is said */
	long most = anvil_msgbuf_kib(bytes);
	return kib > most ? most : kib;
}

long anvil_msgbuf_kib(size_t bytes)
{
	return (long)(((bytes + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1)) / 1024);
}

void anvil_msgbuf_describe(cJSON *info, int huge, long here_kib, long peer_kib, long total_kib)
{
	char text[200], peer[80] = "";
	if (peer_kib >= 0)
		snprintf(peer, sizeof(peer), ", peer %ld of %ld KiB", peer_kib, total_kib);
	if (!huge)
		snprintf(text, sizeof(text), "4 KiB pages (hugepages=false)");
	else if (here_kib < 0)
		snprintf(text, sizeof(text), "transparent huge pages asked; /proc/self/smaps unreadable");
	else
		snprintf(text, sizeof(text), "transparent huge pages: here %ld of %ld KiB%s%s", here_kib, total_kib,
			 peer, here_kib < total_kib || (peer_kib >= 0 && peer_kib < total_kib)
				       ? " (the kernel gave fewer: see transparent_hugepage in the inventory)" : "");
	cJSON_AddStringToObject(info, "buffer_pages", text);
}
