/* publish.h: where the daemon's events go out: the audit log, the subscribers (`mcpwarden events`) and the recent events, each event to the peers its audience admits. */
#ifndef MCPWARDEN_PUBLISH_H
#define MCPWARDEN_PUBLISH_H

#include <stdbool.h>

#include <cJSON.h>

#include "audit/kinds.h"
#include "daemon/report/audience.h"
#include "daemon/state.h"
#include "events.h"

/* Who may see what concerns server `server_id` (0: none) and a process of uid `uid`: the server's owner's uid
 * while the daemon knows the server, else the process's. */
struct audience publish_audience(struct daemon *d, uint32_t server_id, uid_t uid);
/* A checked ring buffer record that passed the scope filter: audited (a server's process only), kept among
 * the recent events, and sent to followers as JSON (made only when there are followers). */
void publish_record(struct daemon *d, const struct ev_hdr *h);
/* A daemon event `o` (a deny, a kill, an unpoliced server) about server `server_id` (0: none) and a process of
 * uid `uid`, taken: audited as `kind` without its "type", then sent to followers and kept among the recent
 * events as JSON text. */
void publish_event(struct daemon *d, enum audit_kind kind, cJSON *o, uint32_t server_id, uid_t uid);
/* Sends the JSON text of an event that names no process (lost_events) to every follower and keeps it among
 * the recent events; takes `line`. */
void publish_text(struct daemon *d, char *line);
/* Peer `c` subscribed (its request acked): sends it the recent events its view admits, then either keeps it
 * as a follower or ends the stream. -1: the peer is gone, drop it. */
int publish_subscribe(struct daemon *d, struct ctl_client *c, bool follow);

#endif
