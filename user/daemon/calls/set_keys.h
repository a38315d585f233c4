/* set_keys.h: the entries one rule set has in a map keyed by (rule set, ...): sb_exec's files, sb_unix's addresses. */
#ifndef MCPWARDEN_SET_KEYS_H
#define MCPWARDEN_SET_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include <bpf/libbpf.h>

#include "sandbox.h"

/*
 * Keys of one map (`map`, keys of `size` bytes that start with a struct sb_key),
 * gathered or written by the daemon. A replaced rule set never opens a gap: its
 * new keys go in beside the old ones (set_keys_put), the rules switch, then
 * set_keys_drop removes the old keys the new set does not hold. If the switch
 * fails, the new keys the old set lacks go, and set_keys_restore puts back the
 * old marks the new set overwrote.
 */
struct set_keys {
	struct bpf_map *map;
	size_t size;
	unsigned char *v;	/* n keys of `size` bytes */
	__u8 *marks;		/* each key's one-byte value */
	size_t n, cap;
};

/* An empty list for `map`. */
void set_keys_init(struct set_keys *l, struct bpf_map *map, size_t size);
/* Appends the keys of rule set `k` that `l->map` holds now (gathered first: deleting breaks a key walk). */
void set_keys_of(struct set_keys *l, const struct sb_key *k);
/* Appends the keys `l->map` holds now whose rule set `pick` picks: one walk for many sets. */
void set_keys_where(struct set_keys *l, bool (*pick)(const struct sb_key *set, const void *ctx), const void *ctx);
/* Writes key `key` with the one-byte value `mark` into the map and appends it. 0, or -1 (errno set). */
int set_keys_put(struct set_keys *l, const void *key, __u8 mark);
/* Writes each key of `l` back with the mark it had when gathered or put. */
void set_keys_restore(const struct set_keys *l);
/* Whether `l` (may be NULL) holds key `key`. */
bool set_keys_has(const struct set_keys *l, const void *key);
/* Deletes from the map the keys of `l` that `keep` (may be NULL) does not hold, then empties `l`. */
void set_keys_drop(struct set_keys *l, const struct set_keys *keep);
/* Frees `l` without touching the map. */
void set_keys_free(struct set_keys *l);

#endif
