/* records.c: each ring buffer record's way: checked and counted, then to its calls (a denial) or into the process table, the unpoliced check and out. */
#include <stdio.h>

#include "common/log.h"
#include "daemon/calls/call.h"
#include "daemon/calls/denials.h"
#include "daemon/report/audit_sink.h"
#include "daemon/report/publish.h"
#include "daemon/sensor/event_json.h"
#include "daemon/sensor/records.h"
#include "daemon/sensor/ring.h"
#include "daemon/servers/unpoliced.h"

/* Returns the table entry of the record's process; NULL once it exited. */
static struct proc *update_table(struct daemon *d, const struct ev_hdr *h)
{
	struct proc *p;

	if (h->type == EV_EXIT) {
		struct server *s = h->server_id ? servers_find(d->servers, h->server_id) : NULL;

		proctable_remove(&d->procs, h->pid, h->start_time);
		if (s && s->root == (pid_t)h->pid) {
			cJSON *rec = cJSON_CreateObject();

			cJSON_AddNumberToObject(rec, "server_id", s->id);
			cJSON_AddStringToObject(rec, "name", s->name);
			cJSON_AddNumberToObject(rec, "pid", h->pid);
			cJSON_AddNumberToObject(rec, "exit_code", ((const struct ev_exit *)h)->exit_code);
			audit_sink_add(d, AUDIT_SERVER_EXIT, rec);
		}
		if (h->server_id)
			servers_forget_root(&d->servers, h->pid, call_server_gone, d);	/* its cgroup, if any, is tidied on the next tick */
		return NULL;
	}
	p = proctable_update(&d->procs, h);
	if (p && h->type == EV_EXEC)
		snprintf(p->exe, sizeof(p->exe), "%.*s", (int)sizeof(p->exe) - 1,
			 ((const struct ev_exec *)h)->filename);
	return p;
}

static void handle(struct daemon *d, void *data, size_t size)
{
	const char *why;
	const struct ev_hdr *h = event_check(data, size, &why);

	if (!h) {
		if (!d->bad_records++)
			log_warnx("ring buffer: record of %zu bytes: %s", size, why);
		return;
	}
	d->counts[h->type]++;
	handover_record(d, h->ts_ns);
	if (h->type == EV_DENY) {
		denials_handle(d, (const struct ev_deny *)h);
		return;
	}
	unpoliced_check(d, h, update_table(d, h));
	if (h->type == EV_NET && !h->server_id && !d->o.trace_all)
		return;	/* a listen the sensor reports from every process, for the unpoliced check only */
	publish_record(d, h);
}

int records_handle(void *ctx, void *data, size_t size)
{
	struct daemon *d = ctx;

	handle(d, data, size);
	return ring_slice_spent(&d->ring) ? SENSOR_CONSUME_STOP : 0;
}
