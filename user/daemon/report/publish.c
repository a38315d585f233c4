/* publish.c: sends the daemon's events out: to the audit log, to the subscribers, and into the recent events. */
#include <stdlib.h>

#include "common/ctl_proto.h"
#include "common/log.h"
#include "daemon/report/audit_sink.h"
#include "daemon/report/publish.h"
#include "daemon/sensor/event_json.h"

void publish_record(struct daemon *d, const struct ev_hdr *h)
{
	cJSON *o;
	char *line;

	audit_sink_event(d, h);
	recent_add_record(&d->recent, h);
	if (!d->ctl.nfollow)
		return;	/* JSON costs more than the rest: only for followers */
	o = event_json(h);
	line = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!line) {
		log_warnx("ring buffer: %s event of pid %u: out of memory", event_type_name(h->type), h->pid);
		return;
	}
	ctl_server_broadcast(&d->ctl, line);
	free(line);
}

void publish_event(struct daemon *d, enum audit_kind kind, cJSON *o)
{
	char *line = cJSON_PrintUnformatted(o);

	cJSON_DeleteItemFromObjectCaseSensitive(o, "type");	/* it is the audit record's kind */
	audit_sink_add(d, kind, o);
	if (line)
		publish_text(d, line);
}

void publish_text(struct daemon *d, char *line)
{
	ctl_server_broadcast(&d->ctl, line);
	recent_add_text(&d->recent, line);
	free(line);
}

int publish_subscribe(struct daemon *d, struct ctl_client *c, bool follow)
{
	cJSON *end;
	char *text;

	for (size_t i = 0; i < d->recent.len; i++)
		if (ctl_client_send(&d->ctl, c, recent_json(&d->recent, i)))
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
