/*
 * A cJSON tree straight from JSON text that is known to be valid (checked
 * by anvil_jscan_check, or written by anvil itself): the tree cJSON_Parse
 * would make (numbers as strtod reads them, strings unescaped, members in order),
 * without cJSON's second scan, its comparison of every value with "null",
 * "false" and "true" first and its locale lookup for every number. Used for
 * the journal's records (reports/jsource.c) and the report's text kept
 * aside (reports/jwrite.c); invalid text gives some tree, never a crash.
 * Allocates through cJSON's hooks (the report arena, reports/arena.h),
 * but for short string values without escapes, which are kept once for the
 * whole process and pointed to (cJSON_IsReference: cJSON_Delete leaves
 * them, cJSON_Duplicate copies them; never to be written through).
 */
#ifndef ANVIL_JTREE_H
#define ANVIL_JTREE_H
#include <cjson/cJSON.h>

struct anvil_jscan_it;

/* The value that starts at p (after white space) and ends by end. */
cJSON *anvil_jtree(const char *p, const char *end);
/* The value that starts at p (no white space before it), and in *next
 * the byte after it: for walking the members of an object by hand. */
cJSON *anvil_jtree_parse(const char *p, const char *end, const char **next);
/* The value at p (no white space before it) in depth levels of nesting,
 * checked as it is built: NULL unless it is plain JSON (reports/jplain.h;
 * numbers may have exponents), and then anvil_jscan_check would accept it.
 * The tree is anvil_jtree_parse's, and *next the byte after the value. */
cJSON *anvil_jtree_plain(const char *p, const char *end, int depth, const char **next);
/* How a caller builds some members of an object itself: for the member
 * at it whose value starts at val (in depth levels of nesting), 0 to leave
 * it to anvil_jtree_plain; 1 when taken, with *vend past the value and *m
 * its item (NULL: the member is left out); -1 when it is not plain. */
typedef int (*anvil_jtree_member_fn)(void *arg, const struct anvil_jscan_it *it, const char *val, const char *end,
				     int depth, cJSON **m, const char **vend);
/* anvil_jtree_plain for the object at p (at its '{'), with member (NULL:
 * none) building the members it takes. */
cJSON *anvil_jtree_plain_object(const char *p, const char *end, int depth, const char **next,
				anvil_jtree_member_fn member, void *arg);
/* item->string: the member name at an object iterator (its key, klen), unescaped, in
 * cJSON's memory, or for the names every record has a constant string
 * (cJSON_StringIsConst: cJSON never frees or overwrites it). */
void anvil_jtree_name_to(cJSON *item, const struct anvil_jscan_it *it);
/* b's elements moved to the end of a (b left empty): no walk of either. */
void anvil_jtree_append_all(cJSON *a, cJSON *b);
/* a's elements from the at-th on moved into a new array (a keeps the first at). */
cJSON *anvil_jtree_split(cJSON *a, int at);

#endif
