/* requests.c: serves control socket requests (include/control.h): status, track, register, attach, calls, subscribe. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "audit/kinds.h"
#include "common/ctl_proto.h"
#include "common/log.h"
#include "daemon/servers/cgroups.h"
#include "daemon/daemon.h"
#include "daemon/servers/procfs.h"

/* Sends an ack (body may add fields) or, when `error` is set, an error; echoes the request's id.
 * With `fd` >= 0 the ack carries it (SCM_RIGHTS). */
static int reply_fd(struct daemon *d, struct ctl_client *c, const cJSON *req, cJSON *body, const char *error,
		    int fd)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
	cJSON *o = ctl_message_with(error ? CTL_OP_ERROR : CTL_OP_ACK, body ? body : cJSON_CreateObject());
	char *text;

	if (!o)
		return fd >= 0 ? ctl_client_send_fd(&d->ctl, c, NULL, fd) : ctl_client_send(&d->ctl, c, NULL);
	if (id)
		cJSON_AddItemToObject(o, "id", cJSON_Duplicate(id, true));
	cJSON_AddBoolToObject(o, "ok", !error);
	if (error)
		cJSON_AddStringToObject(o, "error", error);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return fd >= 0 ? ctl_client_send_fd(&d->ctl, c, text, fd) : ctl_client_send(&d->ctl, c, text);
}

static int reply(struct daemon *d, struct ctl_client *c, const cJSON *req, cJSON *body, const char *error)
{
	return reply_fd(d, c, req, body, error, -1);
}

/* Sends an error reply whose text is "OP: " and then fmt's. */
__attribute__((format(printf, 5, 6)))
static int refuse(struct daemon *d, struct ctl_client *c, const cJSON *req, enum ctl_op op, const char *fmt, ...)
{
	char msg[400];
	int n = snprintf(msg, sizeof(msg), "%s: ", ctl_op_name(op));
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	return reply(d, c, req, NULL, msg);
}

/* Audits a server's registration or attach, naming the peer that asked. */
static void audit_server(struct daemon *d, enum audit_kind kind, uint32_t id, const char *name,
			 const struct ctl_client *c, pid_t pid)
{
	cJSON *rec = cJSON_CreateObject();
	struct server *s = servers_find(d->servers, id);

	cJSON_AddNumberToObject(rec, "server_id", id);
	cJSON_AddStringToObject(rec, "name", name);
	cJSON_AddNumberToObject(rec, "owner_pid", c->pid);
	cJSON_AddNumberToObject(rec, "owner_uid", c->uid);
	if (pid)
		cJSON_AddNumberToObject(rec, "pid", pid);
	if (s && s->cgroup[0])
		cJSON_AddStringToObject(rec, "cgroup", s->cgroup);
	daemon_audit(d, kind, rec);
}

/* Audits a shim's report: its fields (tool, args_sha256, decision, outcome, ...) as sent. */
static void audit_call(struct daemon *d, enum audit_kind kind, const cJSON *req)
{
	cJSON *rec = cJSON_Duplicate(req, true);

	cJSON_DeleteItemFromObjectCaseSensitive(rec, "op");
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "id");
	daemon_audit(d, kind, rec);
}

static int do_status(struct daemon *d, struct ctl_client *c, const cJSON *req)
{
	cJSON *body = cJSON_CreateObject(), *st = daemon_status_json(d);

	if (!body || !st) {
		cJSON_Delete(body);
		cJSON_Delete(st);
		return reply(d, c, req, NULL, "out of memory");
	}
	cJSON_AddItemToObject(body, "status", st);
	return reply(d, c, req, body, NULL);
}

static int do_ps(struct daemon *d, struct ctl_client *c, const cJSON *req)
{
	cJSON *body = cJSON_CreateObject(), *ps = daemon_ps_json(d);

	if (!body || !ps) {
		cJSON_Delete(body);
		cJSON_Delete(ps);
		return reply(d, c, req, NULL, "out of memory");
	}
	cJSON_AddItemToObject(body, "ps", ps);
	return reply(d, c, req, body, NULL);
}

/* Reads an integer field in [min, max]; JSON numbers are doubles, so ids stay below 2^53. */
static bool get_uint(const cJSON *req, const char *key, double min, double max, uint64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);

	if (!cJSON_IsNumber(v) || v->valuedouble < min || v->valuedouble > max ||
	    v->valuedouble != (double)(uint64_t)v->valuedouble)
		return false;
	*out = (uint64_t)v->valuedouble;
	return true;
}

