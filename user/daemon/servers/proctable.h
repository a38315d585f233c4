/* proctable.h: the daemon's view of live processes, keyed by (pid, start_time), never by pid alone. */
#ifndef MCPWARDEN_PROCTABLE_H
#define MCPWARDEN_PROCTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"

struct proc {
	uint32_t pid, ppid, uid, server_id;
	uint64_t start_time, cgroup_id;
	char comm[EV_COMM_LEN];
	char exe[EV_FILENAME_LEN];	/* empty until an exec is seen */
	unsigned mcp_argv;		/* MCP_ARGV_* bits of its last exec (mcp_argv.h) */
	bool unpoliced_checked;		/* unpoliced.c decided about it already */
	bool base;			/* part of its server itself (root, or forked while it had no call): it
					 * takes part in every call, and is never killed as one call's */
	struct proc *next;
};

struct proctable {
	struct proc **buckets;
	size_t nbuckets;		/* a power of two */
	size_t count;
};

int proctable_init(struct proctable *t, size_t nbuckets);
void proctable_free(struct proctable *t);
struct proc *proctable_find(const struct proctable *t, uint32_t pid, uint64_t start_time);
/* Finds a process by pid alone; walks the whole table. Of several entries with that pid (earlier processes
 * whose exit records are unread, or were lost), the newest: the one that can still be alive. */
struct proc *proctable_find_pid(const struct proctable *t, uint32_t pid);
/* Adds the process a record header describes, or refreshes its entry. NULL on OOM (logged). */
struct proc *proctable_update(struct proctable *t, const struct ev_hdr *h);
void proctable_remove(struct proctable *t, uint32_t pid, uint64_t start_time);

#endif
