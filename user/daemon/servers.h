/* servers.h: the servers the daemon knows: id, root process, and the peer that registered it. */
#ifndef MCPWARDEN_SERVERS_H
#define MCPWARDEN_SERVERS_H

#include <stdint.h>
#include <sys/types.h>

struct server {
	uint32_t id;
	pid_t root;			/* the server process; its lineage map entry holds the active calls */
	pid_t owner;			/* the peer that registered it (a shim); 0 when tracked by an admin */
	char name[64];
	struct server *next;
};

/* Adds a server, or replaces the one with the same id. NULL on OOM (logged). */
struct server *servers_add(struct server **list, uint32_t id, pid_t root, pid_t owner, const char *name);
struct server *servers_find(struct server *list, uint32_t id);
/* Forgets every server whose root process is `pid` (it exited). */
void servers_forget_root(struct server **list, pid_t pid);
void servers_free(struct server **list);

#endif
