/* requests.h: serves the control socket's peers (include/control.h): reads each request, checks who sent it and who may ask it, and hands it on. */
#ifndef MCPWARDEN_REQUESTS_H
#define MCPWARDEN_REQUESTS_H

#include <stdint.h>

#include "daemon/state.h"

/* Peer c's socket is ready (`events`, from epoll): sends what its queue holds, then reads and serves one
 * request. A request whose credentials (SCM_CREDENTIALS) name another process than the peer is refused
 * unanswered, logged and audited (peer_refused). Drops the peer when it is gone, sends more than CTL_MSG_MAX
 * bytes, or cannot be answered. */
void requests_on_peer(struct daemon *d, struct ctl_client *c, uint32_t events);

#endif
