/* status_json.h: the daemon's `status` reply: mode, features, audit log, counters and drops. */
#ifndef MCPWARDEN_STATUS_JSON_H
#define MCPWARDEN_STATUS_JSON_H

#include <cJSON.h>

#include "daemon/state.h"

/* The `status` reply body; NULL on OOM. */
cJSON *status_json(struct daemon *d);

#endif
