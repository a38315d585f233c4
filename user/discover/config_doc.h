/* config_doc.h: one MCP client config file as scan and --wrap read it: its servers, and the bytes --wrap edits. */
#ifndef MCPWARDEN_CONFIG_DOC_H
#define MCPWARDEN_CONFIG_DOC_H

#include <stdbool.h>
#include <stddef.h>

struct span {
	size_t start, end;	/* text[start, end) */
};

struct doc_server {
	char *name;		/* decoded */
	struct span name_tok;	/* the name as the file spells it: a JSON string or a TOML key */
	bool name_bare;		/* a TOML bare key (quotes make it a string) */
	char *url;		/* a remote server's URL, or NULL */
	char **argv;		/* command, then args, decoded; NULL when there is no string command */
	size_t argc;
	struct span cmd;	/* the command's string token */
	bool has_args;
	struct span args;	/* the args array, brackets included */
	struct span *elems;	/* its argc - 1 elements */
	size_t *commas;		/* the comma after each element; 0 when none */
	size_t args_at;		/* where a new args member may go when there is none; 0: nowhere */
	const char *odd;	/* why --wrap must leave this entry alone, or NULL */
	const char *env_unsafe;	/* CONFIG_DOC_ENV_LOADER or CONFIG_DOC_ENV_FILE: why `mcpwarden run` can't police it; or NULL */
};

/* Why a server's environment keeps it from being policed: a variable the dynamic loader or libc acts on runs
 * the user's code inside `mcpwarden run` before its main; an env file may set one, unseen. */
#define CONFIG_DOC_ENV_LOADER	"its \"env\" sets a variable the dynamic loader or libc acts on (LD_*, GCONV_PATH, ...), " \
				"which would run code inside mcpwarden run before it polices anything"
#define CONFIG_DOC_ENV_FILE	"it has an \"envFile\", which may set a variable the dynamic loader acts on (LD_PRELOAD, ...)"

/* Whether name[0, len) is such a variable: LD_*, or one glibc drops for set-user-ID programs as unsafe. */
bool config_doc_loader_var(const char *name, size_t len);

struct config_doc {
	struct doc_server *v;
	size_t n, cap;
	char **projects;	/* Claude Code's project directories: the keys of "projects" */
	size_t nprojects;
	char args_open[16];	/* what opens a new args member at args_at: `, "args": [` or `EOL args = [` */
};

/* The most servers one file may hold; a file with more is refused, so the work per file stays bounded. */
#define CONFIG_DOC_MAX_SERVERS	4096

/*
 * Reads text as a config: JSONC with the servers in object `key` (and in each
 * project's "mcpServers" when there is a "projects" object), or with toml, Codex's
 * config.toml and its [mcp_servers.NAME] tables. Returns 0, or -1 with why set to
 * "LINE: what is wrong" (a document that is not valid, a key the servers' place
 * holds twice, or more than CONFIG_DOC_MAX_SERVERS servers). Names are checked for
 * twins by sorting, so the work grows as n log n with the servers, never as n^2.
 * Free d with config_doc_free either way.
 */
int config_doc_parse(struct config_doc *d, bool toml, const char *key, const char *text, size_t len,
		     char *why, size_t whylen);
void config_doc_free(struct config_doc *d);
/* Adds a server named name[0, len) (a copy); NULL with *why set when out of memory, or when d holds
 * CONFIG_DOC_MAX_SERVERS already. */
struct doc_server *config_doc_add(struct config_doc *d, const char *name, size_t len, const char **why);
/* Appends an args element: its token, and arg, its decoded text (taken; NULL fails). Returns 0 or -1. */
int config_doc_arg(struct doc_server *s, struct span tok, char *arg);

#endif
