/* denials.h: a sandbox denial from the kernel: named after its policy rule, described, published and audited, then handed to its calls. */
#ifndef MCPWARDEN_DENIALS_H
#define MCPWARDEN_DENIALS_H

#include "daemon/state.h"
#include "events.h"

/* Handles one EV_DENY record: logged, audited and published with its rule ("sandbox.exec.allow",
 * "tools.NAME.sandbox.network.egress") and a line saying what was stopped, then noted on the calls the
 * process works for (calls/call.h), which a process limit also kills. */
void denials_handle(struct daemon *d, const struct ev_deny *e);

#endif
