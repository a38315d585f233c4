/* server_requests.c: the requests that make servers: track (an admin's), register and attach (a shim's); each audited and logged with its peer. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/calls/call.h"
#include "daemon/calls/server_rules.h"
#include "daemon/control/fields.h"
#include "daemon/control/reply.h"
#include "daemon/control/server_requests.h"
#include "daemon/report/audit_sink.h"
#include "daemon/servers/cgroups.h"
#include "daemon/servers/procfs.h"
#include "daemon/servers/server_cgroups.h"
#include "daemon/servers/track.h"

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
	audit_sink_add(d, kind, rec);
}

/* Acks with the server id, or reports why tracking failed, prefixed with the op. */
static int reply_server(struct daemon *d, struct ctl_client *c, const cJSON *req, enum ctl_op op,
			uint32_t id, const char *why)
{
	cJSON *body;

	if (!id)
		return reply_refuse(d, c, req, op, "%s", why);
	body = cJSON_CreateObject();
	if (body)
		cJSON_AddNumberToObject(body, "server_id", id);
	return reply(d, c, req, body, body ? NULL : "out of memory");
}

/* Admin path (uid 0 peers): any process becomes a server root. */
int server_requests_track(struct daemon *d, struct ctl_client *c, const cJSON *req)
{
	const cJSON *sandbox = cJSON_GetObjectItemCaseSensitive(req, "sandbox");
	char why[200];
	uint64_t pid, sid = 0;
	uint32_t id;
	char err[200];

	if (c->uid != 0)
		return reply_refuse(d, c, req, CTL_OP_TRACK, "only root may track arbitrary processes; use %s",
				    ctl_op_name(CTL_OP_REGISTER));
	if (!fields_uint(req, "pid", 1, INT_MAX, &pid))
		return reply_refuse(d, c, req, CTL_OP_TRACK, "field 'pid' must be a positive integer");
	if (cJSON_HasObjectItem(req, "server_id") && !fields_uint(req, "server_id", 0, UINT32_MAX, &sid))
		return reply_refuse(d, c, req, CTL_OP_TRACK, "field 'server_id' must be an integer >= 0");
	id = track_root(d, pid, sid, 0, NULL, why, sizeof(why));
	if (id)
		log_warnx("peer pid %d uid %u: tracking pid %d as server %u", c->pid, c->uid, (int)pid, id);
	/* An admin may put a process it did not start under a sandbox too. */
	if (id && sandbox && server_rules_replace(d, servers_find(d->servers, id), sandbox, err, sizeof(err)) < 0)
		return reply_refuse(d, c, req, CTL_OP_TRACK, "sandbox: %s", err);
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
	char why[200];
	char msg[160];
	uint64_t pid;
	uint32_t id;

	if (!fields_uint(req, "pid", 1, INT_MAX, &pid))
		return reply_refuse(d, c, req, CTL_OP_REGISTER, "field 'pid' must be a positive integer");
	if (check_child(c, pid, msg, sizeof(msg)))
		return reply_refuse(d, c, req, CTL_OP_REGISTER, "%s", msg);
	id = track_root(d, pid, 0, c->pid, name, why, sizeof(why));
	if (id) {
		servers_find(d->servers, id)->owner_uid = c->uid;
		c->owner = true;
		log_warnx("peer pid %d uid %u: registered server '%s' pid %d as %u", c->pid, c->uid, name,
			  (int)pid, id);
	}
	return reply_server(d, c, req, CTL_OP_REGISTER, id, why);
}

/* Why `c` may not resume server `s` (NULL: it may): only the very shim process that registered it, after a
 * daemon restart left the server without a live owner, or after the shim gave up on a slow daemon and
 * connected again (its older connection, maybe not yet seen closed, then owns it). */
static const char *resume_refused(struct daemon *d, const struct ctl_client *c, const struct server *s,
				  uint32_t id)
{
	struct pin_owner o;
	uint64_t ticks;

	if (!s || !s->cgroup[0])
		return "no such server with a cgroup: the kernel kept nothing of it (a reboot, or "
		       "daemon --stop-enforcement)";
	if (s->owner && !s->owner_gone && s->owner != c->pid)
		return "the server has a live owner";
	if (ctl_server_newer_owner(&d->ctl, c))
		return "a newer connection of this shim took it over";	/* a stale resume, read late */
	if (pins_owner_get(&d->pins, id, &o))
		return "the daemon that registered it recorded no owner for it";
	if ((pid_t)o.pid != c->pid || o.uid != c->uid || procfs_start_ticks(c->pid, &ticks) || ticks != o.start_ticks)
		return "it belongs to another shim process";
	return NULL;
}

