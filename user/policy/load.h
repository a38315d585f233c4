/* load.h: loads a policy file (Intercept YAML, seed rule style or PolicyLayer JSON). */
#ifndef MCPWARDEN_POLICY_LOAD_H
#define MCPWARDEN_POLICY_LOAD_H

#include <stddef.h>

#include "policy/model.h"
#include "policy/ydoc.h"

#define POLICY_MAX_BYTES (4 << 20)

/* Returns a new policy, or NULL with err = "file:line: field: message". */
struct policy *policy_load_file(const char *path, char *err, size_t errsz);
struct policy *policy_load_text(const char *name, const char *text, size_t len,
				char *err, size_t errsz);

/* Parts of the loader, one file each. */
int load_rules(struct ydoc *d, const ynode *seq, const char *field, struct tool_policy *t);
int load_limits(struct ydoc *d, const ynode *seq, const char *field, struct tool_policy *t);
/* top: the policy's own (server-level) block, the only one that may hold syscalls and capabilities. */
int load_sandbox(struct ydoc *d, const ynode *n, const char *field, bool top, struct sandbox *sb);

#endif
