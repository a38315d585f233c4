/* server_rules.h: a server's own rule set (call 0) in the kernel: installed at register, track or reload (waiting while calls run); taken out when the server goes. */
#ifndef MCPWARDEN_SERVER_RULES_H
#define MCPWARDEN_SERVER_RULES_H

#include <stddef.h>

#include <cJSON.h>

#include "daemon/state.h"

/*
 * Makes `sandbox` (the wire format of user/policy/sandbox_wire.h; NULL: none)
 * server s's own rules, in place of any. While a call of s runs, every process
 * of the call answers to them too, so they do not change then: they are checked
 * now and wait (replacing any that wait already) until the last running call
 * ends (server_rules_settle). No call runs under looser rules than it started
 * with. 0: in force; 1: waiting; -1 with `why` set: refused, nothing changed.
 */
int server_rules_replace(struct daemon *d, struct server *s, const cJSON *sandbox, char *why, size_t size);
/* Installs the rules a reload left waiting, once no call of s runs (after a call's end). */
void server_rules_settle(struct daemon *d, struct server *s);
/* Takes server s's own rule set out of the kernel, if it has one, and drops any waiting (the server goes). */
void server_rules_clear(struct daemon *d, struct server *s);

#endif
