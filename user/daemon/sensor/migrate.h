/* migrate.h: carries an older generation's kernel state (pins.h) into the maps a daemon of a new one just loaded. */
#ifndef MCPWARDEN_MIGRATE_H
#define MCPWARDEN_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

#include <bpf/libbpf.h>

/*
 * The maps that carry what enforcement holds: lineage (`tracked`, `thread_calls`), servers' cgroups, rule sets
 * and their files and addresses, process and thread counts and what each process is counted in, and kill
 * marks. Each entry of the older generation's map pinned at `dir`/maps/NAME is copied into the same-named map of one of
 * `objs` (loaded, not attached), so the new programs enforce what the old ones did from their first run.
 * Entries the new maps have already are kept (`again`: a second pass once the new programs run, for what the
 * old ones made meanwhile). A lineage entry's charge (lineage_budget.h) stays with the old generation's
 * accounts, so it comes over uncharged.
 *
 * Carried only between maps of one layout: the same type, key and value sizes, and the same BTF layout of key
 * and value (member names, offsets and sizes). The sizes of the maps (max_entries) may differ. Otherwise -1,
 * with `why` naming the map: then nothing of the new generation may attach, and the old one stays in force.
 * Not carried, each starting empty: the ring buffer (the caller drains the old one), drop and error counters
 * (their totals go in the upgrade's audit record), the lineage accounts, TCP socket owners (socket storage:
 * later state changes of sockets opened before the upgrade are not attributed), the per-process record budgets
 * and unborn marks.
 */
int migrate_maps(struct bpf_object *const *objs, unsigned nobjs, const char *dir, bool again, char *why, size_t size);

#endif
