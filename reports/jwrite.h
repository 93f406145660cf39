/* A cJSON tree as text, fast: the layout of cJSON_Print (tabs, one member a
 * line, arrays on one line), numbers by reports/dtoa.c (the same doubles
 * back, not always the same digits as cJSON), raw items (cJSON_Raw: text
 * kept from the journal, such as series rows) copied as they are. */
#ifndef ANVIL_JWRITE_H
#define ANVIL_JWRITE_H
#include <cjson/cJSON.h>
#include "reports/outfile.h"

/* item at nesting depth `depth` (0 at the top), formatted. */
void anvil_jw_value(struct anvil_outfile *o, const cJSON *item, int depth);
/* The same, unformatted (one line). */
void anvil_jw_compact(struct strbuf *sb, const cJSON *item);
/* Unformatted into o (flushed as it goes, as anvil_jw_value). */
void anvil_jw_flat(struct anvil_outfile *o, const cJSON *item, int depth);
/* A JSON string literal (quotes and escapes). */
void anvil_jw_string(struct strbuf *sb, const char *s);
/* A number as JSON: integers as integers, NaN and infinities as null. */
void anvil_jw_number(struct strbuf *sb, double d);
/* Tabs for depth. */
void anvil_jw_indent(struct strbuf *sb, int depth);

/* Every raw item under item (text the engine kept, such as series rows)
 * parsed back into a tree, for readers that walk the tree. */
void anvil_jw_unraw(cJSON *item);

#endif
