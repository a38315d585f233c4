/* kinds.h: the kinds of audit records, the "kind" of every line the shim's decision log and the daemon's audit log hold. */
#ifndef MCPWARDEN_AUDIT_KINDS_H
#define MCPWARDEN_AUDIT_KINDS_H

enum audit_kind {
	/* The shim's decision log (--audit FILE). */
	AUDIT_DECISION,		/* a tools/call decided: allow or deny, with the rule */
	AUDIT_REFUSED,		/* a line refused before any policy: bad JSON, a tools/call notification, ... */
	AUDIT_SERVER_STDOUT,	/* a server stdout line that is not JSON */
	AUDIT_SERVER_KILL,	/* a server stuck after a timeout, killed */
	AUDIT_SERVER_RESPAWN,	/* ...and started again */
	AUDIT_UNSANDBOXED,	/* --allow-unsandboxed: the policy's sandbox rules run without a daemon, not enforced */
	/* Both logs. */
	AUDIT_CALL_END,		/* a call's outcome */
	AUDIT_POLICY_RELOAD,	/* the shim reloaded its policy, or failed to */
	/* The daemon's audit log (--audit-dir). */
	AUDIT_DAEMON_START,
	AUDIT_DAEMON_STOP,
	AUDIT_RECOVERED,	/* what a start found after a crash: a torn tail cut off, a head file missing or ahead */
	AUDIT_SEAL,		/* a seal of the chain so far (audit/seal.h) */
	AUDIT_SEAL_FAILED,	/* sealing stopped: its key file could not be written (audit/sealer.h) */
	AUDIT_SERVER_START,	/* a shim registered a server */
	AUDIT_SERVER_ATTACH,	/* ...and attached its root process */
	AUDIT_SERVER_EXIT,	/* the root process exited */
	AUDIT_CALL_START,	/* a call the shim forwarded */
	AUDIT_CALL_DENIED,	/* a call the shim's policy refused */
	AUDIT_DENY,		/* a sandbox rule stopped an exec, a connect, a send or a fork */
	AUDIT_KILL,		/* the daemon killed a call's processes or a server's cgroup */
	AUDIT_LOST_EVENTS,	/* kernel records dropped */
	AUDIT_UNPOLICED_SERVER,	/* an MCP server running without a shim */
	AUDIT_PEER_REFUSED,	/* a control message refused for its sender: not the peer that connected */
	AUDIT_ADOPTED,		/* a daemon took over the pinned BPF state the previous one left, and the gap between them */
	AUDIT_UPGRADE,		/* ...or replaced an older generation of it, once its own was attached */
	AUDIT_SERVER_RESUME,	/* a shim whose daemon restarted took its server back, with its running calls */
	AUDIT_SYSLOG_LOST,	/* records --syslog could not send (queue full, collector away), by seq */
	/* Sensor events of policed servers' processes (daemon/sensor/event_json.h maps event types here). */
	AUDIT_EXEC,
	AUDIT_FORK,
	AUDIT_EXIT,
	AUDIT_NET,
	AUDIT_SOCK_STATE,
	AUDIT_SEED,
	AUDIT_MCP_STDOUT,
	AUDIT_KIND_COUNT,
};

/* The name a record of kind k carries in "kind" ("call_end"); NULL when k is out of range. */
const char *audit_kind_name(enum audit_kind k);
/* The kind named `name` (exact match): 0 with *k set, or -1 when no kind has that name (or name is NULL). */
int audit_kind_parse(const char *name, enum audit_kind *k);

#endif
