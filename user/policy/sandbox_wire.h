/* sandbox_wire.h: a policy's sandbox block on the control socket: the one encoder (the shim's) and decoder (the daemon's). */
#ifndef MCPWARDEN_SANDBOX_WIRE_H
#define MCPWARDEN_SANDBOX_WIRE_H

#include <stddef.h>

#include <cJSON.h>

#include "policy/model.h"

/*
 * The wire format, the "sandbox" of the register, track, call_start and
 * policy_reload requests (include/control.h):
 *
 *   {"exec":{"allow":[PATTERN...],"deny":[PATTERN...]},
 *    "network":{"egress":"allow"|"deny","allow":[NET...],"deny":[NET...]},
 *    "max_processes":N}
 *   NET: {"family":4|6,"addr":TEXT,"prefix":N,"port":N}
 *
 * Every key is optional but NET's four, and no other key is allowed.
 * - exec: PATTERN is a path glob or a bare program name, as in the policy. An
 *   "allow" list, even empty, means only what it lists may run; "deny" ["*"]
 *   denies what "allow" does not list.
 * - network: "egress" is what a destination no entry matches gets. An "allow"
 *   list (even empty) without "egress" means "deny": only what it lists. The
 *   encoder sends "egress" with every allow list, and each list the policy has. NET: "addr" in inet_pton form for the
 *   family, "prefix" 0..32 (4) or 0..128 (6) bits, "port" 0..65535 (0: any).
 *   At most SB_MAX_NET_RULES (include/sandbox.h) entries in both lists.
 * - max_processes: 1..4294967295, processes alive at once.
 * max_runtime is not sent: the shim keeps the deadlines.
 */

/* The block as sent; NULL when it is absent (or on OOM). */
cJSON *sandbox_wire_encode(const struct sandbox *sb);
/*
 * Reads a received block into *sb (present, with egress -1 when not sent).
 * 0, or -1 with nothing left to free in *sb and `why` naming the field and the
 * fault ("network.allow[1].prefix: 33 is out of range 0..32"). The caller frees
 * a decoded *sb with sandbox_free.
 */
int sandbox_wire_decode(const cJSON *j, struct sandbox *sb, char *why, size_t size);

#endif
