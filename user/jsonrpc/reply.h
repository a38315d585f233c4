/* reply.h: builds the lines the shim itself sends: denials, errors, cancellations. */
#ifndef MCPWARDEN_REPLY_H
#define MCPWARDEN_REPLY_H

#include <cJSON.h>

/* JSON-RPC error codes the shim uses. */
#define RPC_PARSE_ERROR		-32700
#define RPC_INVALID_REQUEST	-32600
#define RPC_INVALID_PARAMS	-32602
#define RPC_INTERNAL_ERROR	-32603
#define RPC_POLICY_DENIED	-32001	/* deny_response: error */
#define RPC_SERVER_GONE		-32002
#define RPC_REQUEST_TIMEOUT	-32003

#define POLICY_META_KEY "io.mcpwarden/policy"

/* Each returns a malloc'd, newline-terminated line, or NULL when out of memory.
 * id may be NULL (sent as null). */
char *reply_error(const cJSON *id, int code, const char *message, const char *decision,
		  const char *rule);
/* A result with isError: true, the text, and _meta marking it as the policy's decision
 * ("deny", "timeout", ...). */
char *reply_tool_error(const cJSON *id, const char *text, const char *decision,
		       const char *tool, const char *rule, const char *reason);
/* Turns a tools/call response (parsed, changed in place) into a sandbox refusal: isError, a first
 * text item naming each rule from `violations` ([{"rule","what"}]), and the _meta marker with
 * decision "sandbox". An error response gets the same text as its message. */
void reply_mark_sandbox(cJSON *msg, const char *tool, const cJSON *violations);
/* A tools/call result that says only what the sandbox stopped (for a reply the shim could not read). */
char *reply_sandbox(const cJSON *id, const char *tool, const cJSON *violations);
char *notify_cancelled(const cJSON *request_id, const char *reason);
/* Serializes one message as a line. Takes ownership of msg. */
char *line_of(cJSON *msg);

#endif
