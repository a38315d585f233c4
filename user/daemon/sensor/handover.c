/* handover.c: the heartbeat the next daemon measures its gap from, the adoption's record, and the retiring of older generations. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "daemon/report/audit_sink.h"
#include "daemon/sensor/handover.h"
#include "daemon/state.h"

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The ring buffer's drops, summed over types and CPUs; 0 when they can't be read (logged). */
static uint64_t drops_now(struct daemon *d, uint64_t per_type[EV_TYPE_MAX])
{
	uint64_t n = 0;

	if (sensor_drops(&d->sensor, per_type))
		return 0;
	for (unsigned t = 0; t < EV_TYPE_MAX; t++)
		n += per_type[t];
	return n;
}

/* The meta this daemon leaves now. */
static struct pin_meta meta_now(struct daemon *d, bool clean)
{
	uint64_t total = 0;

	for (unsigned t = 0; t < EV_TYPE_MAX; t++)
		total += d->drops_seen[t];
	return (struct pin_meta){
		.heartbeat_mono_ns = clock_ns(CLOCK_MONOTONIC),
		.heartbeat_real_ns = clock_ns(CLOCK_REALTIME),
		.drops = total,
		.next_server_id = d->next_server_id,
		.clean = clean,
	};
}

int handover_open(struct daemon *d)
{
	return pins_open(&d->pins, d->o.pin_dir);
}

void handover_loaded(struct daemon *d)
{
	struct handover *h = &d->handover;
	uint64_t total;

	if (d->pins.was.next_server_id > d->next_server_id)
		d->next_server_id = d->pins.was.next_server_id;	/* adopted, or carried over from the previous */
	if (!(h->adopted = d->pins.adopted))
		return;
	h->clean = d->pins.was.clean;
	h->from_ns = d->pins.was.heartbeat_mono_ns;
	h->to_ns = clock_ns(CLOCK_MONOTONIC);
	/* Drops are the kernel's counters, which went on through the gap: the previous daemon reported those
	 * before its last heartbeat, this one reports the gap's here and the later ones as lost_events. */
	total = drops_now(d, d->drops_seen);
	h->drops = total > d->pins.was.drops ? total - d->pins.was.drops : 0;
}

void handover_record(struct daemon *d, uint64_t ts_ns)
{
	if (d->handover.adopted && ts_ns > d->handover.from_ns && ts_ns <= d->handover.to_ns)
		d->handover.records++;
}

/* The audit record of the adoption: how long nothing read the ring, and what the kernel dropped meanwhile. */
static void audit_adopted(struct daemon *d)
{
	const struct handover *h = &d->handover;
	cJSON *rec = cJSON_CreateObject();

	cJSON_AddStringToObject(rec, "generation", d->pins.gen);
	cJSON_AddNumberToObject(rec, "gap_ms", (double)(h->to_ns - h->from_ns) / 1e6);
	cJSON_AddBoolToObject(rec, "previous_stopped_cleanly", h->clean);
	cJSON_AddNumberToObject(rec, "drops_in_gap", (double)h->drops);
	audit_sink_add(d, AUDIT_ADOPTED, rec);
	log_warnx("took over generation %s from the previous daemon (%s): the kernel enforced alone for %.0f ms and "
		  "dropped %llu records meanwhile; the rest are read now", d->pins.gen,
		  h->clean ? "stopped" : "died", (double)(h->to_ns - h->from_ns) / 1e6, (unsigned long long)h->drops);
}

int handover_commit(struct daemon *d)
{
	struct handover *h = &d->handover;
	struct pin_meta m = meta_now(d, false);

	if (sensor_pin(&d->sensor) || pins_save(&d->pins, &m))
		return -1;
	if (h->adopted)
		audit_adopted(d);
	/* Only now, with this generation's links attached, do the older ones go: never a moment with none. */
	for (unsigned i = 0; i < d->pins.nothers; i++) {
		cJSON *rec = cJSON_CreateObject();
		char dir[PATH_MAX + 48];
		int r;

		/* Its unread records first: the gap's, from the programs the upgrade replaces. */
		snprintf(dir, sizeof(dir), "%s/%s", d->pins.root, d->pins.others[i]);
		if (!strcmp(d->pins.others[i], d->pins.previous))
			sensor_drain_pinned(&d->sensor, dir);
		r = pins_retire(&d->pins, d->pins.others[i]);
		cJSON_AddStringToObject(rec, "from", d->pins.others[i]);
		cJSON_AddStringToObject(rec, "to", d->pins.gen);
		cJSON_AddBoolToObject(rec, "removed", r == 0);
		cJSON_AddBoolToObject(rec, "state_carried", !strcmp(d->pins.others[i], d->pins.previous));
		audit_sink_add(d, AUDIT_UPGRADE, rec);
		if (h->nreplaced < sizeof(h->replaced) / sizeof(h->replaced[0]))
			memcpy(h->replaced[h->nreplaced++], d->pins.others[i], sizeof(h->replaced[0]));
		if (r)
			return -1;
	}
	return 0;
}

void handover_heartbeat(struct daemon *d)
{
	struct pin_meta m = meta_now(d, false);

	if (d->pins.saved)
		pins_meta_write(&d->pins, &m);
}

void handover_close(struct daemon *d, bool clean)
{
	struct pin_meta m = meta_now(d, clean);

	if (d->pins.saved)
		pins_meta_write(&d->pins, &m);
	else if (d->pins.root_fd >= 0 && d->pins.made)
		pins_retire(&d->pins, d->pins.gen);	/* a start that failed: what it made goes, the rest stays */
	pins_close(&d->pins);
}

cJSON *handover_json(struct daemon *d)
{
	const struct handover *h = &d->handover;
	cJSON *o = cJSON_CreateObject(), *r = cJSON_CreateArray();

	cJSON_AddStringToObject(o, "pin_root", d->pins.root);
	cJSON_AddStringToObject(o, "generation", d->pins.gen);
	cJSON_AddBoolToObject(o, "pinned", d->pins.saved);
	cJSON_AddBoolToObject(o, "adopted", h->adopted);
	if (h->adopted) {
		cJSON_AddNumberToObject(o, "gap_ms", (double)(h->to_ns - h->from_ns) / 1e6);
		cJSON_AddBoolToObject(o, "previous_stopped_cleanly", h->clean);
		cJSON_AddNumberToObject(o, "records_in_gap", (double)h->records);
		cJSON_AddNumberToObject(o, "drops_in_gap", (double)h->drops);
	}
	for (unsigned i = 0; i < h->nreplaced; i++)
		cJSON_AddItemToArray(r, cJSON_CreateString(h->replaced[i]));
	cJSON_AddItemToObject(o, "replaced", r);
	return o;
}
