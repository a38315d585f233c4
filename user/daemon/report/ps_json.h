/* ps_json.h: the `ps` reply: the servers the daemon knows, their calls, and the processes of each. */
#ifndef MCPWARDEN_PS_JSON_H
#define MCPWARDEN_PS_JSON_H

#include <cJSON.h>

#include "daemon/state.h"

/* The `ps` reply body for peer `viewer`: {"servers": [...], "processes": [...]}, of the servers its view admits
 * (audience.h), and "not_shown" past what fits one control message. NULL on OOM. */
cJSON *ps_json(struct daemon *d, const struct ctl_client *viewer);

#endif
