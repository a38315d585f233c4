/* base_procs.h: the servers' own processes (TRACKED_F_BASE lineage entries), kept from one walk of `tracked` to the next. */
#ifndef MCPWARDEN_BASE_PROCS_H
#define MCPWARDEN_BASE_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/sensor/sensor.h"

/*
 * Every call_start and call_end edits the active sets of a server's own processes (call.c). Walking the whole
 * lineage map for them costs its capacity in buckets, every time. The kernel bumps base_made
 * (lineage.bpf.h) after each base entry it makes, so the list a walk found stays whole for as long as
 * base_made reads what it read before that walk: an entry the walk missed was made after the read, and
 * moved it. Entries on the list may have gone since (exits are not counted); callers read each again.
 */
struct base_proc {
	uint32_t pid;
	uint32_t server_id;
	uint64_t start_time;
};

struct base_procs {
	struct base_proc *v;
	size_t n, cap;
	uint64_t made;		/* base_made before the walk that made v */
	bool valid;
};

/* Calls fn(ctx, pid, start_time) for each base entry of server `server_id` but its root `root`, from the kept
 * list or, where base_made moved (or could not be read), a new walk. fn must read the entry again: it may be
 * gone, or its pid taken by another process. 0, or -1 when the map could not be read (logged). */
int base_procs_each(struct base_procs *b, struct sensor *s, uint32_t server_id, uint32_t root,
		    void (*fn)(void *ctx, uint32_t pid, uint64_t start_time), void *ctx);
/* After userspace wrote a base entry (a root: track, register, attach), which base_made does not count: the
 * next use walks the map again. */
void base_procs_forget(struct base_procs *b);
void base_procs_free(struct base_procs *b);

#endif