/* Checks a resume's calls: [{"call":1..2^53,"tool":string[,"sandbox":{...}][,"ended":bool]}], at most
 * EV_MAX_CALLS running and as many ended. */
static bool calls_valid(const cJSON *calls)
{
	const cJSON *r;
	uint64_t call;

	if (!cJSON_IsArray(calls) || cJSON_GetArraySize(calls) > 2 * EV_MAX_CALLS)
		return false;
	cJSON_ArrayForEach(r, calls) {
		const cJSON *sb = cJSON_GetObjectItemCaseSensitive(r, "sandbox");
		const cJSON *ended = cJSON_GetObjectItemCaseSensitive(r, "ended");

		if (!fields_uint(r, "call", 1, 1ull << 53, &call) ||
		    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r, "tool")) || (sb && !cJSON_IsObject(sb)) ||
		    (ended && !cJSON_IsBool(ended)))
			return false;
	}
	return true;
}

/* A shim whose daemon restarted takes its server back: its id, cgroup and rules, which the kernel kept
 * (pins.h), and its running calls (call_resume). The ack is register's, with "resumed": true. */
static int resume(struct daemon *d, struct ctl_client *c, const cJSON *req, const cJSON *r)
{
	const cJSON *calls = cJSON_GetObjectItemCaseSensitive(r, "calls");
	const cJSON *sandbox = cJSON_GetObjectItemCaseSensitive(req, "sandbox");
	struct server *s;
	const char *no;
	char why[240];
	cJSON *body, *rec;
	uint64_t id;
	int fd, rc;

	if (!fields_uint(r, "server_id", 1, UINT32_MAX, &id) || !calls_valid(calls))
		return reply_refuse(d, c, req, CTL_OP_REGISTER, "field 'resume' must be {\"server_id\":N,\"calls\":"
				    "[{\"call\":N,\"tool\":T[,\"sandbox\":{...}][,\"ended\":B]}, at most %d]}",
				    2 * EV_MAX_CALLS);
	s = servers_find(d->servers, (uint32_t)id);
	if ((no = resume_refused(d, c, s, (uint32_t)id))) {
		log_warnx("peer pid %d uid %u: refused to resume server %u: %s", c->pid, c->uid, (unsigned)id, no);
		return reply_refuse(d, c, req, CTL_OP_REGISTER, "resume server %u: %s", (unsigned)id, no);
	}
	fd = open(s->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return reply_refuse(d, c, req, CTL_OP_REGISTER, "resume server %u: its cgroup %s is gone", s->id, s->cgroup);
	ctl_server_disown(&d->ctl, c, c->pid);
	s->owner = c->pid;
	s->owner_uid = c->uid;
	s->owner_gone = false;
	s->rules = false;
	c->owner = true;
	if (call_resume(d, s, calls, why, sizeof(why))) {
		close(fd);
		return reply_refuse(d, c, req, CTL_OP_REGISTER, "resume server %u: %s", s->id, why);
	}
	/* Rules the kernel lost can't come back as a reload would, after the running calls: refused. */
	if (!s->rules && sandbox) {
		close(fd);
		return reply_refuse(d, c, req, CTL_OP_REGISTER, "resume server %u: the kernel holds none of its "
				    "server-level rules", s->id);
	}
	/* The shim's policy now, as a reload: a reload the daemon never saw (made while it was away, or left
	 * waiting for calls by the daemon that died) goes in, once the running calls end. */
	if (server_rules_replace(d, s, sandbox, why, sizeof(why)) < 0) {
		close(fd);
		return reply_refuse(d, c, req, CTL_OP_REGISTER, "resume server %u: sandbox: %s", s->id, why);
	}
	s->resumed = true;
	log_warnx("peer pid %d uid %u: resumed server %u '%s' with %d running calls", c->pid, c->uid, s->id, s->name,
		  cJSON_GetArraySize(calls));
	if ((rec = cJSON_CreateObject())) {
		cJSON_AddNumberToObject(rec, "server_id", s->id);
		cJSON_AddStringToObject(rec, "name", s->name);
		cJSON_AddNumberToObject(rec, "owner_pid", c->pid);
		cJSON_AddNumberToObject(rec, "owner_uid", c->uid);
		cJSON_AddItemToObject(rec, "calls", cJSON_Duplicate(calls, true));
		audit_sink_add(d, AUDIT_SERVER_RESUME, rec);
	}
	body = cJSON_CreateObject();
	if (body) {
		cJSON_AddNumberToObject(body, "server_id", s->id);
		cJSON_AddStringToObject(body, "cgroup", s->cgroup);
		cJSON_AddBoolToObject(body, "resumed", true);
	}
	rc = reply_fd(d, c, req, body, body ? NULL : "out of memory", fd);
	close(fd);
	return rc;
}

/* Shim path: without "pid", the server gets a cgroup whose fd goes back with the ack; the shim starts the
 * server inside it (clone3 CLONE_INTO_CGROUP), then attaches it. */
int server_requests_register(struct daemon *d, struct ctl_client *c, const cJSON *req)
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
		return reply_refuse(d, c, req, CTL_OP_REGISTER, "field 'name' must be a string");
	if (cJSON_HasObjectItem(req, "pid"))
		return register_pid(d, c, req, name->valuestring);
	if (cJSON_HasObjectItem(req, "resume"))
		return resume(d, c, req, cJSON_GetObjectItemCaseSensitive(req, "resume"));
	id = server_cgroups_register(d, c->pid, c->uid, name->valuestring, &fd, &why);
	if (!id)
		return reply_refuse(d, c, req, CTL_OP_REGISTER, "%s", why);
	c->owner = true;
	s = servers_find(d->servers, id);
	/* Server-level rules are in force before the server's first instruction. */
	if (sandbox && server_rules_replace(d, s, sandbox, err, sizeof(err)) < 0) {
		close(fd);
		return reply_refuse(d, c, req, CTL_OP_REGISTER, "sandbox: %s", err);
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

int server_requests_attach(struct daemon *d, struct ctl_client *c, const cJSON *req)
{
	char why[200];
	uint64_t sid, pid;
	struct server *s;
	char msg[160];
	uint32_t id;

	if (!fields_uint(req, "server_id", 1, UINT32_MAX, &sid) || !fields_uint(req, "pid", 1, INT_MAX, &pid))
		return reply_refuse(d, c, req, CTL_OP_ATTACH, "fields 'server_id' and 'pid' must be positive integers");
	s = servers_find(d->servers, sid);
	if (!s)
		return reply_refuse(d, c, req, CTL_OP_ATTACH, "unknown server_id");
	if (s->owner != c->pid || s->owner_gone)
		return reply_refuse(d, c, req, CTL_OP_ATTACH, "server %u belongs to another peer", (unsigned)sid);
	if (check_child(c, pid, msg, sizeof(msg))) {
		log_warnx("peer pid %d uid %u: refused %s: %s", c->pid, c->uid, ctl_op_name(CTL_OP_ATTACH), msg);
		return reply_refuse(d, c, req, CTL_OP_ATTACH, "%s", msg);
	}
	/* A shim that could not clone into the cgroup (not root) attaches a child that waits: move it in. */
	if (s->cgroup[0] && cgroups_move(s->cgroup, pid))
		return reply_refuse(d, c, req, CTL_OP_ATTACH, "cannot move the process into the server's cgroup");
	id = track_root(d, pid, sid, c->pid, NULL, why, sizeof(why));
	if (id && s->resumed) {
		s->resumed = false;
		call_resume_root(d, s);
	}
	if (id) {
		log_warnx("peer pid %d uid %u: attached pid %d to server %u '%s'", c->pid, c->uid, (int)pid, id,
			  s->name);
		audit_server(d, AUDIT_SERVER_ATTACH, id, s->name, c, (pid_t)pid);
	}
	return reply_server(d, c, req, CTL_OP_ATTACH, id, why);
}
