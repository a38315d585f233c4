/* sandbox_json.h: a policy's sandbox block as the JSON the daemon takes (see user/daemon/enforce.h). */
#ifndef MCPWARDEN_SANDBOX_JSON_H
#define MCPWARDEN_SANDBOX_JSON_H

#include <cJSON.h>

#include "policy/model.h"

/* NULL when the block is absent (or on OOM); max_runtime stays with the shim, which keeps the deadlines. */
cJSON *sandbox_json(const struct sandbox *sb);

#endif
