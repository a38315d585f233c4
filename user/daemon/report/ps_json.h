/* ps_json.h: the `ps` reply: the servers the daemon knows, their calls, and the processes of each. */
#ifndef MCPWARDEN_PS_JSON_H
#define MCPWARDEN_PS_JSON_H

#include <cJSON.h>

#include "daemon/state.h"

/* The `ps` reply body: {"servers": [...], "processes": [...]} and "not_shown" past what fits one control
 * message. NULL on OOM. */
cJSON *ps_json(struct daemon *d);

#endif
