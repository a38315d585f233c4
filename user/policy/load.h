/* load.h: loads a policy file (Intercept YAML, seed rule style or PolicyLayer JSON). */
#ifndef MCPWARDEN_POLICY_LOAD_H
#define MCPWARDEN_POLICY_LOAD_H

#include <stddef.h>

#include "policy/model.h"
#include "policy/ydoc.h"

#define POLICY_MAX_BYTES (4 << 20)
#define POLICY_ERR_SIZE	8192	/* room for a file's errors, one per line; past it they are counted */

/*
 * --strict-intercept: only what Intercept itself reads (version, description, default, hide, tools.NAME.rules
 * with name, action evaluate|deny, rate_limit "N/minute|hour|day", conditions, on_deny, state; windows minute,
 * hour, day). Every mcpwarden extension is an error naming itself: action deny with conditions, allow,
 * require_approval, reason, validate, timeout, sandbox, limits, all_tools, deny_response, deny_text,
 * audit_args, validate_schema, a rate_limit map, a window that is a duration.
 */
#define POLICY_STRICT_INTERCEPT	(1u << 0)

/* Returns a new policy, or NULL with err holding every error found, one per line, "file:line: field: message"
 * (ydoc.h). flags: POLICY_*. */
struct policy *policy_load_file(const char *path, unsigned flags, char *err, size_t errsz);
struct policy *policy_load_text(const char *name, const char *text, size_t len, unsigned flags,
				char *err, size_t errsz);

/* The counter a rule keeps, as Intercept names it: its state counter, or _rate_<window> for a rate_limit
 * "N/window" standing alone (buf holds that name); NULL when none. */
const char *rule_counter(const struct rule *r, char buf[32]);
/* Parts of the loader, one file each. */
int load_rules(struct ydoc *d, const ynode *seq, const char *field, struct tool_policy *t);
int load_limits(struct ydoc *d, const ynode *seq, const char *field, struct tool_policy *t);
/* top: the policy's own (server-level) block, the only one that may hold syscalls and capabilities. */
int load_sandbox(struct ydoc *d, const ynode *n, const char *field, bool top, struct sandbox *sb);

#endif
