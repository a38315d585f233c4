/* control.h: the daemon's control socket protocol, spoken by `mcpwarden events|status|ps` and by the shim. */
#ifndef MCPWARDEN_CONTROL_H
#define MCPWARDEN_CONTROL_H

/*
 * Transport: AF_UNIX SOCK_SEQPACKET at CTL_DEFAULT_SOCKET, mode 0660, owned by
 * root and group CTL_GROUP when the host has that group (`make install` makes
 * it; `usermod -aG mcpwarden USER` lets a user's shims in), root:root
 * otherwise; the daemon's log and "status" features.socket_group say which
 * (user/daemon/control/ctl_socket.h). The daemon logs each peer's SO_PEERCRED
 * and serves at most CTL_MAX_CLIENTS peers at once
 * (user/daemon/control/ctl_server.h). Every message is one JSON object, at
 * most CTL_MSG_MAX bytes, without a trailing newline.
 *
 * Messages are trusted, not connections. The socket has SO_PASSCRED, so each
 * message carries its sender's SCM_CREDENTIALS; one whose pid is not the
 * peer's (the SO_PEERCRED pid, the process that connected) comes from a
 * process the descriptor was passed to or that took it (pidfd_getfd), and is
 * refused: not served and not answered (a reply would reach whoever reads the
 * socket first, maybe the peer, out of step with its own requests), logged
 * ("credentials of pid N, not the peer's pid M") and audited as
 * "peer_refused" {peer_pid, peer_uid, sender_pid, op, why, request}.
 *
 * Who sees what (ps, subscribe): root sees every server, process and event.
 * Another peer sees the servers its uid registered, their processes and
 * events, and the events of its uid's processes that belong to no server. A
 * peer inside a policed server's tree (or one that ever was) sees that
 * server's only, root or not. "lost_events" counts go to every subscriber.
 *
 * Requests are served ahead of the ring buffer: the daemon reads its records
 * in slices between rounds of requests (docs/ARCHITECTURE.md §6).
 *
 * So the read-only requests ("status", "ps", "subscribe"), which any peer
 * may send and which cost the daemon more than their answer's size, are
 * rate-limited: a token bucket of CTL_READ_BURST requests, refilled at
 * CTL_READ_RATE a second, shared by every peer inside one policed server's
 * tree (its connections and processes together, root or not), and one
 * shared by the peers of each uid outside servers. Root's peers outside any
 * server (the admin's CLI) are not limited, nor is any other op: a shim's
 * register, attach and call_start never wait on a reader's flood. A request
 * over the limit is refused at once, cheaply: {"op":"error",...,"error":
 * "OP: rate limit: at most N status, ps and subscribe requests a second (B at
 * once) from the processes of policed server S|from uid U; try again in M
 * ms"}; the daemon logs the first refusal since the bucket was last full,
 * naming the peer.
 *
 * Requests carry "op" and may carry "id" (any JSON value), echoed in the reply.
 * Replies: {"op":"ack","id":..,"ok":true,...} or {"op":"error","id":..,"ok":false,"error":"OP: why"}.
 * The op names, and building and reading messages by op, are in
 * user/common/ctl_proto.h: every sender and reader goes through it.
 *
 * A peer inside a policed server's tree (or one that ever was) may send
 * "status", "ps" and "subscribe" only; every other op is refused, so code a
 * tool runs cannot register, attach, end its call or kill.
 *
 *   {"op":"status"}
 *       -> ack with "status": {"mode","features":{...},"counters":{...},"drops":{TYPE:n,...}}
 *   {"op":"ps"}
 *       -> ack with "ps": {"servers":[{server_id,name,root,owner,owner_uid,owner_gone,cgroup,
 *          sandbox,calls:[{call,tool,sandbox,ended,killed}]}],
 *          "processes":[{pid,ppid,start_time,uid,server_id,comm,exe}]} (tracked ones, at
 *          most 300; "not_shown": N counts the rest), of the servers the peer may see
 *   {"op":"track","pid":N[,"server_id":S][,"sandbox":{...}]}
 *       Admin only (peer uid 0): marks process N, and every process it forks
 *       from now on, as server S; without server_id the daemon picks one.
 *       With "sandbox" (the wire format of user/policy/sandbox_wire.h) its tree is under
 *       those rules (for a server with a running call: once its running calls
 *       ended, as for "policy_reload"). A process tracked already keeps the
 *       calls it carries in its own server; "track", "attach" or "register" of
 *       it for another server is refused while it carries a call, its server
 *       has rules, or it is that server's root (a server a previous daemon
 *       left has none of these: a restarted shim re-attaches its server).
 *       N's identity in the lineage map is its start time as the kernel has
 *       it when the request is served; refused, naming N, when N is gone, a
 *       zombie or a thread id, or the kernel can't be asked.
 *       -> ack with "server_id".
 *   {"op":"register","name":NAME[,"sandbox":{...}]}
 *       The shim's path, race-free. "sandbox": the policy's server-level
 *       sandbox block (user/policy/sandbox_wire.h), in force in the kernel before
 *       the ack, so before the server runs; refused (error) when invalid. The daemon makes the server's cgroup v2
 *       directory <cgroup2 mount>/mcpwarden/<server_id>-<NAME sanitised to
 *       [A-Za-z0-9_.-]> and records the peer (SO_PEERCRED pid, uid) as owner.
 *       -> ack with "server_id" and "cgroup" (the path); the ack message
 *       carries the directory's fd (O_RDONLY|O_DIRECTORY) as SCM_RIGHTS
 *       ancillary data (see ctl_request_fd in user/common/ctl_client.h). Every
 *       process that starts in that cgroup (clone3 with CLONE_INTO_CGROUP and
 *       .cgroup = fd) belongs to the server from its first instruction, before
 *       "attach". Error when the host has no cgroup v2 mount.
 *       When the owner's connection closes, the server stays tracked and its
 *       cgroup is removed once empty. A daemon that starts adopts the cgroups
 *       a previous one left: their processes stay attributed to those ids.
 *   {"op":"register","name":NAME[,"sandbox":{...}],"resume":{"server_id":S,
 *     "calls":[{"call":C,"tool":T[,"sandbox":{...}]}]}}
 *       A shim whose daemon went away (stopped, crashed, upgraded) takes its
 *       server S back; the kernel kept its rules and lineage meanwhile
 *       (user/daemon/sensor/pins.h). Only the shim process that registered S
 *       may: the same pid, uid and start time, which the daemon keeps pinned;
 *       S must be a cgroup server without a live owner. "calls" (at most
 *       EV_MAX_CALLS): the calls running now; each is in force again as the
 *       kernel holds it (one whose rule set the kernel lacks gets its
 *       "sandbox" installed), and every other call the kernel holds rules or
 *       a kill mark for ended meanwhile: released once its processes are gone,
 *       and, at the next "attach" of S's root, taken out of the active sets.
 *       "sandbox" (the shim's policy now) then goes in as "policy_reload"'s
 *       does: at once, or once the running calls end. Refused when the
 *       kernel lost S's server-level rules but "sandbox" has some. -> ack as register's, with "resumed": true, and the cgroup fd.
 *       Audited as "server_resume" {server_id, name, owner_pid, owner_uid,
 *       calls}. A shim refused while calls run kills its server and starts it
 *       again, registered afresh.
 *   {"op":"attach","server_id":S,"pid":N}
 *       Owner only. N must be a child of the peer (/proc/N/stat ppid); any
 *       other pid is refused ("not a child of the caller"). N becomes S's root
 *       process: the one whose active calls "call_start" sets. -> ack with
 *       "server_id". A shim that restarts the server attaches the new child.
 *       The daemon also moves N into the server's cgroup (a no-op when it was
 *       cloned there): a non-root shim may not clone3 into the daemon's
 *       cgroup (the kernel wants write access to cgroup.procs of the common
 *       ancestor), so it starts the child blocked (e.g. on a pipe), attaches
 *       it, and releases it after the ack: just as race-free.
 *   {"op":"register","name":NAME,"pid":N}
 *       Older path, kept for peers without cgroup v2: N must be a child of the
 *       peer; tracked like "track" (events before this request are not
 *       attributed), the peer is the owner; no cgroup. -> ack with "server_id".
 *   {"op":"call_start","server_id":S,"call":C}
 *   {"op":"call_end","server_id":S,"call":C}
 *       Owner (while its connection is open) or root only. Adds/removes call
 *       C (1..2^53) in the active-call set of S's root process (at most
 *       EV_MAX_CALLS at once: the shim holds further calls until one ends),
 *       and of every process of the server's own, as the kernel's lineage map
 *       has them (so call_start's ack waits for no record in the ring buffer);
 *       processes forked while a call is active carry it in "calls". The
 *       shim forwards a call only after the ack, so attribution is exact, and
 *       waits for an ack `mcpwarden run --daemon-timeout` (10 s by default).
 *       Error before "attach".
 *       call_start of a call the server holds (running, or ended with processes
 *       left under its rules) is refused: a call starts once, and the rule set
 *       it runs under is never swapped. -> ack
 *       Both may carry the shim's own facts, copied into the audit log as they
 *       are: call_start "tool", "args_sha256" ("args" when the policy keeps
 *       them), "decision"; call_end "outcome", "is_error", "duration_ms".
 *       call_start "sandbox": the tool's sandbox block, in force (for the
 *       server process and every process forked during the call, until the
 *       last of them exits) before the ack. call_end's ack carries
 *       "violations": [{"rule","what"}], what the sandbox stopped during the
 *       call (the daemon first handles the ring buffer's records up to where
 *       the kernel was when call_end came, not those sent meanwhile).
 *   {"op":"kill_call","server_id":S,"call":C,"rule":R,"reason":W}
 *       Owner or root: SIGKILLs (pidfd, checked against the lineage map)
 *       every process carrying C but the server process, sweeping again until
 *       a sweep finds nothing new; past 50 ms of signals the daemon's next ticks
 *       kill the rest (the record's reason says so). Audited as "kill". -> ack
 *   {"op":"kill_server","server_id":S,"rule":R,"reason":W}
 *       Owner or root: cgroup.kill on the server's cgroup. Audited as "kill". -> ack
 *   {"op":"call_denied","server_id":S,"tool":T,"args_sha256":H,"rule":R,"reason":W}
 *       Owner or root only: a call the shim's policy refused, for the audit log. -> ack
 *   {"op":"policy_reload","server_id":S,"file":F,"trigger":T,"ok":BOOL[,"error":E][,"sandbox":{...}]}
 *       Owner or root only: the shim reloaded (or failed to reload) its policy.
 *       On success the server-level rules become "sandbox" (none when absent),
 *       checked at once. Every process of a running call answers to them too,
 *       so while a call of S runs they wait (the ack carries "deferred": true)
 *       and go in when the last running call ends. -> ack
 *   {"op":"subscribe","follow":BOOL}
 *       -> ack, then the recent events kept by the daemon that the peer may
 *       see, one per message (the event objects, which all have "type"); then
 *       {"op":"end"} and the daemon closes, unless follow is true: then live
 *       events (those it may see) keep coming.
 *       Besides sensor events, the stream carries the daemon's own: "deny"
 *       and "kill" (what the sandbox stopped or killed), "unpoliced_server",
 *       and {"type":"lost_events","source":"ring_buffer","ts":NS,
 *       "counts":{TYPE:n,...},"total":n} whenever the kernel dropped records
 *       since the last such event (per-type counts of this interval; "status"
 *       has the totals). A follower whose queue overflowed gets
 *       {"type":"lost_events","source":"subscriber","ts":NS,"total":n} before
 *       its next message: the messages it missed.
 *       Live events arrive in batches, at most ~100 ms late (the daemon is
 *       woken per 256 KiB of records or by its timer).
 */

#define CTL_DEFAULT_SOCKET	"/run/mcpwarden/control.sock"
#define CTL_MSG_MAX		65536
#define CTL_GROUP		"mcpwarden"	/* the socket file's group, when the host has it */
#define CTL_READ_RATE		10		/* status, ps and subscribe a second, per policed server or uid */
#define CTL_READ_BURST		20		/* ... and at once */

#endif
