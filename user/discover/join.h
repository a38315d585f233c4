/* join.h: decides whether a configured MCP server is running, and whether it is policed. */
#ifndef MCPWARDEN_JOIN_H
#define MCPWARDEN_JOIN_H

#include <sys/types.h>

#include "discover/configs.h"
#include "discover/procs.h"

#define JOIN_MAX_PIDS 16

enum server_state { STATE_CONFIGURED, STATE_RUNNING, STATE_POLICED };

struct join_result {
	enum server_state state;
	pid_t pids[JOIN_MAX_PIDS];	/* processes of the server, wrappers included */
	size_t npids;
	pid_t shim;			/* the `mcpwarden run` above it, when policed */
};

/* Finds e's processes through wrapper chains (npx -> npm exec -> sh -> node): a process
 * belongs to e when its argv holds e's distinctive argument (its package, script or
 * image). The server is policed when each of them has a `mcpwarden run` ancestor. */
void join_entry(const struct mcp_entry *e, const struct proc_list *l, struct join_result *r);
const char *state_name(enum server_state s);

#endif
