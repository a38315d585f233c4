/* call.h: a call's whole life in the daemon: its rule set, its id in the active sets of the server's processes, the violations noted on it, its audit records, and its kernel state until its last process is gone. */
#ifndef MCPWARDEN_CALL_H
#define MCPWARDEN_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "daemon/state.h"
#include "events.h"

/*
 * A shim's call_start `report` for call `call` of server `server_id`: the ring
 * buffer is drained first (the server's lately forked processes get into the
 * table; the server may be forgotten meanwhile), the call's rule set (the
 * report's "sandbox", if any) goes into the kernel, then the call joins the
 * active sets of the server's root and of its other own processes, which
 * what they fork inherits; the report is audited. 0, or -1 with `why` set and
 * nothing left behind.
 */
int call_start(struct daemon *d, uint32_t server_id, uint64_t call, const cJSON *report, char *why, size_t size);
/*
 * A shim's call_end `report`: after the ring buffer is drained (so every
 * violation of the call is noted) the call leaves the active sets and the
 * report is audited. *violations gets the violations noted during the call (a
 * JSON array to hand the shim; NULL when the server is gone or on OOM). The
 * call's rule set stays while processes of it live (call_tidy). Server-level
 * rules a reload left waiting go in once no call of the server runs. 0, or -1
 * with `why` set.
 */
int call_end(struct daemon *d, uint32_t server_id, uint64_t call, const cJSON *report, cJSON **violations,
	     char *why, size_t size);
/* A denial `rule` stopped `what` in process `h` of server s: noted on each call the process works for; with
 * `stop` (a process limit whose child was killed; a fork BPF LSM refused stops nothing) each of those calls
 * not killed yet is killed. */
void call_denied(struct daemon *d, struct server *s, const struct ev_hdr *h, const char *rule, const char *what,
		 bool stop);
/*
 * A server a shim resumed after the daemon restarted (the kernel kept its state: pins.h), or after it gave up
 * on this daemon as too slow and connected again. `running` is the shim's [{"call","tool"[,"sandbox"]
 * [,"ended"]}], checked by the caller: its calls still running, each in force again as it was (a call whose
 * rule set the kernel lacks gets "sandbox" installed now). Every other call, one the kernel holds a rule set
 * or kill mark for or one this daemon started, ended (or never ran): it goes once its processes are gone
 * (call_tidy); s->rules says whether the kernel holds the server's own set. 0, or -1 with `why` set.
 */
int call_resume(struct daemon *d, struct server *s, const cJSON *running, char *why, size_t size);
/* Once a resumed server's root is attached again: the calls that ended while no daemon ran leave the active
 * sets of the root and the server's own processes, so what they fork no longer carries them, and what those
 * with on_end: kill left running is killed. */
void call_resume_root(struct daemon *d, struct server *s);
/* From the tick: drops the kernel state of ended calls whose processes are all gone. */
void call_tidy(struct daemon *d);
/* A server is being forgotten (a server_gone_fn; ctx is the struct daemon): its own rule set and its calls'
 * kernel state leave the kernel. */
void call_server_gone(void *ctx, struct server *s);

#endif