/* Acks with the server id, or reports why tracking failed, prefixed with the op. */
static int reply_server(struct daemon *d, struct ctl_client *c, const cJSON *req, enum ctl_op op,
			uint32_t id, const char *why)
{
	cJSON *body;

	if (!id)
		return refuse(d, c, req, op, "%s", why);
	body = cJSON_CreateObject();
	if (body)
		cJSON_AddNumberToObject(body, "server_id", id);
	return reply(d, c, req, body, body ? NULL : "out of memory");
}

/* Admin path (uid 0 peers): any process becomes a server root. */
static int do_track(struct daemon *d, struct ctl_client *c, const cJSON *req)
{
	const cJSON *sandbox = cJSON_GetObjectItemCaseSensitive(req, "sandbox");
	const char *why = NULL;
	uint64_t pid, sid = 0;
	uint32_t id;
	char err[200];

	if (c->uid != 0)
		return refuse(d, c, req, CTL_OP_TRACK, "only root may track arbitrary processes; use %s",
			      ctl_op_name(CTL_OP_REGISTER));
	if (!get_uint(req, "pid", 1, INT_MAX, &pid))
		return refuse(d, c, req, CTL_OP_TRACK, "field 'pid' must be a positive integer");
	if (cJSON_HasObjectItem(req, "server_id") && !get_uint(req, "server_id", 0, UINT32_MAX, &sid))
		return refuse(d, c, req, CTL_OP_TRACK, "field 'server_id' must be an integer >= 0");
	id = daemon_track(d, pid, sid, 0, NULL, &why);
	if (id)
		log_warnx("peer pid %d uid %u: tracking pid %d as server %u", c->pid, c->uid, (int)pid, id);
	/* An admin may put a process it did not start under a sandbox too. */
	if (id && sandbox && daemon_rules_set(d, servers_find(d->servers, id), NULL, sandbox, err, sizeof(err)))
		return refuse(d, c, req, CTL_OP_TRACK, "sandbox: %s", err);
	return reply_server(d, c, req, CTL_OP_TRACK, id, why);
}

/* Checks that `pid` is a child of the peer; NULL, or the error text in msg. */
static const char *check_child(const struct ctl_client *c, uint64_t pid, char *msg, size_t size)
{
	pid_t ppid;

	if (procfs_ppid(pid, &ppid))
		snprintf(msg, size, "no such live process %d (or a thread id)", (int)pid);
	else if (ppid != c->pid)
		snprintf(msg, size, "pid %d is not a child of the caller (pid %d); its parent is %d",
			 (int)pid, c->pid, ppid);
	else
		return NULL;
	return msg;
}

/* Shim path, old style: a peer registers its own running child as a server. */
static int register_pid(struct daemon *d, struct ctl_client *c, const cJSON *req, const char *name)
{
	const char *why = NULL;
	char msg[160];
	uint64_t pid;
	uint32_t id;

	if (!get_uint(req, "pid", 1, INT_MAX, &pid))
		return refuse(d, c, req, CTL_OP_REGISTER, "field 'pid' must be a positive integer");
	if (check_child(c, pid, msg, sizeof(msg)))
		return refuse(d, c, req, CTL_OP_REGISTER, "%s", msg);
	id = daemon_track(d, pid, 0, c->pid, name, &why);
	if (id) {
		c->owner = true;
		log_warnx("peer pid %d uid %u: registered server '%s' pid %d as %u", c->pid, c->uid, name,
			  (int)pid, id);
	}
	return reply_server(d, c, req, CTL_OP_REGISTER, id, why);
}

/* Shim path: without "pid", the server gets a cgroup whose fd goes back with the ack; the shim starts the
 * server inside it (clone3 CLONE_INTO_CGROUP), then attaches it. */
