/* server_cgroups.h: the daemon's side of servers' cgroups: made at register, adopted at start, removed once empty. */
#ifndef MCPWARDEN_SERVER_CGROUPS_H
#define MCPWARDEN_SERVER_CGROUPS_H

#include <stdint.h>
#include <sys/types.h>

#include "daemon/state.h"

/* Makes a server owned by peer `owner` (uid `uid`) with its own cgroup, without a process yet. Returns the id
 * and an O_RDONLY fd of the cgroup, or 0 with `why` set. */
uint32_t server_cgroups_register(struct daemon *d, pid_t owner, uid_t uid, const char *name, int *fd,
				 const char **why);
/* The owner's connection closed: its servers stay tracked, their cgroups go once empty. */
void server_cgroups_owner_gone(struct daemon *d, pid_t owner);
/* Removes the empty cgroups of servers whose owner is gone; forgets servers left with nothing (their calls'
 * kernel state goes with them, calls/call.h). */
void server_cgroups_tidy(struct daemon *d);
/* Takes over the server cgroups a previous daemon left, so processes in them stay attributed. 0 or -1. */
int server_cgroups_adopt(struct daemon *d);

#endif
