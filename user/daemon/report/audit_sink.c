/* audit_sink.c: what the daemon writes to its audit log (--audit-dir): servers, calls, events, losses. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/report/audit_sink.h"
#include "daemon/sensor/event_json.h"

static void to_syslog(void *ctx, uint64_t seq, const char *hash, const char *kind, const char *line, size_t len)
{
	syslog_fwd_record(ctx, seq, hash, kind, line, len);
}

int audit_sink_open(struct daemon *d)
{
	char host[256] = "unknown", why[512];
	struct audit_opts o = {
		.dir = d->o.audit_dir,
		.fsync_ms = d->o.audit_fsync_ms,
		.max_segment_bytes = d->o.audit_segment_bytes,
		.host = host,
		.seal_key = d->o.seal_key,
		.seal_ms = d->o.seal_ms,
	};
	cJSON *rec;

	if (!d->o.audit_dir)
		return 0;
	if (gethostname(host, sizeof(host) - 1) < 0)
		strcpy(host, "unknown");
	if (d->o.syslog) {	/* first: the records audit_open writes go out too */
		d->syslog = syslog_fwd_start(d->o.syslog, host, why, sizeof(why));
		if (!d->syslog) {
			log_warnx("%s: not starting without the syslog copy asked for", why);
			return -1;
		}
		o.tap = to_syslog;
		o.tap_ctx = d->syslog;
	}
	if (audit_open(&d->audit, &o) < 0) {
		syslog_fwd_stop(d->syslog);
		d->syslog = NULL;
		return -1;
	}
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
	if (d->syslog) {
		uint64_t lost, first, last;

		if (syslog_fwd_take_lost(d->syslog, &lost, &first, &last)) {
			cJSON *rec = cJSON_CreateObject();

			cJSON_AddNumberToObject(rec, "lost", (double)lost);
			cJSON_AddNumberToObject(rec, "first_seq", (double)first);
			cJSON_AddNumberToObject(rec, "last_seq", (double)last);
			audit_sink_add(d, AUDIT_SYSLOG_LOST, rec);
		}
	}
}

void audit_sink_close(struct daemon *d)
{
	if (!d->auditing)
		return;
	audit_sink_add(d, AUDIT_DAEMON_STOP, cJSON_CreateObject());
	audit_close(&d->audit);
	d->auditing = false;
	syslog_fwd_stop(d->syslog);	/* after the last record (and seal): they go out too */
	d->syslog = NULL;
}
