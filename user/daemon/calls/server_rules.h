/* server_rules.h: a server's own rule set (call 0) in the kernel: installed at register, track or reload; taken out at reload or when the server goes. */
#ifndef MCPWARDEN_SERVER_RULES_H
#define MCPWARDEN_SERVER_RULES_H

#include <stddef.h>

#include <cJSON.h>

#include "daemon/state.h"

/* Installs `sandbox` (the wire format of user/policy/sandbox_wire.h) as server s's own rules, replacing any.
 * 0, or -1 with `why` set (nothing changed). */
int server_rules_set(struct daemon *d, struct server *s, const cJSON *sandbox, char *why, size_t size);
/* Takes server s's own rule set out of the kernel, if it has one (a reloaded policy without a sandbox). */
void server_rules_clear(struct daemon *d, struct server *s);

#endif
