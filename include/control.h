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
 *       Marks process N (and every process it forks from now on) as server S;
 *       without server_id the daemon picks one. -> ack with "server_id".
 *   {"op":"subscribe","follow":BOOL}
 *       -> ack, then the recent events kept by the daemon, one per message (the
 *       event objects: {"type":"exec",...}); then {"op":"end"} and the daemon
 *       closes, unless follow is true: then live events keep coming.
 *
 * Designed for the shim, not served yet (answered with an "unsupported" error):
 *   {"op":"register","name":NAME,"pid":N}
 *       The server process N, a child of the peer, gets a server id; the reply
 *       will pass the server's cgroup fd with SCM_RIGHTS. -> ack with "server_id".
 *   {"op":"call_start","server_id":S,"call":C,"tool":NAME}
 *       Call C becomes active in server S; the shim forwards the call only after the ack.
 *   {"op":"call_end","server_id":S,"call":C,"status":"ok"|"error"|"timeout"|"denied"}
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
