/* Waivers: expected failures the profile names, each with a reason and an
 * expiry date, like ReFrame's xfail. A failing check a waiver covers is
 * WAIVED (it does not fail the run) and says why; once the date has passed
 * the waiver no longer applies, and the report says so. */
#ifndef ANVIL_WAIVERS_H
#define ANVIL_WAIVERS_H
#include <cjson/cJSON.h>

struct anvil_waivers;

/* The profile's "waivers" judged on the day `today` ("YYYY-MM-DD", UTC). */
struct anvil_waivers *anvil_waivers_new(const cJSON *profile, const char *today);
void anvil_waivers_free(struct anvil_waivers *w);
/* A note for every expired waiver. */
void anvil_waivers_notes(const struct anvil_waivers *w, cJSON *notes);
/* Applies the waivers to the checks of test t (after every other judge). */
void anvil_waivers_apply(struct anvil_waivers *w, cJSON *t);
/* The same for one check c of test t. */
void anvil_waivers_apply_check(struct anvil_waivers *w, const cJSON *t, cJSON *c);
/* The report's "waivers" section, or NULL when there are none. */
cJSON *anvil_waivers_section(const struct anvil_waivers *w);

/* Is s a real calendar date written YYYY-MM-DD? (for the profile check) */
int anvil_waiver_date_valid(const char *s);

#endif
