/* track.h: makes a running process the root of a server: its lineage entry, its server, its table entry. */
#ifndef MCPWARDEN_TRACK_H
#define MCPWARDEN_TRACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/state.h"

/* Tracks `pid` as the root of server `server_id` (0: the next free id), registered by peer `owner` (0: an
 * admin), named `name` (NULL keeps the server's name). Its lineage entry takes the start time the kernel has for
 * `pid` now (sensor_task), never the process table's, which may still hold an earlier process of that pid;
 * its table entry is that process's. A process tracked already keeps the calls it carries in its own server,
 * and is refused for another while a call, its server's rules or its being that server's root would not hold
 * there. Refused too when `pid` is gone (or a zombie, or a thread id) or the kernel can't be asked. Returns
 * the id, or 0 with the reason, naming the pid, in `why` (`size` bytes). */
uint32_t track_root(struct daemon *d, pid_t pid, uint32_t server_id, pid_t owner, const char *name, char *why,
		    size_t size);

#endif
