/* status_json.c: the daemon's `status` reply: mode, features, counters and drops. */
#include "daemon/report/status_json.h"
#include "daemon/sensor/event_json.h"

static cJSON *features(struct daemon *d)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddBoolToObject(f, "lsm", d->lsm_ok);
	cJSON_AddStringToObject(f, "lsm_probe", d->lsm_why);
	cJSON_AddStringToObject(f, "exec_enforcement", d->sensor.exec_lsm ? "lsm" : "signal");
	cJSON_AddBoolToObject(f, "network_enforcement", d->sensor.net_enforce);
	if (d->sensor.unix_enforce)
		cJSON_AddStringToObject(f, "unix_enforcement", "cgroup/connect_unix");
	else
		cJSON_AddBoolToObject(f, "unix_enforcement", false);
	cJSON_AddStringToObject(f, "unix_probe", d->sensor.unix_why);
	cJSON_AddBoolToObject(f, "process_limits", true);
	if (d->cgroup2[0])
		cJSON_AddStringToObject(f, "cgroup2", d->cgroup2);
	else
		cJSON_AddNullToObject(f, "cgroup2");
	cJSON_AddBoolToObject(f, "mounted_tracefs", d->mounted_tracefs);
	cJSON_AddBoolToObject(f, "mounted_bpffs", d->mounted_bpffs);
	cJSON_AddStringToObject(f, "socket_group", d->ctl.group);
	return f;
}

/* One number per event type (EV_SEED excluded: it never goes through the ring buffer). */
static cJSON *per_type(const uint64_t *n)
{
	cJSON *o = cJSON_CreateObject();

	for (unsigned t = EV_EXEC; t < EV_TYPE_MAX; t++)
		if (t != EV_SEED)
			cJSON_AddNumberToObject(o, event_type_name(t), n[t]);
	return o;
}

cJSON *status_json(struct daemon *d)
{
	cJSON *s = cJSON_CreateObject(), *c;
	uint64_t drops[EV_TYPE_MAX] = { 0 }, errors[SERR_MAX] = { 0 };
	long tracked = sensor_tracked_count(&d->sensor);

	if (!s)
		return NULL;
	cJSON_AddStringToObject(s, "mode", "enforce");
	cJSON_AddStringToObject(s, "scope", d->o.trace_all ? "all" : "tracked");
	cJSON_AddItemToObject(s, "features", features(d));
	c = cJSON_AddObjectToObject(s, "counters");
	cJSON_AddItemToObject(c, "events", per_type(d->counts));
	cJSON_AddNumberToObject(c, "bad_records", d->bad_records);
	cJSON_AddNumberToObject(c, "processes", d->procs.count);
	cJSON_AddNumberToObject(c, "tracked", tracked);
	cJSON_AddNumberToObject(c, "clients", d->ctl.nclients);
	if (sensor_errors(&d->sensor, errors)) {
		cJSON_AddNullToObject(c, "lineage_lost");
		cJSON_AddNullToObject(c, "deny_records_suppressed");
		cJSON_AddNullToObject(c, "net_records_lost");
		cJSON_AddNullToObject(c, "call_ids_unreported");
	} else {
		cJSON_AddNumberToObject(c, "lineage_lost", errors[SERR_TRACKED_FULL]);
		cJSON_AddNumberToObject(c, "deny_records_suppressed", errors[SERR_DENY_SUPPRESSED]);
		cJSON_AddNumberToObject(c, "net_records_lost", errors[SERR_NET_UNREPORTED]);
		cJSON_AddNumberToObject(c, "call_ids_unreported", errors[SERR_CALLS_UNREPORTED]);
	}
	if (sensor_drops(&d->sensor, drops))
		cJSON_AddNullToObject(s, "drops");
	else
		cJSON_AddItemToObject(s, "drops", per_type(drops));
	return s;
}
