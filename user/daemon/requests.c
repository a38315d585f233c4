/* requests.c: serves control socket requests (include/control.h): status, track, register, calls, subscribe. */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "control.h"
#include "daemon/daemon.h"
#include "daemon/procfs.h"

/* Sends an ack (body may add fields) or, when `error` is set, an error; echoes the request's id. */
static int reply(struct daemon *d, struct ctl_client *c, const cJSON *req, cJSON *body, const char *error)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
	cJSON *o = body ? body : cJSON_CreateObject();
	char *text;

	if (!o)
		return ctl_client_send(&d->ctl, c, NULL);
	cJSON_AddStringToObject(o, "op", error ? CTL_OP_ERROR : CTL_OP_ACK);
	if (id)
		cJSON_AddItemToObject(o, "id", cJSON_Duplicate(id, true));
	cJSON_AddBoolToObject(o, "ok", !error);
	if (error)
		cJSON_AddStringToObject(o, "error", error);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return ctl_client_send(&d->ctl, c, text);
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
static int reply_server(struct daemon *d, struct ctl_client *c, const cJSON *req, const char *op,
			uint32_t id, const char *why)
{
	char msg[128];
	cJSON *body;

	if (!id) {
		snprintf(msg, sizeof(msg), "%s: %s", op, why);
		return reply(d, c, req, NULL, msg);
	}
	body = cJSON_CreateObject();
	if (body)
		cJSON_AddNumberToObject(body, "server_id", id);
	return reply(d, c, req, body, body ? NULL : "out of memory");
}

/* Admin path (uid 0 peers): any process becomes a server root. */
static int do_track(struct daemon *d, struct ctl_client *c, const cJSON *req)
{
	const char *why = NULL;
	uint64_t pid, sid = 0;
	uint32_t id;

	if (c->uid != 0)
		return reply(d, c, req, NULL, "track: only root may track arbitrary processes; use register");
	if (!get_uint(req, "pid", 1, INT_MAX, &pid))
		return reply(d, c, req, NULL, "track: field 'pid' must be a positive integer");
	if (cJSON_HasObjectItem(req, "server_id") && !get_uint(req, "server_id", 0, UINT32_MAX, &sid))
		return reply(d, c, req, NULL, "track: field 'server_id' must be an integer >= 0");
	id = daemon_track(d, pid, sid, 0, NULL, &why);
	if (id)
		log_warnx("peer pid %d uid %u: tracking pid %d as server %u", c->pid, c->uid, (int)pid, id);
	return reply_server(d, c, req, "track", id, why);
}

/* Shim path: a peer registers its own child as a server. */
static int do_register(struct daemon *d, struct ctl_client *c, const cJSON *req)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(req, "name");
	const char *why = NULL;
	uint64_t pid;
	pid_t ppid;
	uint32_t id;

	if (!cJSON_IsString(name))
		return reply(d, c, req, NULL, "register: field 'name' must be a string");
	if (!get_uint(req, "pid", 1, INT_MAX, &pid))
		return reply(d, c, req, NULL, "register: field 'pid' must be a positive integer");
	if (procfs_ppid(pid, &ppid))
		return reply(d, c, req, NULL, "register: no such process");
	if (ppid != c->pid)
		return reply(d, c, req, NULL, "register: 'pid' is not a child of the caller");
	id = daemon_track(d, pid, 0, c->pid, name->valuestring, &why);
	if (id)
		log_warnx("peer pid %d uid %u: registered server '%s' pid %d as %u", c->pid, c->uid,
			  name->valuestring, (int)pid, id);
	return reply_server(d, c, req, "register", id, why);
}

/* call_start / call_end: only the peer that registered the server, or root. */
static int do_call(struct daemon *d, struct ctl_client *c, const cJSON *req, bool start)
{
	const char *op = start ? CTL_OP_CALL_START : CTL_OP_CALL_END, *why;
	uint64_t sid, call;
	struct server *s;
	char msg[128];

	if (!get_uint(req, "server_id", 1, UINT32_MAX, &sid) || !get_uint(req, "call", 1, 1ull << 53, &call)) {
		snprintf(msg, sizeof(msg), "%s: fields 'server_id' and 'call' must be positive integers", op);
		return reply(d, c, req, NULL, msg);
	}
	s = servers_find(d->servers, sid);
	if (s && c->uid != 0 && s->owner != c->pid) {
		snprintf(msg, sizeof(msg), "%s: server %u belongs to another peer", op, (unsigned)sid);
		return reply(d, c, req, NULL, msg);
	}
	if (daemon_call(d, sid, call, start, &why)) {
		snprintf(msg, sizeof(msg), "%s: %s", op, why);
		return reply(d, c, req, NULL, msg);
	}
	return reply(d, c, req, NULL, NULL);
}

static int do_subscribe(struct daemon *d, struct ctl_client *c, const cJSON *req)
{
	const cJSON *follow = cJSON_GetObjectItemCaseSensitive(req, "follow");
	char *end;

	if (follow && !cJSON_IsBool(follow))
		return reply(d, c, req, NULL, "subscribe: field 'follow' must be true or false");
	if (reply(d, c, req, NULL, NULL))
		return -1;
	for (size_t i = 0; i < d->recent.len; i++)
		if (ctl_client_send(&d->ctl, c, strdup(strq_at(&d->recent, i))))
			return -1;
	if (cJSON_IsTrue(follow)) {
		c->follow = true;
		return 0;
	}
	end = strdup("{\"op\":\"" CTL_OP_END "\"}");
	c->closing = true;
	return ctl_client_send(&d->ctl, c, end);
}

int daemon_request(struct daemon *d, struct ctl_client *c, const char *msg, size_t len)
{
	cJSON *req = cJSON_ParseWithLength(msg, len);
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(req, "op");
	int r;

	if (!cJSON_IsString(op))
		r = reply(d, c, req, NULL, "request: not a JSON object with a string 'op'");
	else if (!strcmp(op->valuestring, CTL_OP_STATUS))
		r = do_status(d, c, req);
	else if (!strcmp(op->valuestring, CTL_OP_TRACK))
		r = do_track(d, c, req);
	else if (!strcmp(op->valuestring, CTL_OP_SUBSCRIBE))
		r = do_subscribe(d, c, req);
	else if (!strcmp(op->valuestring, CTL_OP_REGISTER))
		r = do_register(d, c, req);
	else if (!strcmp(op->valuestring, CTL_OP_CALL_START))
		r = do_call(d, c, req, true);
	else if (!strcmp(op->valuestring, CTL_OP_CALL_END))
		r = do_call(d, c, req, false);
	else
		r = reply(d, c, req, NULL, "request: unknown 'op'");
	cJSON_Delete(req);
	return r;
}
