/* lint.h: what `mcpwarden policy check` warns about: a policy that loads, but whose rules may not hold. */
#ifndef MCPWARDEN_POLICY_LINT_H
#define MCPWARDEN_POLICY_LINT_H

#include <stddef.h>

#include "policy/model.h"

/*
 * Calls warn(ctx, text) once per weakness of p, text reading "FILE:LINE: warning: FIELD: MESSAGE"
 * (FILE is p->path), and returns how many there were. A tool is covered by a sandbox when its
 * entry, "*" or the server has a `sandbox:` block. The weaknesses:
 *  - a regex condition on a code-like argument (a word of its name is code, command, cmd, script,
 *    program, source, snippet, shell, stdin, expression or expr) of a tool no sandbox covers: code
 *    can spell anything, so a regex is no boundary;
 *  - in an anchored pattern ('^' or '$') of a rule that lets a call through when it matches (any
 *    action but deny), a bracket expression or '.' that matches "\n" or "\r": the argument is matched
 *    as one string, so "^...$" does not stop a second line;
 *  - an exec deny list where neither its own sandbox nor the server's has an allow list (or
 *    deny ["*"]);
 *  - a tool covered by a sandbox whose calls have no deadline: no timeout (its entry's or "*"'s),
 *    no max_runtime (its sandbox's or the server's). Under default: allow, the tools the policy does
 *    not list are checked too.
 */
size_t policy_lint(const struct policy *p, void (*warn)(void *ctx, const char *text), void *ctx);

#endif
