/* Regression against a baseline run: every figure that has a direction
 * (higher or lower is better) compared with the same figure (test, name,
 * host, labels) of the baseline; a drop beyond the tolerance is FAIL. */
#include "reports/report.h"
#include "reports/baseline.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_TOLERANCE 0.05

static const char *s(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
	return v ? v : "";
}

static const cJSON *find_same(const cJSON *base, const char *test, const cJSON *m)
{
	const cJSON *t, *o;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(base, "tests")) {
		if (strcmp(s(t, "id"), test))
			continue;
		cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(t, "metrics")) {
			const cJSON *la = cJSON_GetObjectItemCaseSensitive(o, "labels");
			const cJSON *lb = cJSON_GetObjectItemCaseSensitive(m, "labels");
			if (!strcmp(s(o, "name"), s(m, "name")) && !strcmp(s(o, "host"), s(m, "host")) &&
			    (la == lb || (la && lb && cJSON_Compare(la, lb, 1))))
				return o;
		}
	}
	return NULL;
}

static double tolerance_for(const cJSON *profile, const char *test, const char *metric)
{
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(profile, "baseline");
	const cJSON *per = cJSON_GetObjectItemCaseSensitive(b, "metrics"), *p;
	char key[256];
	snprintf(key, sizeof(key), "%s/%s", test, metric);
	cJSON_ArrayForEach(p, per)
		if (cJSON_IsNumber(p) && !strcmp(p->string, key))
			return p->valuedouble;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "tolerance");
	return cJSON_IsNumber(t) ? t->valuedouble : DEFAULT_TOLERANCE;
}

void anvil_baseline_compare(cJSON *report, const cJSON *base, const char *source, const cJSON *profile)
{
	cJSON *section = cJSON_AddObjectToObject(report, "baseline");
	cJSON_AddStringToObject(section, "source", source);
	cJSON_AddStringToObject(section, "generated", s(base, "generated"));
	cJSON *rows = cJSON_AddArrayToObject(section, "rows");
	int regressions = 0;
	cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(report, "tests")) {
		const cJSON *m;
		cJSON *checks = cJSON_GetObjectItemCaseSensitive(t, "checks");
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(t, "metrics")) {
			const char *better = s(m, "better");
			int dir = !strcmp(better, "higher") ? 1 : !strcmp(better, "lower") ? -1 : 0;
			const cJSON *o = dir ? find_same(base, s(t, "id"), m) : NULL;
			const cJSON *nv = cJSON_GetObjectItemCaseSensitive(m, "value");
			const cJSON *ov = cJSON_GetObjectItemCaseSensitive(o, "value");
			if (!o || !cJSON_IsNumber(nv) || !cJSON_IsNumber(ov) || ov->valuedouble == 0)
				continue;
			double before = ov->valuedouble, after = nv->valuedouble;
			double change = (after - before) / fabs(before);
			double tol = tolerance_for(profile, s(t, "id"), s(m, "name"));
			int worse = dir * change < -tol;
			regressions += worse;
			char why[400];
			snprintf(why, sizeof(why), "%s %.4g -> %.4g %s (%+.1f%%; %s %.1f%% allowed)", s(m, "name"),
				 before, after, s(m, "unit"), 100 * change,
				 dir > 0 ? "a drop of" : "a rise of", 100 * tol);
			cJSON *row = cJSON_CreateObject();
			cJSON_AddStringToObject(row, "test", s(t, "id"));
			cJSON_AddStringToObject(row, "name", s(m, "name"));
			cJSON_AddStringToObject(row, "host", s(m, "host"));
			if (cJSON_GetObjectItemCaseSensitive(m, "labels"))
				cJSON_AddItemToObject(row, "labels", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(m, "labels"), 1));
			cJSON_AddNumberToObject(row, "before", before);
			cJSON_AddNumberToObject(row, "after", after);
			cJSON_AddNumberToObject(row, "change", change);
			cJSON_AddStringToObject(row, "unit", s(m, "unit"));
			cJSON_AddStringToObject(row, "verdict", worse ? "FAIL" : "PASS");
			cJSON_AddItemToArray(rows, row);
			cJSON *c = cJSON_CreateObject();
			char id[512];
			snprintf(id, sizeof(id), "%s/%s/baseline@%s", s(t, "id"), s(m, "name"), s(m, "host"));
			cJSON_AddStringToObject(c, "id", id);
			cJSON_AddStringToObject(c, "test", s(t, "id"));
			cJSON_AddStringToObject(c, "name", s(m, "name"));
			cJSON_AddStringToObject(c, "rule", "baseline");
			cJSON_AddStringToObject(c, "host", s(m, "host"));
			cJSON_AddNumberToObject(c, "value", after);
			cJSON_AddStringToObject(c, "unit", s(m, "unit"));
			cJSON_AddNumberToObject(c, "limit", before * (1 - dir * tol));
			cJSON_AddStringToObject(c, "verdict", worse ? "FAIL" : "PASS");
			cJSON_AddStringToObject(c, "why", why);
			cJSON_AddItemToArray(checks, c);
			if (worse) {
				cJSON_ReplaceItemInObjectCaseSensitive(t, "verdict", cJSON_CreateString("FAIL"));
			}
		}
	}
	cJSON_AddNumberToObject(section, "regressions", regressions);
}