static int do_register(struct daemon *d, struct ctl_client *c, const cJSON *req)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(req, "name");
	const cJSON *sandbox = cJSON_GetObjectItemCaseSensitive(req, "sandbox");
	const char *why = NULL;
	struct server *s;
	char err[200];
	cJSON *body;
	uint32_t id;
	int fd, r;

	if (!cJSON_IsString(name))
		return refuse(d, c, req, CTL_OP_REGISTER, "field 'name' must be a string");
	if (cJSON_HasObjectItem(req, "pid"))
		return register_pid(d, c, req, name->valuestring);
	id = daemon_register(d, c->pid, c->uid, name->valuestring, &fd, &why);
	if (!id)
		return refuse(d, c, req, CTL_OP_REGISTER, "%s", why);
	c->owner = true;
	s = servers_find(d->servers, id);
	/* Server-level rules are in force before the server's first instruction. */
	if (sandbox && daemon_rules_set(d, s, NULL, sandbox, err, sizeof(err))) {
		close(fd);
		return refuse(d, c, req, CTL_OP_REGISTER, "sandbox: %s", err);
	}
	log_warnx("peer pid %d uid %u: registered server '%s' as %u, cgroup %s%s", c->pid, c->uid,
		  name->valuestring, id, s->cgroup, sandbox ? ", with sandbox rules" : "");
	audit_server(d, AUDIT_SERVER_START, id, name->valuestring, c, 0);
	body = cJSON_CreateObject();
	if (body) {
		cJSON_AddNumberToObject(body, "server_id", id);
		cJSON_AddStringToObject(body, "cgroup", s->cgroup);
	}
	r = reply_fd(d, c, req, body, body ? NULL : "out of memory", fd);
	close(fd);
	return r;
}

/* The registering peer names the child it started (in the server's cgroup) as the server's root. */
static int do_attach(struct daemon *d, struct ctl_client *c, const cJSON *req)
{
	const char *why = NULL;
	uint64_t sid, pid;
	struct server *s;
	char msg[160];
	uint32_t id;

	if (!get_uint(req, "server_id", 1, UINT32_MAX, &sid) || !get_uint(req, "pid", 1, INT_MAX, &pid))
		return refuse(d, c, req, CTL_OP_ATTACH, "fields 'server_id' and 'pid' must be positive integers");
	s = servers_find(d->servers, sid);
	if (!s)
		return refuse(d, c, req, CTL_OP_ATTACH, "unknown server_id");
	if (s->owner != c->pid || s->owner_gone)
		return refuse(d, c, req, CTL_OP_ATTACH, "server %u belongs to another peer", (unsigned)sid);
	if (check_child(c, pid, msg, sizeof(msg))) {
		log_warnx("peer pid %d uid %u: refused %s: %s", c->pid, c->uid, ctl_op_name(CTL_OP_ATTACH), msg);
		return refuse(d, c, req, CTL_OP_ATTACH, "%s", msg);
	}
	/* A shim that could not clone into the cgroup (not root) attaches a child that waits: move it in. */
	if (s->cgroup[0] && cgroups_move(s->cgroup, pid))
		return refuse(d, c, req, CTL_OP_ATTACH, "cannot move the process into the server's cgroup");
	id = daemon_track(d, pid, sid, c->pid, NULL, &why);
	if (id) {
		log_warnx("peer pid %d uid %u: attached pid %d to server %u '%s'", c->pid, c->uid, (int)pid, id,
			  s->name);
		audit_server(d, AUDIT_SERVER_ATTACH, id, s->name, c, (pid_t)pid);
	}
	return reply_server(d, c, req, CTL_OP_ATTACH, id, why);
}

/* The server a call report names, when the peer may speak for it (its owner while connected, or root);
 * else NULL with the error in msg. */
static struct server *owned_server(struct daemon *d, const struct ctl_client *c, const cJSON *req, char *msg,
				   size_t size)
{
	uint64_t sid;
	struct server *s;

	if (!get_uint(req, "server_id", 1, UINT32_MAX, &sid) || !(s = servers_find(d->servers, sid))) {
		snprintf(msg, size, "unknown server_id");
		return NULL;
	}
	if (c->uid != 0 && (s->owner != c->pid || s->owner_gone)) {
		snprintf(msg, size, "server %u belongs to another peer", s->id);
		return NULL;
	}
	return s;
}

/* Handles every record already in the ring buffer, then finds server `sid` again: one of the records
 * (its root's exit) may have made the daemon forget it. */
static struct server *drained(struct daemon *d, uint32_t sid)
{
	daemon_consume(d);
	return servers_find(d->servers, sid);
}

