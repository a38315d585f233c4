/* server_requests.h: the requests that make servers: track (an admin's), register and attach (a shim's). */
#ifndef MCPWARDEN_SERVER_REQUESTS_H
#define MCPWARDEN_SERVER_REQUESTS_H

#include <cJSON.h>

#include "daemon/state.h"

/* Each serves one request `req` from peer c (already authorised to steer) and replies. -1: drop the peer. */

/* track: a root peer makes any process a server root, maybe under a sandbox. */
int server_requests_track(struct daemon *d, struct ctl_client *c, const cJSON *req);
/* register: a shim's server; with "pid", its running child, else a new cgroup whose fd the ack carries. */
int server_requests_register(struct daemon *d, struct ctl_client *c, const cJSON *req);
/* attach: the registering shim names the child it started in the server's cgroup as the server's root. */
int server_requests_attach(struct daemon *d, struct ctl_client *c, const cJSON *req);

#endif
