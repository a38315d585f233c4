/* audit_sink.c: what the daemon writes to its audit log (--audit-dir): servers, calls, events, losses. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/report/audit_sink.h"
#include "daemon/sensor/event_json.h"

int audit_sink_open(struct daemon *d)
{
	struct audit_opts o = {
		.dir = d->o.audit_dir,
		.fsync_ms = d->o.audit_fsync_ms,
		.max_segment_bytes = d->o.audit_segment_bytes,
	};
	cJSON *rec;

	if (!d->o.audit_dir)
		return 0;
	if (audit_open(&d->audit, &o) < 0)
		return -1;
	d->auditing = true;
	rec = cJSON_CreateObject();
	cJSON_AddNumberToObject(rec, "pid", getpid());
	audit_sink_add(d, AUDIT_DAEMON_START, rec);
	return 0;
}

void audit_sink_add(struct daemon *d, enum audit_kind kind, cJSON *rec)
{
	if (!d->auditing) {
		cJSON_Delete(rec);
		return;
	}
	if (audit_append(&d->audit, audit_kind_name(kind), rec) < 0 && !d->audit_failed++)
		log_warnx("audit log %s: a record could not be written (counted in status)", d->o.audit_dir);
}

void audit_sink_report(struct daemon *d, enum audit_kind kind, const cJSON *report)
{
	cJSON *rec = cJSON_Duplicate(report, true);

	cJSON_DeleteItemFromObjectCaseSensitive(rec, "op");
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "id");
	audit_sink_add(d, kind, rec);
}

void audit_sink_event(struct daemon *d, const struct ev_hdr *h)
{
	cJSON *o;

	if (!d->auditing || !h->server_id)
		return;	/* the audit covers MCP servers' trees, not the whole host */
	o = event_json(h);
	if (o)
		cJSON_DeleteItemFromObjectCaseSensitive(o, "type");	/* it is the record's kind */
	audit_sink_add(d, event_audit_kind(h->type), o);
}

void audit_sink_tick(struct daemon *d)
{
	struct timespec ts;

	if (!d->auditing)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	audit_tick(&d->audit, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
}

void audit_sink_close(struct daemon *d)
{
	if (!d->auditing)
		return;
	audit_sink_add(d, AUDIT_DAEMON_STOP, cJSON_CreateObject());
	audit_close(&d->audit);
	d->auditing = false;
}
