/* mount_view.h: a root server's own view of the file system: kernel settings read-only and a /dev of harmless devices. */
#ifndef MCPWARDEN_MOUNT_VIEW_H
#define MCPWARDEN_MOUNT_VIEW_H

/*
 * In the forked child of a root server, before its capabilities are dropped
 * (it needs CAP_SYS_ADMIN): a private mount namespace (changes never reach the
 * host) in which
 * - /proc/sys, /proc/sysrq-trigger and /sys with every mount below it (cgroup
 *   files included) are read-only, so root tool code can't set
 *   kernel.core_pattern (which runs a program as full root outside every
 *   sandbox), move itself out of its cgroup, or write tracing and security
 *   files;
 * - /dev is a fresh tmpfs holding only null, zero, full, random, urandom, tty,
 *   ptmx, pts, shm and the fd links, so no raw disk, /dev/mem, /dev/kmsg or
 *   /dev/userfaultfd is reachable.
 * The seccomp filter then refuses mount and unshare, and CAP_SYS_ADMIN is gone,
 * so nothing in the tree can undo it. 0, or -1 with errno set (the server does
 * not start: docs/ARCHITECTURE.md §10).
 */
int mount_view_apply(void);

#endif
