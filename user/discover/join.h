/* join.h: decides whether a configured MCP server is running, and whether it is policed. */
#ifndef MCPWARDEN_JOIN_H
#define MCPWARDEN_JOIN_H

#include <sys/types.h>
#include <time.h>

#include "discover/configs.h"
#include "discover/procs.h"

#define JOIN_MAX_PIDS 16

/* STATE_UNKNOWN: not joined, the join's deadline having passed first. */
enum server_state { STATE_CONFIGURED, STATE_RUNNING, STATE_POLICED, STATE_UNKNOWN };

/* How long the root process's join of one scan may take. */
#define JOIN_DEADLINE_S 30

struct join_result {
	enum server_state state;
	pid_t pids[JOIN_MAX_PIDS];	/* processes of the server, wrappers included */
	size_t npids;
	pid_t shim;			/* the `mcpwarden run` above it, when policed */
};

/*
 * Joins each of the n entries v to l's processes (procs_snapshot's: sorted, each one's shim set) into
 * r[i]. A process belongs to an entry when its argv holds the entry's distinctive argument (its
 * package, script or image), so wrapper chains (npx -> npm exec -> sh -> node) are found; the server
 * is policed when each of them has a `mcpwarden run` ancestor. Entries are sorted by that argument and
 * each distinct one is joined once, so the work grows with the distinct arguments, not the entries.
 * The join stops once CLOCK_MONOTONIC passes deadline: the entries left have STATE_UNKNOWN. Returns
 * their number (0 when every entry was joined).
 */
size_t join_all(const struct mcp_entry *v, size_t n, const struct proc_list *l, struct join_result *r,
		const struct timespec *deadline);
const char *state_name(enum server_state s);

#endif
