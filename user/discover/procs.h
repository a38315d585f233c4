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
	pid_t shim;	/* the nearest `mcpwarden run` ancestor, or 0: the process is policed when there is one */
};

struct proc_list {
	struct proc_info *v;
	size_t n;
};

/* Reads /proc; processes that vanish while it reads are skipped. Returns 0 or -1 (logged). The list is
 * sorted by pid and each process's shim is set (procs_index). */
int procs_snapshot(struct proc_list *l);
/* Sorts l by pid and sets each process's shim, looking each ancestor up by bsearch: n log n, however the
 * processes are nested (an ancestor chain is followed 64 deep at the most). */
void procs_index(struct proc_list *l);
void procs_free(struct proc_list *l);
/* pid's process in l (sorted by pid), or NULL. */
const struct proc_info *procs_find(const struct proc_list *l, pid_t pid);
/* True for a `mcpwarden run` process. */
bool proc_is_shim(const struct proc_info *p);

#endif
