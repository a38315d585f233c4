/* lineage_budget.h: the room in the `tracked` lineage map: its size, from the host, and each server's share of it. */
#ifndef MCPWARDEN_LINEAGE_BUDGET_H
#define MCPWARDEN_LINEAGE_BUDGET_H

#include <stdint.h>

#include "events.h"

#define LINEAGE_MIN_CAPACITY	1024
#define LINEAGE_MAX_CAPACITY	(1u << 22)	/* the kernel's PID_MAX_LIMIT: no host has more processes */

/*
 * The number of entries `tracked` (and the maps kept per tracked process) is made with: `want` when it is
 * not 0 (daemon --max-tracked), else the most processes this host can have at once, the lower of
 * kernel.pid_max and kernel.threads-max as they are now. Either way clamped to [LINEAGE_MIN_CAPACITY,
 * LINEAGE_MAX_CAPACITY]. The maps allocate entries as used, so a large capacity costs only the buckets
 * (16 bytes per entry, rounded up to a power of two). 0 when the host's limits can't be read (logged).
 */
uint32_t lineage_capacity(uint32_t want);

/*
 * How a map of `capacity` entries is shared (lineage.bpf.h, lineage_charge): half of it in reserves of
 * capacity / (2 * LINEAGE_RESERVED_SERVERS) each, the pool three eighths, and the last sixteenth a margin
 * for the entries nobody is charged for. It depends on nothing else, so it is set once, at load.
 */
struct lineage_limits lineage_limits_for(uint32_t capacity);

#endif
