/* call_requests.h: a shim's requests about its server: a call's start and end, kills, and facts to audit (a refused call, a policy reload). */
#ifndef MCPWARDEN_CALL_REQUESTS_H
#define MCPWARDEN_CALL_REQUESTS_H

#include <cJSON.h>

#include "common/ctl_proto.h"
#include "daemon/state.h"

/* Each serves request `req` (op `op`) from peer c, already authorised to steer, once the server it names is
 * the peer's (its owner while connected, or root), and replies. -1: drop the peer. */

/* call_start / call_end: the call's life (calls/call.h); call_end's ack carries the call's violations. */
int call_requests_call(struct daemon *d, struct ctl_client *c, const cJSON *req, enum ctl_op op);
/* kill_call / kill_server: the shim's deadline passed, or the server stopped answering. */
int call_requests_kill(struct daemon *d, struct ctl_client *c, const cJSON *req, enum ctl_op op);
/* call_denied / policy_reload: audited as sent; a good reload brings the server's new rule set, or none. */
int call_requests_report(struct daemon *d, struct ctl_client *c, const cJSON *req, enum ctl_op op);

#endif
