/* Judging a test's figures by the profile's rules (peak, absolute, peers,
 * mad), and the check objects every judge adds. Internal to reports/. */
#ifndef ANVIL_RULES_H
#define ANVIL_RULES_H
#include <cjson/cJSON.h>
#include "reports/report.h"

struct anvil_peaks;

struct anvil_keymap;

struct anvil_judge {
	const struct anvil_peaks *peaks;
	const cJSON *inventory;   /* host -> the node's inventory */
	const struct anvil_keymap *by_host;  /* the same, hashed (a thousand nodes); NULL: search inventory */
	struct anvil_keymap *peaks_seen;     /* peaks already looked up, by key, node and GPU; may be NULL */
};
/* Frees what peaks_seen holds (not the map itself). */
void anvil_judge_release(struct anvil_judge *j);

/* A check on checks[]: id "test/name/rule@host[labels]" from m's host and
 * labels (m may be NULL), the verdict and the sentence of why. */
cJSON *anvil_check_new(cJSON *checks, const char *test, const char *name, const char *rule,
		       const cJSON *m, enum anvil_verdict v, const char *why);
/* The same with host (may be NULL) and labels (may be NULL) given apart, for
 * a check that stands for no one metric (pairwise.c's culprits). */
cJSON *anvil_check_new_at(cJSON *checks, const char *test, const char *name, const char *rule,
			  const char *host, const cJSON *labels, enum anvil_verdict v, const char *why);

/* Whether a profile rule names test t, by its id or its runner. */
int anvil_rule_applies(const cJSON *rule, const cJSON *t);
/* Whether every label the rule wants (want may be NULL) has that value in have. */
int anvil_labels_match(const cJSON *want, const cJSON *have);

/* Every rule of the profile that names test t (by id or runner), on the
 * figures t recorded; only for a test whose status is "ok". after_rule (may
 * be NULL) is called after each rule's checks are added, so that a caller
 * can take them away before the next rule adds its own. */
void anvil_rules_judge(const struct anvil_judge *j, cJSON *t, const cJSON *profile,
		       void (*after_rule)(void *arg, cJSON *t), void *arg);

/* The modified z-score threshold of the mad rule when the profile gives none. */
#define ANVIL_MAD_K 3.5

#endif
