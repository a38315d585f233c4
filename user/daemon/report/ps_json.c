/* ps_json.c: the `ps` reply: the servers the daemon knows and the processes of each, as far as the asking peer may see them. */
#include "daemon/report/ps_json.h"
#include "daemon/report/publish.h"
#include "daemon/sensor/event_json.h"

#define PS_MAX_PROCS 300	/* about 150 bytes each: the reply stays under CTL_MSG_MAX */

static cJSON *proc_json(const struct proc *p)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "pid", p->pid);
	cJSON_AddNumberToObject(o, "ppid", p->ppid);
	add_u64(o, "start_time", p->start_time);	/* exact, as in the events it is matched to */
	cJSON_AddNumberToObject(o, "uid", p->uid);
	cJSON_AddNumberToObject(o, "server_id", p->server_id);
	cJSON_AddStringToObject(o, "comm", p->comm);
	cJSON_AddStringToObject(o, "exe", p->exe);
	return o;
}

/* The calls the daemon holds for a server: running, or ended with processes left under their rules. */
static cJSON *calls_json(const struct server *s)
{
	cJSON *a = cJSON_CreateArray();

	for (const struct active_call *c = s->calls; a && c; c = c->next) {
		cJSON *o = cJSON_CreateObject();

		add_u64(o, "call", c->call);
		cJSON_AddStringToObject(o, "tool", c->tool);
		cJSON_AddBoolToObject(o, "sandbox", c->rules);
		cJSON_AddBoolToObject(o, "ended", c->ended);
		cJSON_AddBoolToObject(o, "killed", c->killed);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

/* Whether `viewer` may see server `server_id` and its processes. */
static bool shown(struct daemon *d, const struct ctl_client *viewer, uint32_t server_id)
{
	struct audience a = publish_audience(d, server_id, (uid_t)-1);

	return audience_admits(&a, viewer->uid, viewer->policed_server);
}

cJSON *ps_json(struct daemon *d, const struct ctl_client *viewer)
{
	cJSON *o = cJSON_CreateObject(), *servers, *procs;
	size_t listed = 0;

	if (!o)
		return NULL;
	servers = cJSON_AddArrayToObject(o, "servers");
	procs = cJSON_AddArrayToObject(o, "processes");
	for (const struct server *s = d->servers; s && servers; s = s->next) {
		cJSON *j;

		if (!shown(d, viewer, s->id))
			continue;
		j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "server_id", s->id);
		cJSON_AddStringToObject(j, "name", s->name);
		cJSON_AddNumberToObject(j, "root", s->root);
		cJSON_AddNumberToObject(j, "owner", s->owner);
		cJSON_AddNumberToObject(j, "owner_uid", s->owner_uid);
		cJSON_AddBoolToObject(j, "owner_gone", s->owner_gone);
		cJSON_AddStringToObject(j, "cgroup", s->cgroup);
		cJSON_AddBoolToObject(j, "sandbox", s->rules);
		cJSON_AddItemToObject(j, "calls", calls_json(s));
		cJSON_AddItemToArray(servers, j);
	}
	for (size_t b = 0; procs && b < d->procs.nbuckets; b++)
		for (const struct proc *p = d->procs.buckets[b]; p; p = p->next)
			if (p->server_id && shown(d, viewer, p->server_id) && listed++ < PS_MAX_PROCS)
				cJSON_AddItemToArray(procs, proc_json(p));
	if (listed > PS_MAX_PROCS)	/* the reply must fit one control message */
		cJSON_AddNumberToObject(o, "not_shown", (double)(listed - PS_MAX_PROCS));
	return o;
}
