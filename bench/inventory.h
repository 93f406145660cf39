/*
 * This node's inventory: CPU, memory, NUMA, OS, firmware, sysctls and
 * library versions, as one cJSON object. It goes to inventory.json and into
 * the drift check, which compares every flattened field across nodes; so
 * every compared value is a stable string or number that is equal on
 * identical nodes. What changes from minute to minute (free memory, load,
 * uptime) lives under "volatile", which the drift check skips.
 *
 * The parsers below are pure (text or bytes in, JSON out) so tests can feed
 * them samples; anvil_inventory_collect() reads the real files and calls them.
 */
#ifndef ANVIL_INVENTORY_H
#define ANVIL_INVENTORY_H
#include <stddef.h>
#include <cjson/cJSON.h>
#include "common/inventory_flat.h"

/* Bumped when a field changes meaning; stored as "schema". */
#define ANVIL_INVENTORY_SCHEMA 1

/*
 * Collects this node's inventory. Never fails: a field that cannot be read is
 * absent, and the "unreadable" array says why ("dmi.bios_version: permission
 * denied"). mpi_version is what MPI_Get_library_version() gave (NULL: left
 * out). Runs `fio --version` as a child (5 s limit). Returns NULL only when
 * out of memory; the caller owns the result (cJSON_Delete).
 */
cJSON *anvil_inventory_collect(const char *mpi_version);

/* anvil_inventory_flatten() (dotted keys for the drift check) is in
 * common/inventory_flat.h, so that reports/ can use it too. */

/* ---- pure parsers (exposed for tests) ------------------------------------ */

/*
 * Parses /proc/cpuinfo text into cpu: "model", "vendor", "microcode",
 * "family"/"model_number"/"stepping" (x86), "flags" (the FLOP-relevant ones
 * present, sorted), "sockets"/"cores"/"threads" as counted from "physical
 * id", "core id" and "processor" lines, and "base_mhz" with
 * "base_mhz_source": "cpuinfo model name" when the model name ends in
 * "@ 2.50GHz". Understands x86 ("flags", "vendor_id", "model name") and Arm
 * ("Features", "CPU implementer", "CPU part"). Returns the number of
 * processors seen (0: not cpuinfo).
 */
int anvil_inventory_parse_cpuinfo(const char *text, cJSON *cpu);

/* The number on one /proc/meminfo line: kB for sizes ("MemTotal"), a count
 * for "HugePages_Total"; -1 when the line is absent. */
long long anvil_inventory_meminfo_kb(const char *text, const char *key);

/*
 * The selected word of a sysfs choice file: "always [madvise] never" →
 * "madvise". Returns 0, or -1 (out = "") when no [word] is there or it does
 * not fit.
 */
int anvil_inventory_parse_selected(const char *text, char *out, size_t outlen);

/*
 * Parses os-release(5) text into os: "pretty_name", "version_id", "id" (shell
 * quoting and backslash escapes undone). Returns how many of them were found.
 */
int anvil_inventory_parse_os_release(const char *text, cJSON *os);

/*
 * Parses a raw SMBIOS structure table (/sys/firmware/dmi/tables/DMI) for its
 * Memory Device (type 17) structures and adds to memory: "dimm_slots" (all
 * type-17 entries), "dimm_count" (populated), "dimm_total_bytes" and "dimms",
 * one object per populated slot: "locator", "bank", "size_bytes", "type"
 * ("DDR5"), "speed_mts", "configured_mts", "manufacturer", "part_number",
 * "rank" (each where the table has it; serial numbers are left out on
 * purpose: they differ on identical nodes). Every read is bounds-checked.
 * Returns the number of type-17 structures, or -1 when the table is
 * malformed, with err saying where ("structure at offset 0x1a4: length 2,
 * expected >= 4"); what came before the fault is still added.
 */
int anvil_inventory_parse_smbios(const unsigned char *buf, size_t len, cJSON *memory,
				 char *err, size_t errlen);

#endif
