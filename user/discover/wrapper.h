/* wrapper.h: the `mcpwarden run` that --wrap puts before a server's command, and whether an entry carries exactly that one. */
#ifndef MCPWARDEN_WRAPPER_H
#define MCPWARDEN_WRAPPER_H

#include <stdbool.h>
#include <stddef.h>

/* What --wrap writes: `EXE run --name NAME [--policy P] -- COMMAND [ARG...]`. */
struct wrapper {
	const char *exe;	/* EXE: argv[0], a path whose last component is mcpwarden */
	const char *name;	/* NAME: argv[3] */
	const char *policy;	/* P: argv[5], or NULL */
	size_t command;		/* COMMAND's index in argv */
};

/*
 * Whether argv has exactly the shape --wrap writes, and w filled when it has. Each word
 * has its fixed place, so NAME and P are read as `mcpwarden run` reads them, as their
 * option's value whatever they look like ("--", "--policy", "-n"), and only the "--"
 * after them ends the options. Any other option, spelling (--name=N, -n N, an
 * abbreviation) or order is not --wrap's: false.
 */
bool wrapper_parse(char *const *argv, size_t argc, struct wrapper *w);
/*
 * Why w, the wrapper of server key, is not the one --wrap writes for it, or NULL when it
 * is: its NAME is not key; or, given want (what --wrap writes for key now: want->exe,
 * NULL meaning "mcpwarden", and want->policy, NULL for none), its EXE is not want->exe,
 * want->policy is unsafe (wrapper_policy_unsafe), or its P is not exactly want->policy
 * (a P where there is none, none where there is one). Without want (what --unwrap takes
 * off) only NAME is judged. The reasons are fixed texts.
 */
const char *wrapper_mismatch(const struct wrapper *w, const char *key, const struct wrapper *want);
/* Why no wrapper may carry policy, or NULL: a path holding "${", which clients (VS Code, Claude Code)
 * expand in args, so the wrapper would run under another file than the one judged. A fixed text. */
const char *wrapper_policy_unsafe(const char *policy);
/*
 * Writes DIR/NAME.yaml into path: the policy `--wrap --policy-dir DIR` gives server name
 * when that file exists. False when name is not a plain file name (empty, starting with
 * '.', holding a '/') or the path does not fit.
 */
bool wrapper_policy_path(const char *dir, const char *name, char *path, size_t pathlen);

#endif
