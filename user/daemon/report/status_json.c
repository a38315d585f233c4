/* status_json.c: the daemon's `status` reply: mode, features, audit log, counters and drops. */
#include "daemon/report/status_json.h"
#include "daemon/sensor/event_json.h"
#include "daemon/sensor/handover.h"

static cJSON *features(struct daemon *d)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddBoolToObject(f, "lsm", d->lsm_ok);
	cJSON_AddStringToObject(f, "lsm_probe", d->lsm_why);
	cJSON_AddStringToObject(f, "exec_enforcement", d->sensor.exec_lsm ? "lsm" : "signal");
	cJSON_AddBoolToObject(f, "network_enforcement", d->sensor.net_enforce);
	if (d->sensor.unix_mode != UNIX_NONE)
		cJSON_AddStringToObject(f, "unix_enforcement", sensor_unix_name(d->sensor.unix_mode));
	else
		cJSON_AddBoolToObject(f, "unix_enforcement", false);
	cJSON_AddStringToObject(f, "unix_probe", d->sensor.unix_why);
	cJSON_AddStringToObject(f, "process_limits", d->sensor.exec_lsm ? "lsm" :
				d->sensor.unborn != UNBORN_NONE ? "signal" : "none");
	cJSON_AddStringToObject(f, "unborn_kill", sensor_unborn_name(d->sensor.unborn));
	cJSON_AddStringToObject(f, "call_isolation", d->sensor.exec_lsm ? "lsm/ptrace_access_check" : "none");
	cJSON_AddStringToObject(f, "unborn_probe", d->sensor.unborn_why);
	cJSON_AddStringToObject(f, "process_exit", d->sensor.exit_group_dead ? "tp_btf/sched_process_exit(group_dead)" :
				"tp_btf/sched_process_exit+signal.live");
	cJSON_AddStringToObject(f, "socket_observation", "tracepoint");
	cJSON_AddStringToObject(f, "network_deny", d->sensor.net_enforce ? "cgroup" : "none");
	if (d->cgroup2[0])
		cJSON_AddStringToObject(f, "cgroup2", d->cgroup2);
	else
		cJSON_AddNullToObject(f, "cgroup2");
	cJSON_AddBoolToObject(f, "mounted_tracefs", d->mounted_tracefs);
	cJSON_AddBoolToObject(f, "mounted_bpffs", d->mounted_bpffs);
	cJSON_AddBoolToObject(f, "mounted_securityfs", d->mounted_securityfs);
	cJSON_AddStringToObject(f, "socket_group", d->ctl.group);
	cJSON_AddItemToObject(f, "pinning", handover_json(d));
	cJSON_AddBoolToObject(f, "fail_signals", d->o.fail_signals);	/* test only: kernel kills made to fail */
	return f;
}

/* The sensor's loss counters (enum sensor_error), as status names them. */
static const char *const serr_names[SERR_MAX] = {
	[SERR_TRACKED_FULL] = "lineage_lost",
	[SERR_DENY_SUPPRESSED] = "deny_records_suppressed",
	[SERR_NET_UNREPORTED] = "net_records_lost",
	[SERR_CALLS_UNREPORTED] = "call_ids_unreported",
	[SERR_UNBORN_UNMARKED] = "unborn_marks_failed",
	[SERR_EXIT_UNCLAIMED] = "exit_records_doubled",
	[SERR_SIGNAL_FAILED] = "kernel_kills_failed",
	[SERR_LINEAGE_BUDGET] = "lineage_over_budget",
};

/* The lineage map's room (lineage_budget.h): its size, the entries in it, and how it is shared out. */
static cJSON *lineage(struct daemon *d, long entries)
{
	cJSON *o = cJSON_CreateObject();
	int64_t shared = sensor_lineage_shared(&d->sensor);

	cJSON_AddNumberToObject(o, "capacity", d->sensor.capacity);
	if (entries < 0)
		cJSON_AddNullToObject(o, "entries");
	else
		cJSON_AddNumberToObject(o, "entries", entries);
	cJSON_AddNumberToObject(o, "reserve_per_server", d->sensor.limits.reserve);
	cJSON_AddNumberToObject(o, "shared_limit", d->sensor.limits.shared_limit);
	if (shared < 0)
		cJSON_AddNullToObject(o, "shared_used");
	else
		cJSON_AddNumberToObject(o, "shared_used", (double)shared);
	return o;
}

/* The audit log, null without one: its directory, the records it could not write, the syslog copy's state, and its
 * sealing: on, off, or stopped (its key file could not be written: audit/sealer.h). */
static cJSON *audit(struct daemon *d)
{
	const struct audit_seal *seal = &d->audit.seal;
	cJSON *a;

	if (!d->auditing)
		return cJSON_CreateNull();
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "dir", d->o.audit_dir);
	cJSON_AddNumberToObject(a, "failed", (double)d->audit_failed);
	if (d->syslog)
		cJSON_AddItemToObject(a, "syslog", syslog_fwd_json(d->syslog));
	else
		cJSON_AddNullToObject(a, "syslog");
	cJSON_AddStringToObject(a, "sealing", seal->on ? "on" : seal->stopped[0] ? "stopped" : "off");
	if (seal->on)
		cJSON_AddNumberToObject(a, "seal_epoch", (double)seal->k->epoch);	/* the next seal's */
	if (seal->stopped[0])
		cJSON_AddStringToObject(a, "seal_stopped", seal->stopped);
	return a;
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
	cJSON_AddItemToObject(s, "lineage", lineage(d, tracked));
	c = cJSON_AddObjectToObject(s, "counters");
	cJSON_AddItemToObject(c, "events", per_type(d->counts));
	cJSON_AddNumberToObject(c, "bad_records", d->bad_records);
	cJSON_AddNumberToObject(c, "processes", d->procs.count);
	cJSON_AddNumberToObject(c, "tracked", tracked);
	cJSON_AddNumberToObject(c, "clients", d->ctl.nclients);
	bool no_errors = sensor_errors(&d->sensor, errors) != 0;

	for (unsigned i = 0; i < SERR_MAX; i++) {
		if (no_errors)
			cJSON_AddNullToObject(c, serr_names[i]);
		else
			cJSON_AddNumberToObject(c, serr_names[i], errors[i]);
	}
	if (sensor_drops(&d->sensor, drops))
		cJSON_AddNullToObject(s, "drops");
	else
		cJSON_AddItemToObject(s, "drops", per_type(drops));
	cJSON_AddItemToObject(s, "audit", audit(d));
	return s;
}
