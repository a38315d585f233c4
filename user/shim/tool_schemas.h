/* tool_schemas.h: the server's tools and their inputSchemas, learnt from tools/list results. */
#ifndef MCPWARDEN_TOOL_SCHEMAS_H
#define MCPWARDEN_TOOL_SCHEMAS_H

#include <stdbool.h>
#include <stddef.h>
#include <cJSON.h>

#include "policy/model.h"

struct tool_schemas {
	cJSON *by_name;		/* object: tool name -> inputSchema */
};

void tool_schemas_free(struct tool_schemas *t);
const cJSON *tool_schema(const struct tool_schemas *t, const char *tool);
/* Learns the schemas of a tools/list result and removes tools the policy hides.
 * Returns true when it removed any (the result must be re-serialized). */
bool tool_schemas_learn(struct tool_schemas *t, cJSON *result, const struct policy *p);

#endif
