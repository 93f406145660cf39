#ifndef ANVIL_BASELINE_H
#define ANVIL_BASELINE_H
#include <cjson/cJSON.h>
/* Adds a "baseline" section (per figure: before, after, change, verdict) and
 * a "baseline" check per figure to the report's tests. The tolerance is the
 * profile's "baseline": {"tolerance": 0.05, "metrics": {"test/metric": 0.1}}.
 * The caller re-summarises the report afterwards. */
void anvil_baseline_compare(cJSON *report, const cJSON *base, const char *source, const cJSON *profile);
#endif
