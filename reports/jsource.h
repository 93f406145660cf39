/*
 * A run's records, test by test, for the report stage.
 *
 * From a journal file, the journal is read once to check every line (or,
 * deferred, all but the tests' records) and note where each test's records
 * are (the whole file is never a tree); each test's records are then read
 * back and parsed when the report reaches it, with the bulky values kept as
 * text: a series' "rows" and "columns" and an info record's "info" come as
 * cJSON_Raw items. From an array of records (the unit tests'
 * way), the records are copied as they are.
 *
 * Which records belong to the run and which to a test, and the order of the
 * tests, are as the report defines them: "run", "repair" and "inventory"
 * records are the run's; "test", "metric", "series", "info" and "check"
 * records with a "test" are that test's; anything else is ignored.
 */
#ifndef ANVIL_JSOURCE_H
#define ANVIL_JSOURCE_H
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

struct anvil_jsource;

/* Indexes the journal at path. A torn last line is tolerated (torn_tail),
 * as is a torn line that a "repair" record names; any other bad line is an
 * error "PATH:LINE:COL: ... (a corrupted journal record, not at the end)". */
struct anvil_jsource *anvil_jsource_file(const char *path, char *err, size_t errlen);
/* The same, but the records of tests are checked when they are read back
 * (anvil_jsource_test_records), not now: a journal is then read through
 * once less. A bad line met there gives the error the index would have
 * given (the first bad line, torn tails and repairs as above). Before the
 * journal is taken for sound, anvil_jsource_check_unread checks the tests
 * whose records were never read. */
struct anvil_jsource *anvil_jsource_file_deferred(const char *path, char *err, size_t errlen);
/* 0 when every test's records have been read back or are good now; else
 * -1 with the error of a bad line. (Nothing to do without deferring.) */
int anvil_jsource_check_unread(const struct anvil_jsource *s, char *err, size_t errlen);
/* Over an array of records (borrowed; it must outlive the source). */
struct anvil_jsource *anvil_jsource_records(const cJSON *records, int torn_tail, long torn_line);
void anvil_jsource_free(struct anvil_jsource *s);

/* The run's own records (run, repair, inventory), in journal order; borrowed. */
const cJSON *anvil_jsource_meta(const struct anvil_jsource *s);
/* Member key of rec (one of those records), the caller's to keep: taken out
 * of a journal file's record (one copy of a thousand nodes' inventories,
 * not two; a second look finds it gone), a copy of the borrowed records'. */
cJSON *anvil_jsource_meta_take(struct anvil_jsource *s, const cJSON *rec, const char *key);
long anvil_jsource_records_count(const struct anvil_jsource *s);
int anvil_jsource_torn(const struct anvil_jsource *s, long *line);

/* Tests in the order their first record appears. */
size_t anvil_jsource_ntests(const struct anvil_jsource *s);
const char *anvil_jsource_test_id(const struct anvil_jsource *s, size_t i);
/* Index of a test id, or (size_t)-1. */
size_t anvil_jsource_find(const struct anvil_jsource *s, const char *id);
/* Test i's records in journal order, as a new array the caller deletes;
 * NULL with err when the file cannot be read back. From a journal file a
 * record comes without "v", "seq" and "test", and without "runner" but for
 * the test's first record (the report's own members). Deferred and read into
 * the arena (reports/arena.h), a record whose "labels" are the same text as
 * the record before it gets a reference to that record's labels (type
 * cJSON_IsReference, the same members): read them, but change neither. */
cJSON *anvil_jsource_test_records(const struct anvil_jsource *s, size_t i, char *err, size_t errlen);
/* How much test i's records are: their bytes in the journal (records
 * mode: 256 a record, a guess). */
uint64_t anvil_jsource_test_bytes(const struct anvil_jsource *s, size_t i);

#endif
