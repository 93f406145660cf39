/* An output file written through a buffer as it is produced (so a 300 MB
 * report.json never sits in memory whole), then renamed into place: readers
 * see the old file or the new one, never half of one. With no directory it
 * is just the buffer (what the unit tests and small renderings use). The
 * writes themselves are made by one writer thread, in the order the buffers
 * are handed to it (outfile.c); a write error shows at the commit. */
#ifndef ANVIL_OUTFILE_H
#define ANVIL_OUTFILE_H
#include <stddef.h>
#include "common/strbuf.h"

struct anvil_outfile {
	struct strbuf buf;    /* writers append here; owned */
	int fd;               /* the temporary file, or -1 for a buffer only */
	int dfd;
	int failed;           /* a write failed; err says why (read it after the commit) */
	char *stage;          /* the writer's: what it has not written yet (outfile.c) */
	size_t staged;
	long long written;    /* bytes in the file */
	int direct;           /* -1: the file system refused O_DIRECT */
	char name[128], tmp[192];
	char err[512];
};

/* A file dir/name (through a temporary file in dir). */
int anvil_outfile_open(struct anvil_outfile *o, const char *dir, const char *name, char *err, size_t errlen);
/* A buffer only: nothing is written anywhere; take the text from o->buf. */
void anvil_outfile_buffer(struct anvil_outfile *o);
/* Hands the buffer to the writer once it holds 1 MiB or more (always when force). */
void anvil_outfile_flush(struct anvil_outfile *o, int force);
/* Everything written and renamed into place; 0, or -1 with err. Releases o. */
int anvil_outfile_commit(struct anvil_outfile *o, char *err, size_t errlen);
/* Drops the temporary file and the buffer. */
void anvil_outfile_abort(struct anvil_outfile *o);

/* Text set aside while a test is judged (its checks as JSON, its JUnit
 * testcases), to be copied into an output file when the test is written:
 * kept in memory up to 256 KiB at a time, then in an unnamed temporary
 * file (written, and copied out, by the writer thread). */
struct anvil_spill {
	struct strbuf buf;   /* writers append here */
	int fd;              /* the temporary file, or -1 while it all fits */
	size_t total;        /* bytes in the file */
};
void anvil_spill_init(struct anvil_spill *sp);
/* Moves the buffer to the temporary file once it holds 256 KiB (always when force). */
void anvil_spill_flush(struct anvil_spill *sp, int force);
/* Appends everything to o (flushing o as it goes) and empties sp. */
void anvil_spill_copy(struct anvil_spill *sp, struct anvil_outfile *o);
void anvil_spill_release(struct anvil_spill *sp);

#endif
