/* control.h: the daemon's control socket protocol, spoken by `mcpwarden events|status` and by the shim. */
#ifndef MCPWARDEN_CONTROL_H
#define MCPWARDEN_CONTROL_H

/*
 * Transport: AF_UNIX SOCK_SEQPACKET at CTL_DEFAULT_SOCKET (mode 0660); the
 * daemon logs each peer's SO_PEERCRED. Every message is one JSON object, at
 * most CTL_MSG_MAX bytes, without a trailing newline.
 *
 * Requests carry "op" and may carry "id" (any JSON value), echoed in the reply.
 * Replies: {"op":"ack","id":..,"ok":true,...} or {"op":"error","id":..,"ok":false,"error":"why"}.
 *
 *   {"op":"status"}
 *       -> ack with "status": {"mode","features":{...},"counters":{...},"drops":{TYPE:n,...}}
 *   {"op":"track","pid":N[,"server_id":S]}
 *       Admin only (peer uid 0): marks process N, and every process it forks
 *       from now on, as server S; without server_id the daemon picks one.
 *       -> ack with "server_id".
 *   {"op":"register","name":NAME,"pid":N}
 *       The shim's path: N must be a child of the peer. Tracks it like "track"
 *       and remembers the peer as the server's owner. -> ack with "server_id".
 *       (Planned: the ack passes the server's cgroup fd with SCM_RIGHTS.)
 *   {"op":"call_start","server_id":S,"call":C}
 *   {"op":"call_end","server_id":S,"call":C}
 *       Owner or root only. Adds/removes call C (1..2^53) in the active-call set
 *       of S's root process (at most EV_MAX_CALLS at once); processes forked
 *       while a call is active carry it in "calls". The shim forwards a call
 *       only after the ack, so attribution is exact. -> ack
 *   {"op":"subscribe","follow":BOOL}
 *       -> ack, then the recent events kept by the daemon, one per message (the
 *       event objects, which all have "type"); then {"op":"end"} and the daemon
 *       closes, unless follow is true: then live events keep coming.
 */

#define CTL_DEFAULT_SOCKET	"/run/mcpwarden/control.sock"
#define CTL_MSG_MAX		65536

#define CTL_OP_STATUS		"status"
#define CTL_OP_TRACK		"track"
#define CTL_OP_SUBSCRIBE	"subscribe"
#define CTL_OP_REGISTER		"register"
#define CTL_OP_CALL_START	"call_start"
#define CTL_OP_CALL_END		"call_end"
#define CTL_OP_ACK		"ack"
#define CTL_OP_ERROR		"error"
#define CTL_OP_END		"end"

#endif
