/* lost_events.c: turns growing kernel drop counters into in-band "lost_events" events. */
#include <inttypes.h>
#include <string.h>

#include "common/log.h"
#include "daemon/report/audit_sink.h"
#include "daemon/report/publish.h"
#include "daemon/sensor/event_json.h"
#include "daemon/sensor/lost_events.h"

void lost_events_report(struct daemon *d)
{
	uint64_t now[EV_TYPE_MAX], total = 0;
	cJSON *o, *counts;
	char *line;

	if (sensor_drops(&d->sensor, now))
		return;
	for (unsigned t = EV_EXEC; t < EV_SEED; t++)
		total += now[t] - d->drops_seen[t];
	if (!total)
		return;
	o = lost_events_json("ring_buffer");
	counts = cJSON_AddObjectToObject(o, "counts");
	for (unsigned t = EV_EXEC; counts && t < EV_SEED; t++)
		cJSON_AddNumberToObject(counts, event_type_name(t), now[t] - d->drops_seen[t]);
	cJSON_AddNumberToObject(o, "total", total);
	line = cJSON_PrintUnformatted(o);
	cJSON_DeleteItemFromObjectCaseSensitive(o, "type");
	audit_sink_add(d, AUDIT_LOST_EVENTS, o);
	if (!line) {
		log_warnx("lost_events: %" PRIu64 " records dropped; the event itself: out of memory", total);
		return;
	}
	log_warnx("ring buffer full: %" PRIu64 " records dropped: %s", total, line);
	memcpy(d->drops_seen, now, sizeof(now));
	publish_text(d, line);
}
