/* procfs.h: facts about a process read from /proc when the process table may not know it yet. */
#ifndef MCPWARDEN_PROCFS_H
#define MCPWARDEN_PROCFS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads the parent pid of `pid`, a live process (not a zombie, not a thread id). 0, or -1
 * (errno set; no log: callers report). */
int procfs_ppid(pid_t pid, pid_t *ppid);
/* Reads the start time of `pid` (/proc/PID/stat's starttime, in clock ticks since boot): with the pid, it names
 * one process, never a later one with the same pid. 0, or -1 (no log). */
int procfs_start_ticks(pid_t pid, uint64_t *ticks);
/* Whether process `pid` runs the daemon's own executable file: /proc/PID/exe and /proc/self/exe are the same
 * device and inode (a file's identity, which no argv or process name can fake). False when either cannot be
 * read (no log). */
bool procfs_runs_own_exe(pid_t pid);

#endif
