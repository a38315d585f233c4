/* kinds.c: the one table of audit record kinds and their names. */
#include "audit/kinds.h"
#include "common/names.h"

static const char *const names[AUDIT_KIND_COUNT] = {
	[AUDIT_DECISION] = "decision",
	[AUDIT_REFUSED] = "refused",
	[AUDIT_SERVER_STDOUT] = "server_stdout",
	[AUDIT_SERVER_KILL] = "server_kill",
	[AUDIT_SERVER_RESPAWN] = "server_respawn",
	[AUDIT_UNSANDBOXED] = "unsandboxed",
	[AUDIT_CALL_END] = "call_end",
	[AUDIT_POLICY_RELOAD] = "policy_reload",
	[AUDIT_DAEMON_START] = "daemon_start",
	[AUDIT_DAEMON_STOP] = "daemon_stop",
	[AUDIT_RECOVERED] = "recovered",
	[AUDIT_SEAL] = "seal",
	[AUDIT_SEAL_FAILED] = "seal_failed",
	[AUDIT_SERVER_START] = "server_start",
	[AUDIT_SERVER_ATTACH] = "server_attach",
	[AUDIT_SERVER_EXIT] = "server_exit",
	[AUDIT_CALL_START] = "call_start",
	[AUDIT_CALL_DENIED] = "call_denied",
	[AUDIT_DENY] = "deny",
	[AUDIT_KILL] = "kill",
	[AUDIT_LOST_EVENTS] = "lost_events",
	[AUDIT_UNPOLICED_SERVER] = "unpoliced_server",
	[AUDIT_PEER_REFUSED] = "peer_refused",
	[AUDIT_ADOPTED] = "adopted",
	[AUDIT_UPGRADE] = "upgrade",
	[AUDIT_SERVER_RESUME] = "server_resume",
	[AUDIT_SYSLOG_LOST] = "syslog_lost",
	[AUDIT_EXEC] = "exec",
	[AUDIT_FORK] = "fork",
	[AUDIT_EXIT] = "exit",
	[AUDIT_NET] = "net",
	[AUDIT_SOCK_STATE] = "sock_state",
	[AUDIT_SEED] = "seed",
	[AUDIT_MCP_STDOUT] = "mcp_stdout",
};

const char *audit_kind_name(enum audit_kind k)
{
	return name_at(names, AUDIT_KIND_COUNT, (unsigned)k, NULL);
}

int audit_kind_parse(const char *name, enum audit_kind *k)
{
	int i = name_index(names, 0, AUDIT_KIND_COUNT, name);

	if (i < 0)
		return -1;
	*k = (enum audit_kind)i;
	return 0;
}
