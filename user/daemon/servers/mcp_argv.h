/* mcp_argv.h: whether a command line looks like an MCP server launch (npx/uvx runners, MCP package names). */
#ifndef MCPWARDEN_MCP_ARGV_H
#define MCPWARDEN_MCP_ARGV_H

#include <stddef.h>

enum {
	MCP_ARGV_RUNNER = 1,	/* a package runner: npx, npm exec, uvx, pnpx, bunx */
	MCP_ARGV_NAME = 2,	/* an argument has the word "mcp" or "fastmcp", or "@modelcontextprotocol/" */
};

/* MCP_ARGV_* bits of `args`: `len` bytes of NUL-separated arguments, as in /proc/PID/cmdline. */
unsigned mcp_argv_hint(const char *args, size_t len);

#endif
