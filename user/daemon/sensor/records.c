/* records.c: handles each ring buffer record: process table, counters, recent events, subscribers. */
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "daemon/daemon.h"
#include "daemon/sensor/event_json.h"

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
			daemon_audit(d, AUDIT_SERVER_EXIT, rec);
		}
		if (h->server_id)
			servers_forget_root(&d->servers, h->pid, daemon_server_gone, d);	/* its cgroup, if any, is tidied on the next tick */
		return NULL;
	}
	p = proctable_update(&d->procs, h);
	if (p && h->type == EV_EXEC)
		snprintf(p->exe, sizeof(p->exe), "%.*s", (int)sizeof(p->exe) - 1,
			 ((const struct ev_exec *)h)->filename);
	return p;
}

void daemon_publish(struct daemon *d, char *line)
{
	ctl_server_broadcast(&d->ctl, line);
	recent_add_text(&d->recent, line);
	free(line);
}

int daemon_on_record(void *ctx, void *data, size_t size)
{
	struct daemon *d = ctx;
	const char *why;
	const struct ev_hdr *h = event_check(data, size, &why);
	cJSON *o;
	char *line;

	if (!h) {
		if (!d->bad_records++)
			log_warnx("ring buffer: record of %zu bytes: %s", size, why);
		return 0;
	}
	d->counts[h->type]++;
	if (h->type == EV_DENY) {
		daemon_on_deny(d, (const struct ev_deny *)h);
		return 0;
	}
	daemon_unpoliced(d, h, update_table(d, h));
	if (h->type == EV_NET && !h->server_id && !d->o.trace_all)
		return 0;	/* a listen the sensor reports from every process, for the unpoliced check only */
	daemon_audit_event(d, h);
	recent_add_record(&d->recent, h);
	if (!d->ctl.nfollow)
		return 0;	/* JSON costs more than the rest: only for followers */
	o = event_json(h);
	line = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!line) {
		log_warnx("ring buffer: %s event of pid %u: out of memory", event_type_name(h->type), h->pid);
		return 0;
	}
	ctl_server_broadcast(&d->ctl, line);
	free(line);
	return 0;
}
