/* call_limits.c: what bounds one tools/call beyond its policy decision: the deadline and the rule that sets it, and the tool's sandbox. */
#include <stdio.h>
#include <string.h>

#include "policy/sandbox_wire.h"
#include "shim/call_limits.h"

static void consider(struct call_limits *out, long ms, const char *rule_fmt, const char *entry)
{
	if (ms <= 0 || (out->deadline_ms && out->deadline_ms <= ms))
		return;
	out->deadline_ms = ms;
	snprintf(out->deadline_rule, sizeof(out->deadline_rule), rule_fmt, entry);
}

void call_limits_get(const struct policy *p, const char *tool, long timeout_ms, struct call_limits *out)
{
	const struct tool_policy *entry = policy_tool(p, tool), *sb = policy_sandbox_entry(p, entry);

	memset(out, 0, sizeof(*out));
	consider(out, timeout_ms, "tools.%s.timeout", entry && entry->timeout_ms ? entry->name : "*");
	if (sb)
		consider(out, sb->sandbox.max_runtime_ms, "tools.%s.sandbox.max_runtime", sb->name);
	consider(out, p->sandbox.max_runtime_ms, "sandbox.max_runtime%s", "");
	out->sandbox = sb ? sandbox_wire_encode(&sb->sandbox) : NULL;
}
