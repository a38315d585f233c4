/* call_limits.h: what bounds one tools/call beyond its policy decision: the deadline and the rule that sets it, and the tool's sandbox. */
#ifndef MCPWARDEN_CALL_LIMITS_H
#define MCPWARDEN_CALL_LIMITS_H

#include <cJSON.h>

#include "policy/model.h"

struct call_limits {
	long deadline_ms;		/* 0: none */
	char deadline_rule[160];	/* "tools.T.timeout", "tools.T.sandbox.max_runtime" or "sandbox.max_runtime" */
	cJSON *sandbox;			/* the tool's sandbox for the daemon (its own entry's, else "*"'s); NULL: none */
};

/* Fills `out` for a call of `tool` that the policy allowed with `timeout_ms`; the earliest limit wins.
 * The caller frees out->sandbox. */
void call_limits_get(const struct policy *p, const char *tool, long timeout_ms, struct call_limits *out);

#endif
