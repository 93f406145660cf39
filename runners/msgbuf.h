/*
 * Message buffers of the MPI runners. As HPC codes' allocators give them
 * (and as hpcc's buffers happen to be after its large arrays), a buffer is
 * aligned to 2 MiB and advised as transparent huge pages, unless the
 * runner's "hugepages" parameter is false. On a shared-memory path (Open
 * MPI's single-copy CMA) the kernel pins every page of a large message:
 * with 4 KiB pages that alone halves the bandwidth (measured on the 2-core
 * development VM: 10-12 GB/s at 2 MB against 25-27 with huge pages, in the
 * same minute). What the buffer really got is read back from
 * /proc/self/smaps and recorded, so a report says which pages it measured.
 */
#ifndef ANVIL_MSGBUF_H
#define ANVIL_MSGBUF_H
#include <stddef.h>
#include <cjson/cJSON.h>

#define ANVIL_MSGBUF_PARAM \
	{ "hugepages", ANVIL_P_BOOL, "true", \
	  "message buffers in transparent huge pages (madvise, 2 MiB aligned); false: 4 KiB pages" }

/* bytes (> 0) rounded up to 2 MiB, aligned to 2 MiB, advised MADV_HUGEPAGE
 * when huge; NULL when out of memory. Release with free(). */
void *anvil_msgbuf_alloc(size_t bytes, int huge);

/* KiB of the buffer p (of bytes, from anvil_msgbuf_alloc) in huge pages:
 * smaps' AnonHugePages of the mapping holding it (the advice makes that the
 * buffer's own), never more than the buffer's rounded size; -1 when it
 * cannot be read. Call after touching it. */
long anvil_msgbuf_huge_kib(const void *p, size_t bytes);

/* KiB a buffer of bytes takes once rounded up to 2 MiB blocks. */
long anvil_msgbuf_kib(size_t bytes);

/* Adds "buffer_pages" to info from what each end of a pair read back with
 * anvil_msgbuf_huge_kib (total_kib: each end's buffers; peer_kib < 0: no
 * peer): "transparent huge pages: here 4096 of 4096 KiB, peer 2048 of 4096
 * KiB" (both ends matter: a large message is read from the sender's pages
 * into the receiver's), or "4 KiB pages (hugepages=false)". */
void anvil_msgbuf_describe(cJSON *info, int huge, long here_kib, long peer_kib, long total_kib);

#endif
