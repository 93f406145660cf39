/* The one table of runners. */
#ifndef ANVIL_REGISTRY_H
#define ANVIL_REGISTRY_H
#include "runners/runner.h"

extern const struct anvil_runner *const anvil_runners[];  /* NULL-terminated */
const struct anvil_runner *anvil_runner_find(const char *name);
/* Comma-separated names of every runner, for error messages. */
void anvil_runner_names(char *buf, size_t len, int include_test_only);
const char *anvil_scope_name(enum anvil_scope scope);

#endif
