/* Reading members of journal records and report trees: a string member or
 * NULL, a number member or NaN (absent, null or another type alike). */
#ifndef ANVIL_JGET_H
#define ANVIL_JGET_H
#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

/* cJSON_GetObjectItemCaseSensitive, inline: the same pointer is the same
 * name (a record's common names point to the literals of reports/jtree.c,
 * which the linker keeps once with the same literals elsewhere), else the
 * first bytes are compared before a call to strcmp (a record has a dozen
 * members, and the report looks members up a few hundred million times at
 * a thousand nodes, where the calls were a fifth of its time). */
static inline cJSON *anvil_jget(const cJSON *o, const char *k)
{
	if (!o || !k)
		return NULL;
	for (cJSON *c = o->child; c && c->string; c = c->next)  /* cJSON stops at a member without a name too */
		if (c->string == k || (c->string[0] == k[0] && (!k[0] || !strcmp(c->string + 1, k + 1))))
			return c;
	return NULL;
}

/* The members of o named names[0..n), the first of each as anvil_jget finds
 * it, in one walk over o's members: out[i], or NULL. For a figure read member
 * by member, a hundred thousand of them a test, where a lookup each walked
 * the figure again. */
static inline void anvil_jget_many(const cJSON *o, const char *const *names, size_t n, const cJSON **out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = NULL;
	for (const cJSON *c = o ? o->child : NULL; c && c->string; c = c->next)
		for (size_t i = 0; i < n; i++)
			if (!out[i] && (c->string == names[i] || (c->string[0] == names[i][0] && !strcmp(c->string, names[i])))) {
				out[i] = c;
				break;
			}
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
