/* child.h: starts the MCP server in its own process group and ends it in stages. */
#ifndef MCPWARDEN_CHILD_H
#define MCPWARDEN_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

struct child {
	pid_t pid;
	int to_server;		/* write end of the server's stdin */
	int from_server;	/* read end of the server's stdout */
	bool exited;
	int status;		/* wait status once exited */
};

/* Forks and execs argv with pipes on stdin/stdout, stderr inherited, a new process
 * group and PR_SET_PDEATHSIG(SIGKILL). Returns 0, or -1 with the reason logged
 * (exec failures included: they are reported back through a CLOEXEC pipe). */
int child_spawn(struct child *c, char *const argv[]);
/* Signals the server's whole process group. */
void child_signal(const struct child *c, int sig);
/* Reaps the server if it has exited; returns true once it has. */
bool child_reap(struct child *c);
/* Exit code that mirrors the server's wait status (128+N for signals). */
int child_exit_code(const struct child *c);

#endif
