/* Theoretical peaks: datasheets in configs/hardware matched to what each
 * node reports, or figures the cluster config declares. Nothing invented. */
#ifndef ANVIL_PEAKS_H
#define ANVIL_PEAKS_H
#include <stddef.h>
#include <cjson/cJSON.h>

struct anvil_peaks;

/* Loads every datasheet in dir; unreadable files are reported in err and skipped. */
struct anvil_peaks *anvil_peaks_load(const char *dir, const cJSON *cluster);
void anvil_peaks_free(struct anvil_peaks *p);
/* Adds one datasheet document text[0..len) named name (a problem is noted, not fatal). */
void anvil_peaks_add(struct anvil_peaks *p, const char *text, size_t len, const char *name);
/* The datasheet with this id, or NULL. Borrowed. */
const cJSON *anvil_peaks_by_id(const struct anvil_peaks *p, const char *id);
/* The ids of the datasheets of a kind, comma-separated, for messages. */
void anvil_peaks_ids(const struct anvil_peaks *p, const char *kind, char *buf, size_t len);
/* The datasheet whose "match" pattern fits name best (longest pattern;
 * a tie is no match), of the given kind; NULL when none. Borrowed. */
const cJSON *anvil_peaks_match(const struct anvil_peaks *p, const char *kind, const char *name);
/* The peak `key` (e.g. "cpu.fp64_gflops", "cpu.mem_bw_gbs", "gpu.bf16_tflops",
 * "storage.read_gbs" from the cluster config's storage.rated)
 * for a node with inventory inv (and, for GPU keys, device name gpu_name).
 * Returns 0 with *value and a source sentence, or -1 with why. */
int anvil_peaks_get(const struct anvil_peaks *p, const char *key, const cJSON *inv,
		    const char *gpu_name, double *value, char *source, size_t srclen);
/* A node's power from the datasheets, for capacity per kW: the CPU's tdp_w x
 * the sockets it reports, plus every GPU's tdp_w (inventory "gpus"). 0 with
 * *watts and a sentence of where it came from, or -1 with why not (a model no
 * datasheet matches, a datasheet without tdp_w). */
int anvil_peaks_node_power(const struct anvil_peaks *p, const cJSON *inv, double *watts,
			   char *source, size_t srclen);
/* Normalises a reported model name for matching (exported for tests). */
void anvil_peaks_normalise(const char *in, char *out, size_t len);
/* Problems met while loading (one per line), or "". */
const char *anvil_peaks_problems(const struct anvil_peaks *p);

#endif
