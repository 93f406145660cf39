/* Finding and checking the configuration files: profiles and cluster configs. */
#ifndef ANVIL_CONFIG_H
#define ANVIL_CONFIG_H
#include <stddef.h>
#include "common/json.h"

/* At most this many "tests" and "checks" in a profile. */
#define ANVIL_PROFILE_MAX_ENTRIES 4096

/* The configs/ directory: $ANVIL_CONFIG_DIR, else <exe>/../configs, else the
 * source tree the binary was built from. */
const char *anvil_config_dir(void);
/* A profile by name (configs/profiles/NAME.json) or by path; checked. */
int anvil_profile_load(const char *name_or_path, struct anvil_json_doc *doc, char *err, size_t errlen);
/* A cluster config by path; checked, its pinned datasheets included. */
int anvil_cluster_load(const char *path, struct anvil_json_doc *doc, char *err, size_t errlen);
/* Names of the profiles in configs/profiles, comma-separated. */
void anvil_profile_names(char *buf, size_t len);
/* A check of a profile's or cluster config's shape (exported for tests). */
int anvil_profile_check(const struct anvil_json_doc *doc, char *err, size_t errlen);
int anvil_cluster_check(const struct anvil_json_doc *doc, char *err, size_t errlen);
/* Every datasheet the config's "hardware" pins exists in hardware_dir and
 * is of that kind (a typo would otherwise surface as SKIPs in the report). */
int anvil_cluster_check_hardware(const struct anvil_json_doc *doc, const char *hardware_dir,
				 char *err, size_t errlen);

#endif
