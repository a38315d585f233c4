/* reply.c: the daemon's answer to a peer's request: an ack (a body, maybe an fd) or an error, echoing the request's id. */
#include <stdarg.h>
#include <stdio.h>

#include "daemon/control/reply.h"

int reply_fd(struct daemon *d, struct ctl_client *c, const cJSON *req, cJSON *body, const char *error, int fd)
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

int reply(struct daemon *d, struct ctl_client *c, const cJSON *req, cJSON *body, const char *error)
{
	return reply_fd(d, c, req, body, error, -1);
}

int reply_with(struct daemon *d, struct ctl_client *c, const cJSON *req, const char *key, cJSON *item)
{
	cJSON *body = item ? cJSON_CreateObject() : NULL;

	if (!body) {
		cJSON_Delete(item);
		return reply(d, c, req, NULL, "out of memory");
	}
	cJSON_AddItemToObject(body, key, item);
	return reply(d, c, req, body, NULL);
}

int reply_refuse(struct daemon *d, struct ctl_client *c, const cJSON *req, enum ctl_op op, const char *fmt, ...)
{
	char msg[400];
	int n = snprintf(msg, sizeof(msg), "%s: ", ctl_op_name(op));
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	return reply(d, c, req, NULL, msg);
}
