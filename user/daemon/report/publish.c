/* publish.c: sends the daemon's events out: to the audit log, to the subscribers their audience admits, and into the recent events. */
#include <stdlib.h>

#include "common/ctl_proto.h"
#include "common/log.h"
#include "daemon/report/audit_sink.h"
#include "daemon/report/publish.h"
#include "daemon/sensor/event_json.h"

struct audience publish_audience(struct daemon *d, uint32_t server_id, uid_t uid)
{
	const struct server *s = server_id ? servers_find(d->servers, server_id) : NULL;

	return (struct audience){ .server_id = server_id, .uid = s ? s->owner_uid : uid };
}

void publish_record(struct daemon *d, const struct ev_hdr *h)
{
	struct audience a = publish_audience(d, h->server_id, h->uid);
	cJSON *o;
	char *line;

	audit_sink_event(d, h);
	recent_add_record(&d->recent, h, &a);
	if (!d->ctl.nfollow)
		return;	/* JSON costs more than the rest: only for followers */
	o = event_json(h);
	line = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!line) {
		log_warnx("ring buffer: %s event of pid %u: out of memory", event_type_name(h->type), h->pid);
		return;
	}
	ctl_server_broadcast(&d->ctl, line, &a);
	free(line);
}

/* Sends `line` to the followers `a` admits and keeps it among the recent events; takes `line`. */
static void publish_line(struct daemon *d, char *line, const struct audience *a)
{
	ctl_server_broadcast(&d->ctl, line, a);
	recent_add_text(&d->recent, line, a);
	free(line);
}

void publish_event(struct daemon *d, enum audit_kind kind, cJSON *o, uint32_t server_id, uid_t uid)
{
	struct audience a = publish_audience(d, server_id, uid);
	char *line = cJSON_PrintUnformatted(o);

	cJSON_DeleteItemFromObjectCaseSensitive(o, "type");	/* it is the audit record's kind */
	audit_sink_add(d, kind, o);
	if (line)
		publish_line(d, line, &a);
}

void publish_text(struct daemon *d, char *line)
{
	publish_line(d, line, &(struct audience){ .everyone = true });
}

int publish_subscribe(struct daemon *d, struct ctl_client *c, bool follow)
{
	cJSON *end;
	char *text;

	for (size_t i = 0; i < d->recent.len; i++)
		if (audience_admits(recent_audience(&d->recent, i), c->uid, c->policed_server) &&
		    ctl_client_send(&d->ctl, c, recent_json(&d->recent, i)))
			return -1;
	if (follow) {
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
