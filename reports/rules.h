/* Judging a test's figures by the profile's rules (peak, absolute, peers,
 * mad), and the check objects every judge adds. Internal to reports/. */
#ifndef ANVIL_RULES_H
#define ANVIL_RULES_H
#include <cjson/cJSON.h>
#include "reports/report.h"

struct anvil_peaks;

struct anvil_judge {
	const struct anvil_peaks *peaks;
	const cJSON *inventory;   /* host -> the node's inventory */
};

/* A check on checks[]: id "test/name/rule@host[labels]" from m's host and
 * labels (m may be NULL), the verdict and the sentence of why. */
cJSON *anvil_check_new(cJSON *checks, const char *test, const char *name, const char *rule,
		       const cJSON *m, enum anvil_verdict v, const char *why);

/* Every rule of the profile that names test t (by id or runner), on the
 * figures t recorded; only for a test whose status is "ok". */
void anvil_rules_judge(const struct anvil_judge *j, cJSON *t, const cJSON *profile);

/* The modified z-score threshold of the mad rule when the profile gives none. */
#define ANVIL_MAD_K 3.5

#endif
