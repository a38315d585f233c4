/* toml_servers.h: reads the [mcp_servers.NAME] tables of Codex's config.toml. */
#ifndef MCPWARDEN_TOML_SERVERS_H
#define MCPWARDEN_TOML_SERVERS_H

#include <stddef.h>
#include <cJSON.h>

/* Returns {NAME: {"command": S, "args": [S...], "url": S}} for each [mcp_servers.NAME]
 * table, or NULL when one of those keys cannot be read. Only the subset Codex writes is
 * understood: basic strings and arrays of them; other keys and tables are skipped. */
cJSON *toml_mcp_servers(const char *text, size_t len);

#endif
