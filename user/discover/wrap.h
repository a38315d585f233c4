/* wrap.h: rewrites MCP client configs to run each server under `mcpwarden run`, and back. */
#ifndef MCPWARDEN_WRAP_H
#define MCPWARDEN_WRAP_H

#include <stdbool.h>
#include <stdio.h>

#include "discover/configs.h"

#define WRAP_BACKUP_EXT ".mcpwarden.bak"

/* For every JSON config file in set: wraps (or with unwrap, unwraps) each stdio server.
 * The first rewrite of a file keeps a copy at FILE.mcpwarden.bak. With policy_dir,
 * wrapped servers get --policy DIR/NAME.yaml when that file exists. Reports each file
 * changed on out. Returns the number of files that could not be rewritten. */
int wrap_configs(const struct mcp_config_set *set, bool unwrap, const char *policy_dir, FILE *out);

#endif
