/* unpoliced.h: spots MCP servers running without mcpwarden between them and their client; alerts or kills. */
#ifndef MCPWARDEN_UNPOLICED_H
#define MCPWARDEN_UNPOLICED_H

#include "daemon/state.h"
#include "events.h"

/* Looks for an unpoliced MCP server in record `h` about table entry `p` (NULL: none, nothing to do): an exec
 * of an MCP package through a runner, MCP replies on its stdout, or a listen by a process that looks like
 * one. Policed is: in a server's tree or cgroup, or itself or below a process that runs the mcpwarden
 * executable (by the file's device and inode, never by argv). Decides once per process; an unpoliced one is
 * logged, audited and published, and killed with --unpoliced=kill. */
void unpoliced_check(struct daemon *d, const struct ev_hdr *h, struct proc *p);

#endif
