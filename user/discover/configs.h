/* configs.h: finds MCP servers in the config files of every MCP client, for every user, reading each as its user. */
#ifndef MCPWARDEN_CONFIGS_H
#define MCPWARDEN_CONFIGS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "discover/config_doc.h"
#include "discover/homes.h"

struct mcp_entry {
	char client[32];	/* "claude-desktop", "claude-code", "cursor", ... */
	char file[4096];
	char name[128];
	char **argv;		/* command then args; NULL for a URL server */
	size_t argc;
	char url[1024];		/* remote (HTTP) servers */
	bool wrapped;		/* argv is what --wrap writes for this server (wrapper.h) */
	size_t command;		/* when wrapped: the index in argv of the command it runs; 0 otherwise */
	const char *not_wrapped;	/* why an argv of --wrap's shape is not counted as wrapped, or NULL */
	const char *env_unsafe;	/* its environment keeps it from being policed (config_doc.h), or NULL */
};

struct mcp_config_set {
	struct mcp_entry *v;
	size_t n, cap;
	char **problems;	/* "file: why" for files that exist but cannot be read */
	size_t nproblems;
	size_t not_listed;	/* entries and problems left out by the caps below (each home's is a problem too) */
};

/* What the root parent takes from one home's child at the most: lines (entries and problems), and their bytes. */
#define SCAN_MAX_LINES	4096
#define SCAN_MAX_BYTES	(16 << 20)

/* Reads every known client config under each home (all users' homes when homes is NULL),
 * each home's in a child process acting as its user (homes.h, as_user.h). An entry counts as
 * wrapped when it is what this mcpwarden's `--wrap --policy-dir policy_dir` (policy_dir may be
 * NULL) writes for it (wrapper_mismatch, the policy being the path wrapper_policy_path gives
 * when that file exists);
 * one of that shape that is not is a problem too, saying why. What a home's child sends past
 * SCAN_MAX_LINES or SCAN_MAX_BYTES, or in a line as_user cut, is counted in not_listed and
 * named in a problem, never kept. */
int configs_scan(struct mcp_config_set *set, char *const *homes, size_t nhomes, const char *policy_dir);
void configs_free(struct mcp_config_set *set);

/* One client's config formats, for scan and --wrap. */
struct config_kind {
	const char *client;
	const char *rel;	/* path below the home (or the project, for project files) */
	const char *key;	/* the object holding servers: "mcpServers" or "servers" */
	bool toml;		/* Codex's config.toml */
};

/* A config file as configs_walk hands it over. */
struct config_file {
	const struct config_kind *kind;
	const char *shown;	/* its path, for messages */
	int dirfd;		/* its directory */
	const char *name;	/* its name there */
	struct stat st;
	const char *text;
	size_t len;
	const struct config_doc *doc;
};

struct config_walk {
	void (*file)(const struct config_file *f, void *arg);
	/* A file that exists but is not read: "FILE: why", or "FILE:LINE: what" for its text. */
	void (*problem)(const char *msg, void *arg);
	void *arg;
};

/* Reads name in dirfd: a regular file, not through a link, of at most 16 MiB. NULL with
 * errno set (ELOOP: a link; EINVAL: not a regular file; EFBIG: larger). */
char *configs_read(int dirfd, const char *name, struct stat *st, size_t *len);
/*
 * Visits the config files of home h that exist, as the process is (a child acting as the
 * home's user): each client's, then those of the projects the configs list ("projects"
 * keys below the home). Each is opened beneath the home without following a symbolic link
 * (beneath.h), must be a regular file of at most 16 MiB, and is handed to w->file only when
 * it is one valid document. A file (device and inode) is visited once for each way it is read:
 * its servers' key and format, and whether its projects are walked; so a hard link at two
 * clients' paths is read as each, and none of its views hides another's servers. When w->file
 * replaced it (--wrap), its other links keep the old file, which is then read at their names.
 */
void configs_walk(const struct home *h, const struct config_walk *w);

#endif
