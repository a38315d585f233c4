/* track.h: makes a running process the root of a server: its lineage entry, its server, its table entry. */
#ifndef MCPWARDEN_TRACK_H
#define MCPWARDEN_TRACK_H

#include <stdint.h>
#include <sys/types.h>

#include "daemon/state.h"

/* Tracks `pid` as the root of server `server_id` (0: the next free id), registered by peer `owner` (0: an
 * admin), named `name` (NULL keeps the server's name). A process tracked already keeps the calls it carries
 * in its own server, and is refused for another while a call, its server's rules or its being that server's
 * root would not hold there. Returns the id, or 0 with `why` set. */
uint32_t track_root(struct daemon *d, pid_t pid, uint32_t server_id, pid_t owner, const char *name,
		    const char **why);

#endif
