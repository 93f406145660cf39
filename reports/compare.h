/*
 * anvil compare: runs side by side for capacity planning. Every figure with
 * a direction is summed and averaged per GPU, per node, per node pair, over
 * the cluster and per kW of datasheet power (GPU tdp_w x GPUs + CPU tdp_w x
 * sockets, where datasheets match every node), with each run's change
 * against the first. Runs are read test by test (a run directory through the
 * report engine, a report.json without building its tree), so two runs of a
 * thousand nodes fit in memory.
 */
#ifndef ANVIL_COMPARE_H
#define ANVIL_COMPARE_H
#include <stdio.h>
#include <cjson/cJSON.h>
#include "common/strbuf.h"

#define ANVIL_COMPARE_SCHEMA "anvil-compare/1"
#define ANVIL_COMPARE_MAX_RUNS 26   /* labelled A to Z */

struct anvil_compare;

struct anvil_compare *anvil_compare_new(const char *hardware_dir);
void anvil_compare_free(struct anvil_compare *c);
/* Adds the next run: a run directory (its journal, judged by its own
 * profile) or a report.json. -1 with err when it cannot be read. */
int anvil_compare_add(struct anvil_compare *c, const char *path, char *err, size_t errlen);
/* compare.json's content (the caller owns it). */
cJSON *anvil_compare_tree(const struct anvil_compare *c);

/* Renderings of that tree. */
void anvil_compare_table(const cJSON *tree, FILE *out);
void anvil_compare_html(const cJSON *tree, struct strbuf *out);

#endif
