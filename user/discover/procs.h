/* procs.h: a snapshot of the host's processes, to join configured servers to running ones. */
#ifndef MCPWARDEN_PROCS_H
#define MCPWARDEN_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct proc_info {
	pid_t pid, ppid;
	char **argv;
	size_t argc;
};

struct proc_list {
	struct proc_info *v;
	size_t n;
};

/* Reads /proc; processes that vanish while it reads are skipped. Returns 0 or -1 (logged). */
int procs_snapshot(struct proc_list *l);
void procs_free(struct proc_list *l);
const struct proc_info *procs_find(const struct proc_list *l, pid_t pid);
/* True for a `mcpwarden run` process. */
bool proc_is_shim(const struct proc_info *p);
/* The nearest `mcpwarden run` ancestor of pid, or 0: the server is policed when there is one. */
pid_t proc_shim_ancestor(const struct proc_list *l, pid_t pid);

#endif
