/* join.c: decides whether a configured MCP server is running, and whether it is policed. */
#include <string.h>

#include "discover/join.h"

/* The argument that names the server: the last non-option one after the real command. */
static const char *token_of(const struct mcp_entry *e)
{
	size_t first = e->command;
	const char *tok = NULL;

	if (first >= e->argc)
		return NULL;
	for (size_t i = first + 1; i < e->argc; i++)
		if (e->argv[i][0] != '-' && strlen(e->argv[i]) > 2)
			tok = e->argv[i];
	if (!tok)
		tok = strrchr(e->argv[first], '/') ? strrchr(e->argv[first], '/') + 1 : e->argv[first];
	return tok;
}

/* Whether an argument of p holds tok (toklen bytes). An argument shorter than tok can't, and is not searched:
 * strstr measures its needle on each call, and tok comes from a user's file, as long as a line may be. */
static bool mentions(const struct proc_info *p, const char *tok, size_t toklen)
{
	for (size_t i = 0; i < p->argc; i++)
		if (strlen(p->argv[i]) >= toklen && strstr(p->argv[i], tok))
			return true;
	return false;
}

void join_entry(const struct mcp_entry *e, const struct proc_list *l, struct join_result *r)
{
	const char *tok = e->argc ? token_of(e) : NULL;
	bool unpoliced = false;
	size_t toklen;

	memset(r, 0, sizeof(*r));
	if (!tok)
		return;
	toklen = strlen(tok);
	for (size_t i = 0; i < l->n; i++) {
		const struct proc_info *p = &l->v[i];
		pid_t shim;

		if (proc_is_shim(p) || !mentions(p, tok, toklen))
			continue;
		shim = proc_shim_ancestor(l, p->pid);
		if (shim)
			r->shim = shim;
		else
			unpoliced = true;
		if (r->npids < JOIN_MAX_PIDS)
			r->pids[r->npids++] = p->pid;
	}
	if (r->npids)
		r->state = unpoliced ? STATE_RUNNING : STATE_POLICED;
}

const char *state_name(enum server_state s)
{
	static const char *const names[] = { "configured", "running", "policed" };

	return names[s];
}
