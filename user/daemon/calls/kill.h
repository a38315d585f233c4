/* kill.h: kills a call's process tree, or a whole server; each kill is logged, noted on its calls, audited and published. */
#ifndef MCPWARDEN_KILL_H
#define MCPWARDEN_KILL_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/state.h"

/* Kills every process carrying `call` but the server's own, marking the call so that what it forks meanwhile
 * dies in the kernel; sweeps the lineage map until none is left. `rule` and `reason` say why. */
void kill_call(struct daemon *d, struct server *s, uint64_t call, const char *rule, const char *reason);
/* Kills what is left of a killed call: processes it forked while its last sweep ran. Returns how many
 * processes still carry the call (0: none; the call's kill mark can go). */
size_t kill_call_rest(struct daemon *d, const struct server *s, uint64_t call);
/* Kills the server and everything in its cgroup (cgroup.kill); every call of it is marked killed. 0, or -1
 * (logged) when it has no cgroup or the kill failed. */
int kill_server(struct daemon *d, struct server *s, const char *rule, const char *reason);
/* SIGKILLs process `pid` if it is still the one started at `start_time` (its lineage entry says so, or, for a
 * fork's child (`forked`), whose entry may never have been made, the process table): a process a denial could
 * not kill in the kernel (DENY_F_DAEMON_KILL). */
void kill_denied(struct daemon *d, uint32_t pid, uint64_t start_time, bool forked);

#endif
