/* procfs.h: facts about a process read from /proc when the process table may not know it yet. */
#ifndef MCPWARDEN_PROCFS_H
#define MCPWARDEN_PROCFS_H

#include <sys/types.h>

/* Reads the parent pid of `pid`, a live process (not a zombie, not a thread id). 0, or -1
 * (errno set; no log: callers report). */
int procfs_ppid(pid_t pid, pid_t *ppid);

#endif