/* call_start: the call's rule set (if its tool has one) goes in before the call joins the server's active set. */
static int call_start(struct daemon *d, struct ctl_client *c, const cJSON *req, struct server *s, uint64_t call)
{
	const cJSON *tool = cJSON_GetObjectItemCaseSensitive(req, "tool");
	const cJSON *sandbox = cJSON_GetObjectItemCaseSensitive(req, "sandbox");
	uint32_t sid = s->id;
	struct active_call *ac;
	const char *why;
	char err[200];

	s = drained(d, sid);	/* so the server's own processes, forked lately, are in the table */
	if (!s)
		return refuse(d, c, req, CTL_OP_CALL_START, "the server is gone");
	ac = active_call_add(&s->calls, call, cJSON_GetStringValue(tool));
	if (!ac)
		return refuse(d, c, req, CTL_OP_CALL_START, "out of memory");
	if (sandbox && daemon_rules_set(d, s, ac, sandbox, err, sizeof(err))) {
		active_call_remove(&s->calls, ac);
		return refuse(d, c, req, CTL_OP_CALL_START, "sandbox: %s", err);
	}
	if (daemon_call(d, s->id, call, true, &why)) {
		cJSON_Delete(daemon_call_ended(d, s, call));
		return refuse(d, c, req, CTL_OP_CALL_START, "%s", why);
	}
	audit_call(d, AUDIT_CALL_START, req);
	return reply(d, c, req, NULL, NULL);
}

/* call_end: after every record already in the ring buffer is handled, the ack carries the call's violations. */
static int call_end(struct daemon *d, struct ctl_client *c, const cJSON *req, struct server *s, uint64_t call)
{
	uint32_t sid = s->id;
	const char *why;
	cJSON *body;

	s = drained(d, sid);	/* so the violations of the call are all noted */
	if (!s)
		return reply(d, c, req, NULL, NULL);
	if (daemon_call(d, s->id, call, false, &why))
		return refuse(d, c, req, CTL_OP_CALL_END, "%s", why);
	audit_call(d, AUDIT_CALL_END, req);
	body = cJSON_CreateObject();
	if (body)
		cJSON_AddItemToObject(body, "violations", daemon_call_ended(d, s, call));
	return reply(d, c, req, body, body ? NULL : "out of memory");
}

static int do_call(struct daemon *d, struct ctl_client *c, const cJSON *req, enum ctl_op op)
{
	struct server *s;
	uint64_t call;
	char msg[128];

	if (!(s = owned_server(d, c, req, msg, sizeof(msg))))
		return refuse(d, c, req, op, "%s", msg);
	if (!get_uint(req, "call", 1, 1ull << 53, &call))
		return refuse(d, c, req, op, "field 'call' must be a positive integer");
	return op == CTL_OP_CALL_START ? call_start(d, c, req, s, call) : call_end(d, c, req, s, call);
}

/* kill_call / kill_server: the shim's deadline passed, or the server stopped answering. */
static int do_kill(struct daemon *d, struct ctl_client *c, const cJSON *req, enum ctl_op op)
{
	const char *rule = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "rule"));
	const char *reason = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "reason"));
	struct server *s;
	uint64_t call;
	char msg[128];

	if (!(s = owned_server(d, c, req, msg, sizeof(msg))))
		return refuse(d, c, req, op, "%s", msg);
	if (!rule || !reason)
		return refuse(d, c, req, op, "fields 'rule' and 'reason' must be strings");
	if (op == CTL_OP_KILL_SERVER) {
		if (daemon_kill_server(d, s, rule, reason))
			return refuse(d, c, req, op, "the server has no cgroup, or cgroup.kill failed");
		return reply(d, c, req, NULL, NULL);
	}
	if (!get_uint(req, "call", 1, 1ull << 53, &call))
		return refuse(d, c, req, op, "field 'call' must be a positive integer");
	daemon_kill_call(d, s, call, rule, reason);
	return reply(d, c, req, NULL, NULL);
}

/* A fact only the shim knows (a refused call, a policy reload): audited as sent. */
static int do_shim_record(struct daemon *d, struct ctl_client *c, const cJSON *req, enum ctl_op op)
{
	const cJSON *sandbox = cJSON_GetObjectItemCaseSensitive(req, "sandbox");
	bool reload = op == CTL_OP_POLICY_RELOAD;
	char msg[128], err[200];
	struct server *s = owned_server(d, c, req, msg, sizeof(msg));

	if (!s)
		return refuse(d, c, req, op, "%s", msg);
	audit_call(d, reload ? AUDIT_POLICY_RELOAD : AUDIT_CALL_DENIED, req);
	/* A reloaded policy brings its server-level sandbox, or none. */
	if (reload && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "ok"))) {
		if (sandbox && daemon_rules_set(d, s, NULL, sandbox, err, sizeof(err)))
			return refuse(d, c, req, op, "sandbox: %s", err);
		if (!sandbox)
			daemon_rules_clear(d, s);
	}
	return reply(d, c, req, NULL, NULL);
}

