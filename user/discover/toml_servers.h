/* toml_servers.h: tokenises Codex's config.toml and finds its MCP servers, with the byte spans --wrap edits. */
#ifndef MCPWARDEN_TOML_SERVERS_H
#define MCPWARDEN_TOML_SERVERS_H

#include <stddef.h>

#include "discover/config_doc.h"

/*
 * Reads text as one TOML document into d's servers: each server NAME's "command",
 * "args" and "url", whether set in a [mcp_servers.NAME] table, by dotted keys or in
 * an inline table. The whole document is tokenised (strings of the four kinds with
 * their escapes, arrays and inline tables across lines, comments, table headers);
 * other values are checked only for their characters. A server's key set twice, or
 * a [mcp_servers.NAME] table opened twice, is an error. Returns 0, or -1 with *at
 * (the offset of the first byte found wrong) and *why set.
 */
int toml_servers(struct config_doc *d, const char *text, size_t len, size_t *at, const char **why);

#endif
