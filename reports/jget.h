/* Reading members of journal records and report trees: a string member or
 * NULL, a number member or NaN (absent, null or another type alike). */
#ifndef ANVIL_JGET_H
#define ANVIL_JGET_H
#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

/* cJSON_GetObjectItemCaseSensitive, inline: the first bytes are compared
 * before a call to strcmp (a record has a dozen members, and the report
 * looks members up a few hundred million times at a thousand nodes, where
 * the calls were a fifth of its time). */
static inline cJSON *anvil_jget(const cJSON *o, const char *k)
{
	if (!o || !k)
		return NULL;
	for (cJSON *c = o->child; c && c->string; c = c->next)  /* cJSON stops at a member without a name too */
		if (c->string[0] == k[0] && (!k[0] || !strcmp(c->string + 1, k + 1)))
			return c;
	return NULL;
}

static inline const char *anvil_jstr(const cJSON *o, const char *k)
{
	const cJSON *v = anvil_jget(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static inline double anvil_jnum(const cJSON *o, const char *k)
{
	const cJSON *v = anvil_jget(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}
#endif
