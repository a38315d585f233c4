/* child.h: starts the MCP server in its own process group and ends it in stages. */
#ifndef MCPWARDEN_CHILD_H
#define MCPWARDEN_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

#include "shim/harden.h"

struct child {
	pid_t pid;
	int to_server;		/* write end of the server's stdin */
	int from_server;	/* read end of the server's stdout */
	int go;			/* write end the held child waits on; -1 once released */
	int errp;		/* read end of the exec-error pipe; -1 once read */
	bool exited;
	int status;		/* wait status once exited */
};

/* Starts argv with pipes on stdin/stdout, stderr inherited, a new process group and
 * PR_SET_PDEATHSIG(SIGKILL); inside cgroup_fd's cgroup from birth when it is >= 0
 * (clone3 CLONE_INTO_CGROUP), or, where the kernel refuses that to a shim that is not
 * root, outside it until the daemon moves it in (so cgroup_fd >= 0 needs hold). With hold, the child waits before exec until
 * child_release(), so the daemon can be told about it first. Last before exec it applies
 * `h` (harden_apply), so the server runs hardened from its first instruction. Returns 0,
 * or -1 with the reason logged (exec and hardening failures too: they come back through a
 * CLOEXEC pipe). */
int child_spawn(struct child *c, char *const argv[], int cgroup_fd, bool hold, const struct harden *h);
int child_release(struct child *c, const char *name);
/* Signals the server's whole process group. */
void child_signal(const struct child *c, int sig);
/* After the server's exit: kills what is left of its process group, and every process below the shim. */
void child_kill_leftovers(const struct child *c);
/* Reaps the server if it has exited; returns true once it has. */
bool child_reap(struct child *c);
/* Exit code that mirrors the server's wait status (128+N for signals). */
int child_exit_code(const struct child *c);

#endif
