/* Flattening a node's inventory for comparison across nodes. */
#ifndef ANVIL_INVENTORY_FLAT_H
#define ANVIL_INVENTORY_FLAT_H
#include <cjson/cJSON.h>

/*
 * Flattens an inventory into dotted keys → scalars for the drift check:
 * "cpu.model" → "AMD EPYC 9654 96-Core Processor", "numa.nodes.1.cpuset" →
 * "96-191", "sysctls.vm.swappiness" → 60. Arrays of objects are indexed
 * ("memory.dimms.0.size_bytes"); arrays of scalars become one string joined
 * by spaces ("cpu.flags" → "avx avx2 fma"), so one missing flag is one
 * difference, not a shifted list. Empty arrays and objects give no key.
 * Skipped, because they differ between identical nodes by nature: the
 * top-level "hostname", "volatile" and "unreadable". The caller owns the
 * result (a cJSON object of strings, numbers and booleans); NULL if out of
 * memory or inv is not an object.
 */
cJSON *anvil_inventory_flatten(const cJSON *inv);

/* A scalar as the flattening writes it in a joined list (and the drift
 * check shows and compares it): a string as it is, a whole number below
 * 1e15 without a point, other numbers as %.17g, true/false, else "null". */
void anvil_inventory_scalar_text(const cJSON *it, char *buf, size_t len);

#endif
