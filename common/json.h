/*
 * JSON with positions. cJSON's own parser forgets where a value stood, so a
 * config error could only say "somewhere in the file". This parser builds the
 * same cJSON tree and remembers line and column of every value, refuses
 * duplicate keys, invalid UTF-8 and nesting deeper than 64, and says
 * FILE:LINE:COL and what was expected.
 */
#ifndef ANVIL_JSON_H
#define ANVIL_JSON_H
#include <stddef.h>
#include <cjson/cJSON.h>

struct anvil_json_pos;

struct anvil_json_doc {
	cJSON *root;                  /* owned */
	char *file;                   /* owned copy of the name used in messages */
	struct anvil_json_pos *pos;   /* owned: node → line/column */
	size_t npos, cap;
};

/* Parses text[0..len). On error returns -1 with "FILE:LINE:COL: message" in err. */
int anvil_json_parse(const char *text, size_t len, const char *file,
		     struct anvil_json_doc *doc, char *err, size_t errlen);
/* Reads and parses a file (at most max_bytes; 0 means 64 MiB). */
int anvil_json_load(const char *path, size_t max_bytes, struct anvil_json_doc *doc,
		    char *err, size_t errlen);
void anvil_json_doc_release(struct anvil_json_doc *doc);
/* Writes "FILE:LINE:COL" of a node into buf (just "FILE" when unknown). */
const char *anvil_json_where(const struct anvil_json_doc *doc, const cJSON *node,
			     char *buf, size_t len);

/* Length of the valid UTF-8 sequence at p (1 for ASCII; else not overlong,
 * no surrogate, at most U+10FFFF), or 0 when p[0..end) does not start with
 * one. The one definition of "valid UTF-8" for the parser and for
 * reports/jscan.c, which must refuse exactly what the parser refuses. */
int anvil_json_utf8_len(const unsigned char *p, const unsigned char *end);

/* Reads a whole file into a NUL-terminated buffer the caller frees. */
char *anvil_read_file(const char *path, size_t max_bytes, size_t *len, char *err, size_t errlen);
/* The same from an open descriptor (the caller opened it with the flags it
 * needs, and closes it); path names it in messages. */
char *anvil_read_fd(int fd, const char *path, size_t max_bytes, size_t *len, char *err, size_t errlen);

/* ---- checking a document against the shape the program expects ------- */

enum anvil_json_type {
	AJ_NUMBER = 1, AJ_STRING = 2, AJ_BOOL = 4, AJ_OBJECT = 8, AJ_ARRAY = 16,
	AJ_NULL = 32, AJ_ANY = 63,
};

struct anvil_json_field {
	const char *key;
	unsigned types;     /* enum anvil_json_type mask */
	int required;
};

/* Every member of obj must be one of fields (typos are errors) with an
 * allowed type, and every required field present. Returns 0, or -1 with a
 * positioned message naming what was expected. */
int anvil_json_check(const struct anvil_json_doc *doc, const cJSON *obj, const char *what,
		     const struct anvil_json_field *fields, char *err, size_t errlen);
/* A number within [min, max] (and whole when integer != 0). */
int anvil_json_check_number(const struct anvil_json_doc *doc, const cJSON *v, const char *what,
			    double min, double max, int integer, char *err, size_t errlen);
const char *anvil_json_type_name(const cJSON *v);

#endif
