/* wrapper.c: the `mcpwarden run` that --wrap puts before a server's command, and whether an entry carries exactly that one. */
#include <stdio.h>
#include <string.h>

#include "discover/wrapper.h"

bool wrapper_parse(char *const *argv, size_t argc, struct wrapper *w)
{
	const char *slash;
	size_t dashes = 4;	/* where "--" must be: after NAME, or after P */

	if (argc < 6)
		return false;
	slash = strrchr(argv[0], '/');
	if (strcmp(slash ? slash + 1 : argv[0], "mcpwarden") || strcmp(argv[1], "run") || strcmp(argv[2], "--name"))
		return false;
	if (!strcmp(argv[4], "--policy"))
		dashes = 6;
	if (dashes + 1 >= argc || strcmp(argv[dashes], "--"))
		return false;
	w->exe = argv[0];
	w->name = argv[3];
	w->policy = dashes == 6 ? argv[5] : NULL;
	w->command = dashes + 1;
	return true;
}

const char *wrapper_mismatch(const struct wrapper *w, const char *key, const struct wrapper *want)
{
	if (strcmp(w->name, key))
		return "its --name is not its own name";
	if (!want)
		return NULL;
	if (strcmp(w->exe, want->exe ? want->exe : "mcpwarden"))
		return "its command is not the mcpwarden that wraps";
	if (want->policy && wrapper_policy_unsafe(want->policy))
		return wrapper_policy_unsafe(want->policy);
	if (w->policy && (!want->policy || strcmp(w->policy, want->policy)))
		return "its --policy is not the one --wrap gives it (the --policy-dir's NAME.yaml)";
	if (!w->policy && want->policy)
		return "it has no --policy, and the --policy-dir has its NAME.yaml";
	return NULL;
}

const char *wrapper_policy_unsafe(const char *policy)
{
	return strstr(policy, "${") ? "its policy path would hold \"${\", which the client expands in args" : NULL;
}

bool wrapper_policy_path(const char *dir, const char *name, char *path, size_t pathlen)
{
	if (!name[0] || name[0] == '.' || strchr(name, '/'))
		return false;
	return snprintf(path, pathlen, "%s/%s.yaml", dir, name) < (int)pathlen;
}
