/* denials.c: a sandbox denial from the kernel: named after its policy rule, described, published and audited, then handed to its calls. */
#include <stdio.h>
#include <sys/socket.h>

#include "common/log.h"
#include "common/printable.h"
#include "daemon/calls/call.h"
#include "daemon/calls/denials.h"
#include "daemon/calls/kill.h"
#include "daemon/report/publish.h"
#include "daemon/sensor/event_json.h"

/* "sandbox.exec.allow" for the server's rule set, "tools.NAME.sandbox.network.egress" for a tool's. */
static void rule_name(char *out, size_t size, const struct active_call *c, const struct ev_deny *e)
{
	if (e->call && c)
		snprintf(out, size, "tools.%s.sandbox.%s", c->tool, deny_rule_name(e->rule));
	else
		snprintf(out, size, "sandbox.%s", deny_rule_name(e->rule));
}

/* One line for the client: what was stopped, and how. */
static void describe(char *out, size_t size, const cJSON *o, const struct ev_deny *e)
{
	const cJSON *exe = cJSON_GetObjectItemCaseSensitive(o, "exe"), *addr = cJSON_GetObjectItemCaseSensitive(o, "addr");
	const cJSON *proto = cJSON_GetObjectItemCaseSensitive(o, "protocol");
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(o, "path");
	char name[EV_FILENAME_LEN + 1];	/* a file or socket name the process chose: no control bytes in the log */

	printable(cJSON_IsString(exe) ? exe->valuestring : cJSON_IsString(path) ? path->valuestring : "?", name,
		  sizeof(name));
	switch (e->op) {
	case DENY_EXEC:
		snprintf(out, size, "exec of %s %s", name, e->lsm ? "refused (EPERM)" :
			 e->flags & DENY_F_DAEMON_KILL ? "killed by the daemon (the kernel's kill failed: the new image "
			 "may have run briefly)" : "killed before it ran");
		break;
	case DENY_CONNECT:
	case DENY_SENDMSG:
		if (e->rule == DR_UNIX_FILE) {
			snprintf(out, size, "connect reached unix socket %s, which the rules don't let it reach by that "
				 "name: %s", name, e->flags & DENY_F_DAEMON_KILL ? "killed by the daemon (the kernel's "
				 "kill failed)" : "killed when it returned");
			break;
		}
		if (e->addr.family == AF_UNIX) {
			snprintf(out, size, "%s to unix socket %s refused (EPERM)", e->op == DENY_CONNECT ? "connect" : "send",
				 name);
			break;
		}
		snprintf(out, size, "%s to %s port %u (%s) refused (EPERM)", e->op == DENY_CONNECT ? "connect" : "send",
			 cJSON_IsString(addr) ? addr->valuestring : "?", e->addr.port,
			 cJSON_IsString(proto) ? proto->valuestring : "?");
		break;
	case DENY_FORK: {
		const char *how = e->flags & DENY_F_DAEMON_KILL ? "killed by the daemon (the kernel could not stop it "
			"before it ran)" : "killed before it ran";	/* or its kill failed (kernel_kills_failed) */

		if (e->rule == DR_LINEAGE_LOST)
			snprintf(out, size, "a new %s could not carry all its calls (more than %d, or the lineage map "
				 "is full): %s%s", e->h.pid == e->h.tid ? "process" : "thread", EV_MAX_CALLS, how,
				 e->h.pid == e->h.tid ? "" : ", and its process with it");
		else if (e->rule == DR_LINEAGE_BUDGET)
			snprintf(out, size, "its server has spent its room in the lineage map (its reserve, and the "
				 "pool servers share): %s", e->lsm ? "the fork was refused (EAGAIN)" : how);
		else if (e->lsm)
			snprintf(out, size, "%u processes already: the fork was refused (EAGAIN)", e->limit);
		else
			snprintf(out, size, "more than %u processes: the new one was %s", e->limit, how);
		break;
	}
	case DENY_PTRACE:
		snprintf(out, size, "reaching into process %u, which does not carry this call (ptrace, /proc/PID/mem, "
			 "fd, environ, process_vm_*, pidfd_getfd), refused (EPERM)", e->limit);
		break;
	default:
		snprintf(out, size, "unknown denial %u", e->op);
	}
}

void denials_handle(struct daemon *d, const struct ev_deny *e)
{
	struct server *s = servers_find(d->servers, e->h.server_id);
	struct active_call *owner = s && e->call ? active_call_find(s->calls, e->call) : NULL;
	cJSON *o = event_json(&e->h);
	char rule[200], what[400];

	if (!o) {
		log_warnx("deny event of pid %u: out of memory", e->h.pid);
		return;
	}
	rule_name(rule, sizeof(rule), owner, e);
	describe(what, sizeof(what), o, e);
	cJSON_AddStringToObject(o, "rule", rule);
	cJSON_AddStringToObject(o, "what", what);
	if (owner)
		cJSON_AddStringToObject(o, "tool", owner->tool);
	log_warnx("server %u pid %u (%s): %s: %s", e->h.server_id, e->h.pid, e->h.comm, rule, what);
	if (e->flags & DENY_F_DAEMON_KILL)
		kill_denied(d, e->h.pid, e->h.start_time, e->op == DENY_FORK);
	/* Publishing may drop a follower that stopped reading, and with it forget its servers: the
	 * calls are told first, while `s` is sure to live. */
	if (s)
		call_denied(d, s, &e->h, rule, what, e->op == DENY_FORK && e->rule == DR_MAX_PROCESSES && !e->lsm);
	publish_event(d, AUDIT_DENY, o, e->h.server_id, e->h.uid);
}
