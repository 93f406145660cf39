/*
 * The journal: journal.jsonl in the run directory, one JSON record a line,
 * appended and fsync'd one record at a time by rank 0. It is the only state
 * of a run; every report is rebuilt from it.
 */
#ifndef ANVIL_JOURNAL_H
#define ANVIL_JOURNAL_H
#include <stddef.h>
#include <cjson/cJSON.h>

#define ANVIL_JOURNAL_NAME "journal.jsonl"
#define ANVIL_JOURNAL_VERSION 1

struct anvil_journal {
	int fd;
	long seq;      /* the next record's sequence number */
	char *path;    /* owned */
};

/* Opens (creating, never through a symlink) DIR/journal.jsonl for appending.
 * An existing journal is continued: seq goes on from its last record, and a
 * torn last line is closed with a newline and a "repair" record naming it, so
 * the next record stands alone and readers know the line is no corruption. */
int anvil_journal_open(struct anvil_journal *j, const char *dir, char *err, size_t errlen);
/* Adds "v" and "seq" to rec, writes it as one line and fsyncs. rec stays the caller's. */
int anvil_journal_append(struct anvil_journal *j, cJSON *rec, char *err, size_t errlen);
void anvil_journal_close(struct anvil_journal *j);

struct anvil_journal_read {
	cJSON *records;     /* array of every whole record, in order; owned */
	int torn_tail;      /* the last line was cut short (a crash mid-write) */
	long torn_line;     /* its line number */
	int torn_repaired;  /* torn lines inside, each followed by a repair record */
	long lines;
	long *line_of;      /* line_of[i]: the line of records[i], for messages; owned */
};

/* Reads a journal file. A torn LAST line is tolerated and reported in
 * out->torn_tail; any other bad line is an error "FILE:LINE:COL: …". The
 * journal must be a regular file, not a symbolic link. */
int anvil_journal_read(const char *path, struct anvil_journal_read *out, char *err, size_t errlen);
/* The same on text[0..len) already read; path names it in messages (the fuzz target's way in). */
int anvil_journal_parse(const char *text, size_t len, const char *path,
			struct anvil_journal_read *out, char *err, size_t errlen);
void anvil_journal_read_release(struct anvil_journal_read *r);

#endif
