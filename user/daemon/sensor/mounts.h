/* mounts.h: the pseudo-filesystems the sensor needs: tracefs, bpffs, securityfs, cgroup v2. */
#ifndef MCPWARDEN_MOUNTS_H
#define MCPWARDEN_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#define TRACEFS_DIR	"/sys/kernel/tracing"
#define BPFFS_DIR	"/sys/fs/bpf"
#define SECURITYFS_DIR	"/sys/kernel/security"	/* its "lsm" lists the active LSMs */

/* Finds the first mount of `fstype` in /proc/self/mounts; copies its directory. 0, or -1 (none, or error logged). */
int mounts_find(const char *fstype, char *dir, size_t size);
/* Mounts `fstype` on `dir` unless it is already there; sets *did when it mounted it now. 0 or -1 (logged). */
int mounts_ensure(const char *fstype, const char *dir, bool *did);

#endif
