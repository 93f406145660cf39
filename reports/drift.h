/*
 * Inventory drift: every field of every node's inventory compared across
 * the nodes of a run, and the values pinned in the cluster config's
 * "expect" object checked on each node. See README.md, "Inventory drift".
 */
#ifndef ANVIL_DRIFT_H
#define ANVIL_DRIFT_H
#include <cjson/cJSON.h>

/*
 * Adds to report: "drift" (an array, one entry per field whose value is not
 * the same on every node: field, label, majority, majority_hosts, minority
 * [{value, hosts}], with tolerance, pinned and tie where they apply) and
 * "drift_summary" ({nodes, fields, drifted}); and, when there is anything to
 * judge, a test "inventory" whose checks are a WARN per drifted field that
 * is not pinned and, per pinned field, a PASS for the nodes that match and a
 * FAIL per wrong value. inventory is host → inventory object (as journalled);
 * cluster the cluster config (NULL: none). Call before anvil_report_summarise.
 */
void anvil_drift_judge(cJSON *report, const cJSON *inventory, const cJSON *cluster);

/* The field pattern an "expect" alias stands for ("driver" →
 * "gpus.*.driver_version"), or NULL when name is no alias. */
const char *anvil_drift_alias(const char *name);
/* The names of the aliases, comma-separated, for messages. */
const char *anvil_drift_alias_names(void);

/* 1 when a dotted field name matches a pattern whose "*" segments stand for
 * any one segment ("gpus.*.pcie" matches "gpus.3.pcie"). */
int anvil_drift_match(const char *pattern, const char *field);

#endif
