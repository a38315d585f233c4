/* call_requests.c: a shim's requests about its server: a call's start and end, kills, and facts to audit; each checked against the server's owner. */
#include <stdio.h>

#include "daemon/calls/call.h"
#include "daemon/calls/kill.h"
#include "daemon/calls/server_rules.h"
#include "daemon/control/call_requests.h"
#include "daemon/control/fields.h"
#include "daemon/control/reply.h"
#include "daemon/report/audit_sink.h"

/* The server a request names, when the peer may speak for it (its owner while connected, or root);
 * else NULL with the error in msg. */
static struct server *owned_server(struct daemon *d, const struct ctl_client *c, const cJSON *req, char *msg,
				   size_t size)
{
	uint64_t sid;
	struct server *s;

	if (!fields_uint(req, "server_id", 1, UINT32_MAX, &sid) || !(s = servers_find(d->servers, sid))) {
		snprintf(msg, size, "unknown server_id");
		return NULL;
	}
	if (c->uid != 0 && (s->owner != c->pid || s->owner_gone)) {
		snprintf(msg, size, "server %u belongs to another peer", s->id);
		return NULL;
	}
	return s;
}

int call_requests_call(struct daemon *d, struct ctl_client *c, const cJSON *req, enum ctl_op op)
{
	struct server *s;
	uint64_t call;
	char msg[256];
	cJSON *violations;

	if (!(s = owned_server(d, c, req, msg, sizeof(msg))))
		return reply_refuse(d, c, req, op, "%s", msg);
	if (!fields_uint(req, "call", 1, 1ull << 53, &call))
		return reply_refuse(d, c, req, op, "field 'call' must be a positive integer");
	if (op == CTL_OP_CALL_START)
		return call_start(d, s->id, call, req, msg, sizeof(msg)) ? reply_refuse(d, c, req, op, "%s", msg) :
			reply(d, c, req, NULL, NULL);
	if (call_end(d, s->id, call, req, &violations, msg, sizeof(msg)))
		return reply_refuse(d, c, req, op, "%s", msg);
	/* No violations: the server went while the ring was drained (or out of memory). */
	return violations ? reply_with(d, c, req, "violations", violations) : reply(d, c, req, NULL, NULL);
}

int call_requests_kill(struct daemon *d, struct ctl_client *c, const cJSON *req, enum ctl_op op)
{
	const char *rule = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "rule"));
	const char *reason = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "reason"));
	struct server *s;
	uint64_t call;
	char msg[128];

	if (!(s = owned_server(d, c, req, msg, sizeof(msg))))
		return reply_refuse(d, c, req, op, "%s", msg);
	if (!rule || !reason)
		return reply_refuse(d, c, req, op, "fields 'rule' and 'reason' must be strings");
	if (op == CTL_OP_KILL_SERVER) {
		if (kill_server(d, s, rule, reason))
			return reply_refuse(d, c, req, op, "the server has no cgroup, or cgroup.kill failed");
		return reply(d, c, req, NULL, NULL);
	}
	if (!fields_uint(req, "call", 1, 1ull << 53, &call))
		return reply_refuse(d, c, req, op, "field 'call' must be a positive integer");
	kill_call(d, s, call, rule, reason);
	return reply(d, c, req, NULL, NULL);
}

/* A fact only the shim knows (a refused call, a policy reload): audited as sent. */
int call_requests_report(struct daemon *d, struct ctl_client *c, const cJSON *req, enum ctl_op op)
{
	const cJSON *sandbox = cJSON_GetObjectItemCaseSensitive(req, "sandbox");
	bool reload = op == CTL_OP_POLICY_RELOAD;
	char msg[128], err[200];
	struct server *s = owned_server(d, c, req, msg, sizeof(msg));

	if (!s)
		return reply_refuse(d, c, req, op, "%s", msg);
	audit_sink_report(d, reload ? AUDIT_POLICY_RELOAD : AUDIT_CALL_DENIED, req);
	if (!reload || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "ok")))
		return reply(d, c, req, NULL, NULL);
	/* A reloaded policy brings its server-level sandbox, or none; while calls run, they wait. */
	switch (server_rules_replace(d, s, sandbox, err, sizeof(err))) {
	case 0: return reply(d, c, req, NULL, NULL);
	case 1: return reply_with(d, c, req, "deferred", cJSON_CreateTrue());
	default: return reply_refuse(d, c, req, op, "sandbox: %s", err);
	}
}
