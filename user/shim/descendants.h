/* descendants.h: keeps every process the server starts below the shim (a subreaper), and kills them all. */
#ifndef MCPWARDEN_DESCENDANTS_H
#define MCPWARDEN_DESCENDANTS_H

/*
 * Without a daemon's cgroup, a process group is all the shim has, and a setsid or double-forked descendant
 * leaves it. As a subreaper (PR_SET_CHILD_SUBREAPER) the shim adopts every orphan below it instead of init,
 * so each process the server forks stays a descendant of the shim, however it detached (a descendant that
 * makes itself a subreaper keeps its own orphans, and is below the shim all the same). What the shim kills
 * is then found by ancestry in /proc (zombies skipped, parents found by pid in a sorted snapshot); each
 * process is signalled through a pidfd opened before its parent is read again.
 * Best effort, not a boundary: a chain that forks its successor and exits faster than a scan outruns the
 * rounds, a process started through a spawner already running (systemd-run --user, at) was never below the
 * shim, and a pid reused between the snapshot and the pidfd can mislead one check. The daemon's cgroup holds.
 */

/* Makes the calling process (the shim) adopt orphans below it. 0, or -1 (logged). */
int descendants_adopt(void);
/* SIGKILLs every process below the calling one, in rounds until none is left (a fork in flight appears in the
 * next one; SIGKILL stops forks), at most DESCENDANTS_ROUNDS. Returns how many were signalled. */
unsigned descendants_kill(void);
/* Reaps adopted orphans that died, so none stays a zombie; the server (`server`) is left to child_reap. */
void descendants_reap(int server);

#define DESCENDANTS_ROUNDS	16

#endif
