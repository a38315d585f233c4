/* audit_sink.h: what the daemon writes to its audit log (--audit-dir); every call is a no-op without one. */
#ifndef MCPWARDEN_AUDIT_SINK_H
#define MCPWARDEN_AUDIT_SINK_H

#include <cJSON.h>

#include "audit/kinds.h"
#include "daemon/state.h"
#include "events.h"

/* Opens the log in --audit-dir and writes the daemon_start record; with --syslog, first starts the forwarder
 * (audit/syslog_fwd.h), and a target it can't reach refuses the start. 0, or -1 (logged). */
int audit_sink_open(struct daemon *d);
/* Appends a record of `kind`, taking `rec` (NULL, an allocation that failed, counts as a failed write).
 * The first failed write is logged; all are counted (status). */
void audit_sink_add(struct daemon *d, enum audit_kind kind, cJSON *rec);
/* Appends a peer's report (a shim's call or policy facts) as it was sent, less its "op" and "id". */
void audit_sink_report(struct daemon *d, enum audit_kind kind, const cJSON *report);
/* Appends the event of a record about a server's process; records of other processes are not audited. */
void audit_sink_event(struct daemon *d, const struct ev_hdr *h);
/* Batched fsync, from the periodic tick; with --syslog, writes a syslog_lost record for records the forwarder
 * lost since the last tick. */
void audit_sink_tick(struct daemon *d);
/* Writes the daemon_stop record, closes the log, then stops the forwarder (which sends what is queued, within
 * SYSLOG_STOP_WAIT_MS). */
void audit_sink_close(struct daemon *d);

#endif
