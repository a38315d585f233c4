/* enforce.h: writes a policy's sandbox block (as the shim sends it) into the BPF maps of enforce.bpf.c. */
#ifndef MCPWARDEN_ENFORCE_H
#define MCPWARDEN_ENFORCE_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "daemon/sensor/sensor.h"

/*
 * Installs rule set (server_id, call) (call 0: the server's own) from `sandbox`,
 * a block in the wire format of user/policy/sandbox_wire.h. Exec patterns are
 * expanded now, in the daemon's mount namespace; a name without '/' is looked
 * up in the standard PATH directories. Each match is kept by identity (device
 * and inode), so symlinks and hard links resolve to the file that really runs.
 * An existing set is replaced. 0, or -1 with `why` set (nothing installed):
 * the block does not decode (why names the field), a glob or map failed, or
 * it has rules this daemon can't enforce (network rules without cgroup v2,
 * unix rules without the kernel's unix hooks): never installed to be ignored.
 */
int enforce_set(struct sensor *s, uint32_t server_id, uint64_t call, const cJSON *sandbox, char *why, size_t size);
/* Marks call (server_id, call) as being killed: processes it forks from now on die before they run. 0 or -1. */
int enforce_doom(struct sensor *s, uint32_t server_id, uint64_t call);
/* Removes rule set (server_id, call), its process and thread counts and kill mark; its files and unix addresses,
 * which nothing reads without the set, go at the next enforce_sweep(). */
void enforce_clear(struct sensor *s, uint32_t server_id, uint64_t call);
/* What the kernel holds for server `server_id` (a daemon before this one wrote it): fn gets each call with a
 * rule set (rules) or a kill mark (doomed); call 0 is the server's own set. 0 or -1 (logged). */
int enforce_held(struct sensor *s, uint32_t server_id, void (*fn)(void *ctx, uint64_t call, bool rules, bool doomed),
		 void *ctx);
/* Removes the files and unix addresses whose rule set the kernel does not hold: what a daemon that stopped before
 * its sweep left pinned. At start only (an install puts its keys in before its rule set). */
void enforce_sweep_orphans(struct sensor *s);
/* Removes the files and unix addresses of the sets enforce_clear() took out since the last sweep: one walk of each
 * map for all of them (the daemon's tick). */
void enforce_sweep(struct sensor *s);
/* Live processes and call-carrying threads (bpf/lineage.bpf.h, thread_calls) that keep rule set (server_id, call) alive. */
uint32_t enforce_live(struct sensor *s, uint32_t server_id, uint64_t call);

#endif
