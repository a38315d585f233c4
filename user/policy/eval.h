/* eval.h: decides one tools/call against the policy model. */
#ifndef MCPWARDEN_EVAL_H
#define MCPWARDEN_EVAL_H

#include <stdbool.h>
#include <time.h>
#include <cJSON.h>

#include "policy/counters.h"
#include "policy/model.h"

struct call_ctx {
	const char *tool;
	const cJSON *args;	/* params.arguments, or NULL */
	const cJSON *schema;	/* the server's inputSchema for tool, or NULL if unknown */
	time_t now;
	struct counter_add **undo;	/* non-NULL: gets what an allowed call added to its counters (the caller's to
					   take back with counters_undo, or free) */
};

struct decision {
	bool allow;
	char rule[128];		/* the rule that denied, "(default deny)", "(hidden)" (Intercept's names); empty when allowed */
	char reason[512];
	long timeout_ms;	/* per-tool timeout, 0 for none */
};

/* Decides; an allowed call also counts against its rate limits and state counters. */
void policy_decide(const struct policy *p, struct counters *c, const struct call_ctx *cx,
		   struct decision *d);
/* Looks up a dotted path ("args.a.0.b") below root, skipping its first segment. */
const cJSON *json_path(const cJSON *root, const char *path);

#endif
