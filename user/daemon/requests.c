/* requests.c: serves control socket requests (include/control.h): status, track, subscribe. */
#include <string.h>

#include "common/log.h"
#include "control.h"
#include "daemon/daemon.h"

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

static int do_track(struct daemon *d, struct ctl_client *c, const cJSON *req)
{
	const cJSON *pid = cJSON_GetObjectItemCaseSensitive(req, "pid");
	const cJSON *sid = cJSON_GetObjectItemCaseSensitive(req, "server_id");
	const char *why = NULL;
	uint32_t id;
	cJSON *body;

	if (!cJSON_IsNumber(pid) || pid->valuedouble < 1 || pid->valuedouble > INT_MAX)
		return reply(d, c, req, NULL, "track: field 'pid' must be a positive integer");
	if (sid && (!cJSON_IsNumber(sid) || sid->valuedouble < 0 || sid->valuedouble > UINT32_MAX))
		return reply(d, c, req, NULL, "track: field 'server_id' must be an integer >= 0");
	id = daemon_track(d, (pid_t)pid->valuedouble, sid ? (uint32_t)sid->valuedouble : 0, &why);
	if (!id)
		return reply(d, c, req, NULL, why);
	log_warnx("peer pid %d uid %u: tracking pid %d as server %u", c->pid, c->uid, pid->valueint, id);
	body = cJSON_CreateObject();
	if (body)
		cJSON_AddNumberToObject(body, "server_id", id);
	return reply(d, c, req, body, body ? NULL : "out of memory");
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
	else if (!strcmp(op->valuestring, CTL_OP_REGISTER) || !strcmp(op->valuestring, CTL_OP_CALL_START) ||
		 !strcmp(op->valuestring, CTL_OP_CALL_END))
		r = reply(d, c, req, NULL, "unsupported: this daemon does not serve that op yet");
	else
		r = reply(d, c, req, NULL, "request: unknown 'op'");
	cJSON_Delete(req);
	return r;
}
