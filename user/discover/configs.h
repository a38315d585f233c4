/* configs.h: finds MCP servers in the config files of every MCP client, for every user. */
#ifndef MCPWARDEN_CONFIGS_H
#define MCPWARDEN_CONFIGS_H

#include <stdbool.h>
#include <stddef.h>
#include <cJSON.h>

struct mcp_entry {
	char client[32];	/* "claude-desktop", "claude-code", "cursor", ... */
	char file[4096];
	char name[128];
	char **argv;		/* command then args; NULL for a URL server */
	size_t argc;
	char url[1024];		/* remote (HTTP) servers */
	bool wrapped;		/* the command is already `mcpwarden run ... --` */
};

struct mcp_config_set {
	struct mcp_entry *v;
	size_t n, cap;
	char **problems;	/* "file: why" for files that exist but cannot be read */
	size_t nproblems;
};

/* Reads every known client config under each home (all users' homes when homes is NULL). */
int configs_scan(struct mcp_config_set *set, char *const *homes, size_t nhomes);
void configs_free(struct mcp_config_set *set);
/* The command that `mcpwarden run` wraps, skipping its options: index into argv, or -1. */
int wrapped_command_index(char *const *argv, size_t argc);

/* One client's config formats, for scan and --wrap. */
struct config_kind {
	const char *client;
	const char *rel;	/* path below the home (or the project, for project files) */
	const char *key;	/* the object holding servers: "mcpServers" or "servers" */
	bool toml;		/* Codex's config.toml */
};
extern const struct config_kind config_kinds[];
extern const size_t nconfig_kinds;
/* The kind an entry's client name came from (project files included), or NULL. */
const struct config_kind *config_kind_named(const char *client);

#endif
