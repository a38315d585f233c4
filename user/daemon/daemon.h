/* daemon.h: `mcpwarden daemon`: runs the sensor, the sandbox and the control socket until SIGINT or SIGTERM. */
#ifndef MCPWARDEN_DAEMON_H
#define MCPWARDEN_DAEMON_H

#include "daemon/state.h"

/* Sets up mounts, the sensor, the audit log and the control socket, then serves until a signal. 0, or -1
 * (logged) when setup or the event loop failed. */
int daemon_run(const struct daemon_opts *o);

#endif
