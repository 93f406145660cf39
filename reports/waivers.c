/* Waivers; see waivers.h. A waiver matches a check by test (id or runner),
 * and where given by metric (the check's name) and host. It covers FAIL,
 * WARN and ERROR; a NOT RUN is never waived (the run is incomplete, which is
 * no known fault of the hardware). A waived check that passes stays PASS and
 * the section counts it, so a waiver that is no longer needed shows. */
#include "reports/waivers.h"
#include "reports/report.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "reports/jget.h"

struct waiver {
	const cJSON *doc;        /* borrowed from the profile */
	const char *test, *metric, *host, *reason, *expires;
	int active;
	long waived, passed, expired_hits;
};

struct anvil_waivers {
	struct waiver *w;
	size_t n;
	char today[16];
};

int anvil_waiver_date_valid(const char *s)
{
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;
	char tail;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	if (m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return !(m == 2 && d == 29 && !leap);
}

struct anvil_waivers *anvil_waivers_new(const cJSON *profile, const char *today)
{
	struct anvil_waivers *ws = calloc(1, sizeof(*ws));
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(profile, "waivers"), *d;
	snprintf(ws->today, sizeof(ws->today), "%s", today);
	ws->w = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(*ws->w));
	cJSON_ArrayForEach(d, list) {
		struct waiver *w = &ws->w[ws->n];
		if (!anvil_jstr(d, "test") || !anvil_jstr(d, "expires"))
			continue;  /* the profile check refuses these; a hand-made report profile may not */
		w->doc = d;
		w->test = anvil_jstr(d, "test");
		w->metric = anvil_jstr(d, "metric");
		w->host = anvil_jstr(d, "host");
		w->reason = anvil_jstr(d, "reason") ? anvil_jstr(d, "reason") : "no reason given";
		w->expires = anvil_jstr(d, "expires");
		/* valid through the whole expiry day; YYYY-MM-DD compares as text */
		w->active = anvil_waiver_date_valid(w->expires) && strcmp(ws->today, w->expires) <= 0;
		ws->n++;
	}
	return ws;
}

void anvil_waivers_free(struct anvil_waivers *ws)
{
	if (!ws)
		return;
	free(ws->w);
	free(ws);
}

static void describe(const struct waiver *w, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", w->test, w->metric ? " " : "", w->metric ? w->metric : "",
		 w->host ? " on " : "", w->host ? w->host : "");
}

void anvil_waivers_notes(const struct anvil_waivers *ws, cJSON *notes)
{
	for (size_t i = 0; i < ws->n; i++) {
		const struct waiver *w = &ws->w[i];
		if (w->active)
			continue;
		char what[300], note[900];
		describe(w, what, sizeof(what));
		snprintf(note, sizeof(note), "the waiver for %s (%s) expired on %s and no longer applies: "
			 "its checks are judged as they are", what, w->reason, w->expires);
		cJSON_AddItemToArray(notes, cJSON_CreateString(note));
	}
}

static struct waiver *match(struct anvil_waivers *ws, const cJSON *t, const cJSON *c)
{
	const char *id = anvil_jstr(t, "id"), *runner = anvil_jstr(t, "runner");
	const char *name = anvil_jstr(c, "name"), *host = anvil_jstr(c, "host");
	for (size_t i = 0; i < ws->n; i++) {
		struct waiver *w = &ws->w[i];
		if (strcmp(w->test, id ? id : "") && strcmp(w->test, runner ? runner : ""))
			continue;
		if (w->metric && (!name || strcmp(w->metric, name)))
			continue;
		if (w->host && (!host || strcmp(w->host, host)))
			continue;
		return w;
	}
	return NULL;
}

static void set_str(cJSON *o, const char *k, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	cJSON_AddStringToObject(o, k, v);
}

void anvil_waivers_apply_check(struct anvil_waivers *ws, const cJSON *t, cJSON *c)
{
	struct waiver *w = ws->n ? match(ws, t, c) : NULL;
	const char *v = anvil_jstr(c, "verdict");
	if (!w || !v)
		return;
	int bad = !strcmp(v, "FAIL") || !strcmp(v, "WARN") || !strcmp(v, "ERROR");
	char why[1200];
	if (w->active && bad) {
		snprintf(why, sizeof(why), "waived until %s (%s); it would be %s: %s", w->expires, w->reason, v,
			 anvil_jstr(c, "why") ? anvil_jstr(c, "why") : "");
		cJSON *wv = cJSON_CreateObject();
		cJSON_AddStringToObject(wv, "verdict", v);
		cJSON_AddStringToObject(wv, "reason", w->reason);
		cJSON_AddStringToObject(wv, "expires", w->expires);
		cJSON_AddItemToObject(c, "waived", wv);
		set_str(c, "verdict", anvil_verdict_name(ANVIL_V_WAIVED));
		set_str(c, "why", why);
		w->waived++;
	} else if (w->active && !strcmp(v, "PASS")) {
		w->passed++;
	} else if (!w->active && bad) {
		snprintf(why, sizeof(why), "%s (a waiver for this, \"%s\", expired on %s)",
			 anvil_jstr(c, "why") ? anvil_jstr(c, "why") : "", w->reason, w->expires);
		set_str(c, "why", why);
		cJSON_AddStringToObject(c, "waiver_expired", w->expires);
		w->expired_hits++;
	}
}

void anvil_waivers_apply(struct anvil_waivers *ws, cJSON *t)
{
	cJSON *c;
	if (!ws->n)
		return;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "checks"))
		anvil_waivers_apply_check(ws, t, c);
}

cJSON *anvil_waivers_section(const struct anvil_waivers *ws)
{
	if (!ws->n)
		return NULL;
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < ws->n; i++) {
		const struct waiver *w = &ws->w[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "test", w->test);
		if (w->metric)
			cJSON_AddStringToObject(o, "metric", w->metric);
		if (w->host)
			cJSON_AddStringToObject(o, "host", w->host);
		cJSON_AddStringToObject(o, "reason", w->reason);
		cJSON_AddStringToObject(o, "expires", w->expires);
		cJSON_AddStringToObject(o, "state", w->active ? "active" : "expired");
		cJSON_AddNumberToObject(o, "waived", (double)w->waived);
		cJSON_AddNumberToObject(o, "passing", (double)w->passed);
		if (!w->active)
			cJSON_AddNumberToObject(o, "would_apply", (double)w->expired_hits);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}
