/* pins.h: the sensor's BPF state pinned in bpffs, so that enforcement outlives the daemon that loaded it. */
#ifndef MCPWARDEN_PINS_H
#define MCPWARDEN_PINS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <bpf/libbpf.h>

#define PINS_DEFAULT_ROOT	"/sys/fs/bpf/mcpwarden"

/*
 * The pin root (PINS_DEFAULT_ROOT, `daemon --pin-dir`) is a directory of bpffs, root's and mode 0700, that the
 * daemon holds with flock(2): one daemon at a time, and `--stop-enforcement` only while none runs. It holds one
 * directory per generation, named by this build's BPF objects and the choices it loaded them with (pins_gen):
 *
 *   GEN/maps/NAME    every map the programs share (lineage, rule sets, counts, the ring buffer)
 *   GEN/links/NAME   every program's link but the task iterator's, by program name
 *   GEN/owners       hash: server id -> struct pin_owner, the shim each cgroup server belongs to
 *   GEN/meta         array[1] of struct pin_meta; pinned last, so a GEN without it is a start that died half way
 *
 * While the links are pinned the kernel goes on enforcing, counting and recording into the ring buffer with no
 * daemon at all. A daemon of the same generation takes all of it over (pins_adopted); one of another
 * generation loads its own, and removes the older one only once its own links are attached (pins_retire).
 */

/* What the daemon leaves for the next one: written each tick and at stop. */
struct pin_meta {
	uint64_t heartbeat_mono_ns;	/* CLOCK_MONOTONIC at the last tick: the clock of the records' ts */
	uint64_t heartbeat_real_ns;	/* CLOCK_REALTIME then */
	uint64_t drops;			/* the ring buffer's drop counters, summed, then */
	uint32_t next_server_id;	/* the next server id the daemon would have given */
	uint32_t clean;			/* 1: the daemon stopped on a signal (not a crash) */
};
_Static_assert(sizeof(struct pin_meta) == 32, "pin_meta layout");

/* The shim that registered a cgroup server: only it may resume the server after a restart. */
struct pin_owner {
	uint32_t uid;
	int32_t pid;
	uint64_t start_ticks;		/* /proc/PID/stat starttime: the pid's process, not a later one */
};
_Static_assert(sizeof(struct pin_owner) == 16, "pin_owner layout");

struct pins {
	int root_fd;			/* the pin root, locked; -1 when not open */
	char root[PATH_MAX];
	char gen[48];			/* this daemon's generation */
	bool adopted;			/* GEN was complete: its maps and links are the ones in force */
	bool saved;			/* GEN is complete now (pins_save) */
	bool made;			/* this daemon made GEN's directory (a failed start removes only that) */
	int meta_fd, owners_fd;
	struct pin_meta was;		/* the meta the previous daemon of GEN left (adopted only) */
	char others[4][48];		/* other generations found in the root (an upgrade replaces them) */
	unsigned nothers;
	char previous[48];		/* the complete one of them this generation takes its state from ("" when none) */
};

/* Opens (making it when missing) and locks the pin root, and finds what it holds. A root that is not a
 * directory of root's with mode 0700, or that another daemon holds, is refused. 0 or -1 (logged). */
int pins_open(struct pins *p, const char *root);
/* Names this daemon's generation: the BPF objects' bytes (`elf`, `n` of them) and `choices`, the load's
 * options. Then p->adopted says whether a complete pinned GEN exists. 0 or -1 (logged). */
int pins_gen(struct pins *p, const void *const *elf, const size_t *elf_sz, unsigned n, const char *choices);
/* Where GEN is new and another complete generation is pinned (an upgrade): names it in p->previous and its
 * directory in `dir`, takes its meta as the previous daemon's (p->was), and copies its owners into GEN's. 1 when
 * there is one, 0 when none, -1 (logged). */
int pins_inherit(struct pins *p, char *dir, size_t size);
/* Makes every map of `obj` that GEN pinned use the pinned map, before the object is loaded. 0 or -1 (logged). */
int pins_reuse_maps(struct pins *p, struct bpf_object *obj);
/* The link GEN pinned for program `prog`, opened, or NULL when none (or not adopted). */
struct bpf_link *pins_link(struct pins *p, const struct bpf_program *prog);
/* Pins every map of `obj` that is not pinned yet (maps shared between objects are pinned once). 0 or -1 (logged). */
int pins_keep_maps(struct pins *p, struct bpf_object *obj);
/* Pins `link` as its program's, unless GEN has it (pins_link), and disconnects it: closing it then no longer
 * detaches it. 0 or -1 (logged). */
int pins_keep_link(struct pins *p, const struct bpf_program *prog, struct bpf_link *link);
/* Makes GEN complete: its owners and meta maps, meta last. 0 or -1 (logged). */
int pins_save(struct pins *p, const struct pin_meta *m);
/* Writes the meta (the heartbeat). 0 or -1 (logged). */
int pins_meta_write(struct pins *p, const struct pin_meta *m);
/* Records, or (uid == -1) forgets, the shim that owns cgroup server `id`. 0 or -1 (logged). */
int pins_owner_set(struct pins *p, uint32_t id, const struct pin_owner *o);
int pins_owner_del(struct pins *p, uint32_t id);
/* The owner GEN recorded for server `id`. 0, or -1 when none. */
int pins_owner_get(struct pins *p, uint32_t id, struct pin_owner *o);
/* Removes another generation's pins: its links detach as their last reference goes. 0 or -1 (logged). */
int pins_retire(struct pins *p, const char *gen);
/* Removes every generation under `root` while no daemon holds it (`daemon --stop-enforcement`); `out` gets
 * what was removed. 0, or -1 (logged): a daemon holds it, or a pin could not be removed. */
int pins_remove_all(const char *root, unsigned *nremoved);
/* Unlocks and closes. The pins stay. */
void pins_close(struct pins *p);

#endif
