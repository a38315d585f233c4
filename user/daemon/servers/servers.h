/* servers.h: the servers the daemon knows: id, root process, and the peer that registered it. */
#ifndef MCPWARDEN_SERVERS_H
#define MCPWARDEN_SERVERS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/calls/active_calls.h"

struct server {
	uint32_t id;
	pid_t root;			/* the server process (0: none attached yet, or gone); its lineage entry holds the calls */
	pid_t owner;			/* the peer that registered it (a shim); 0 when tracked by an admin or adopted */
	uid_t owner_uid;
	bool owner_gone;		/* the owner's connection closed: remove the cgroup once it is empty */
	char name[64];
	char cgroup[PATH_MAX];		/* its cgroup v2 directory; empty when it has none (left) */
	uint64_t cgid;			/* that cgroup's id, the key of the BPF map server_cgroups */
	bool rules;			/* a server-level rule set is in the kernel */
	bool staged;			/* a reload's server-level rules wait for the running calls to end */
	cJSON *staged_rules;		/* ...those rules (wire format; NULL: none) */
	bool resumed;			/* its shim resumed it after a daemon restart; its root not attached again yet */
	struct active_call *calls;	/* calls started and not yet forgotten */
	struct server *next;
};

/* Called for a server about to be forgotten, to undo what it left in the kernel. */
typedef void (*server_gone_fn)(void *ctx, struct server *s);

/* Adds a server, or updates the one with the same id (a NULL name keeps its name). NULL on OOM (logged). */
struct server *servers_add(struct server **list, uint32_t id, pid_t root, pid_t owner, const char *name);
struct server *servers_find(struct server *list, uint32_t id);
/* Clears the root of every server whose root process is `pid` (it exited); forgets those without a cgroup. */
void servers_forget_root(struct server **list, pid_t pid, server_gone_fn gone, void *ctx);
/* Forgets servers with neither a root process nor a cgroup. */
void servers_prune(struct server **list, server_gone_fn gone, void *ctx);
void servers_free(struct server **list);

#endif
