/* lost_events.h: turns growing kernel drop counters into in-band "lost_events" events. */
#ifndef MCPWARDEN_LOST_EVENTS_H
#define MCPWARDEN_LOST_EVENTS_H

#include "daemon/state.h"

/* Audits and publishes a "lost_events" event when the kernel's drop counters grew since the last one. */
void lost_events_report(struct daemon *d);

#endif
