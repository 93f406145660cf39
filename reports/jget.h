/* Reading members of journal records and report trees: a string member or
 * NULL, a number member or NaN (absent, null or another type alike). */
#ifndef ANVIL_JGET_H
#define ANVIL_JGET_H
#include <cjson/cJSON.h>
#include <math.h>

static inline const char *anvil_jstr(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static inline double anvil_jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}
#endif
