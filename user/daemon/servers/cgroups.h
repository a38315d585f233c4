/* cgroups.h: one cgroup v2 directory per server under <cgroup2>/mcpwarden: make, identify, remove, list. */
#ifndef MCPWARDEN_CGROUPS_H
#define MCPWARDEN_CGROUPS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CGROUPS_DIR	"mcpwarden"	/* under the cgroup v2 mount */

/*
 * Makes <root>/mcpwarden/<id>-<name> (the name sanitised to [A-Za-z0-9_.-],
 * parent made as needed) and opens it O_DIRECTORY|O_RDONLY|O_CLOEXEC.
 * Sets path, *fd and *cgid (the cgroup id, as BPF sees it). 0 or -1 (logged).
 */
int cgroups_make(const char *root, uint32_t id, const char *name, char *path, size_t size, int *fd,
		 uint64_t *cgid);
/* The cgroup id of the directory at `path` (its kernfs node id). 0 or -1 (logged). */
int cgroups_id(const char *path, uint64_t *cgid);
/* Moves process `pid` into the cgroup at `path` (no-op when it is there). 0 or -1 (logged). */
int cgroups_move(const char *path, pid_t pid);
/* SIGKILLs every process in the cgroup and its descendants (cgroup.kill). 0 or -1 (logged). */
int cgroups_kill(const char *path);
/* Removes an empty cgroup. 0: gone (or already absent), 1: still has processes, -1: error (logged). */
int cgroups_remove(const char *path);
/* Calls `fn` for each <id>-<name> directory left under <root>/mcpwarden (by a previous daemon). 0 or -1 (logged). */
int cgroups_list(const char *root, void (*fn)(void *ctx, uint32_t id, const char *name, const char *path),
		 void *ctx);

#endif