static int do_subscribe(struct daemon *d, struct ctl_client *c, const cJSON *req)
{
	const cJSON *follow = cJSON_GetObjectItemCaseSensitive(req, "follow");
	cJSON *end;
	char *text;

	if (follow && !cJSON_IsBool(follow))
		return refuse(d, c, req, CTL_OP_SUBSCRIBE, "field 'follow' must be true or false");
	if (reply(d, c, req, NULL, NULL))
		return -1;
	for (size_t i = 0; i < d->recent.len; i++)
		if (ctl_client_send(&d->ctl, c, recent_json(&d->recent, i)))
			return -1;
	if (cJSON_IsTrue(follow)) {
		c->follow = true;
		d->ctl.nfollow++;
		return 0;
	}
	end = ctl_message(CTL_OP_END);
	text = end ? cJSON_PrintUnformatted(end) : NULL;
	cJSON_Delete(end);
	c->closing = true;
	return ctl_client_send(&d->ctl, c, text);
}

/*
 * A process inside a policed tree may read (status, ps, events) but not steer:
 * otherwise code run by a tool could register a fresh server without rules,
 * start a child in its cgroup, end its own call or kill its neighbours.
 */
static bool policed_peer(struct daemon *d, struct ctl_client *c, enum ctl_op op, char *msg, size_t size)
{
	struct tracked t;

	if (op == CTL_OP_STATUS || op == CTL_OP_PS || op == CTL_OP_SUBSCRIBE)
		return false;
	/* Once policed, always: the process may fork, hand the socket on, and exit. */
	if (!c->policed && !sensor_tracked_get(&d->sensor, c->pid, &t)) {
		c->policed = true;
		log_warnx("peer pid %d uid %u: refused %s: it belongs to server %u", c->pid, c->uid, ctl_op_name(op),
			  t.server_id);
	}
	if (c->policed) {
		snprintf(msg, size, "the caller (pid %d) runs inside a policed server; policed processes may not "
			 "steer the daemon", c->pid);
		return true;
	}
	/* Whoever holds the socket now is not the process that connected, which is what was checked. */
	if (c->pidfd >= 0 && pidfd_send_signal(c->pidfd, 0, NULL, 0) && errno == ESRCH) {
		snprintf(msg, size, "the process that connected (pid %d) is gone; connect again", c->pid);
		return true;
	}
	return false;
}

int daemon_request(struct daemon *d, struct ctl_client *c, const char *msg, size_t len)
{
	cJSON *req = cJSON_ParseWithLength(msg, len);
	enum ctl_op op = ctl_message_op(req);
	char why[200];
	int r;

	if (op == CTL_OP_UNKNOWN)
		r = reply(d, c, req, NULL, cJSON_IsString(cJSON_GetObjectItemCaseSensitive(req, "op")) ?
			  "request: unknown 'op'" : "request: not a JSON object with a string 'op'");
	else if (policed_peer(d, c, op, why, sizeof(why)))
		r = refuse(d, c, req, op, "%s", why);
	else switch (op) {
	case CTL_OP_STATUS: r = do_status(d, c, req); break;
	case CTL_OP_PS: r = do_ps(d, c, req); break;
	case CTL_OP_TRACK: r = do_track(d, c, req); break;
	case CTL_OP_SUBSCRIBE: r = do_subscribe(d, c, req); break;
	case CTL_OP_REGISTER: r = do_register(d, c, req); break;
	case CTL_OP_ATTACH: r = do_attach(d, c, req); break;
	case CTL_OP_CALL_START:
	case CTL_OP_CALL_END: r = do_call(d, c, req, op); break;
	case CTL_OP_KILL_CALL:
	case CTL_OP_KILL_SERVER: r = do_kill(d, c, req, op); break;
	case CTL_OP_CALL_DENIED:
	case CTL_OP_POLICY_RELOAD: r = do_shim_record(d, c, req, op); break;
	default: r = refuse(d, c, req, op, "not a request");	/* ack, error, end: the daemon's own */
	}
	cJSON_Delete(req);
	return r;
}
