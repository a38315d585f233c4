/* recent.h: the daemon's latest events for `mcpwarden events`: raw sensor records, turned into JSON only when asked, each with who may see it. */
#ifndef MCPWARDEN_RECENT_H
#define MCPWARDEN_RECENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/report/audience.h"
#include "events.h"

#define RECENT_SLOT	1536	/* the largest record (ev_exec), and an unpoliced_server event's JSON text */

struct recent_slot {
	uint32_t len;
	bool text;			/* data is JSON text (daemon events such as lost_events), not a record */
	struct audience audience;	/* who may see it */
	_Alignas(8) char data[RECENT_SLOT];
};

struct recent {
	struct recent_slot *slots;
	size_t cap, head, len;
};

/* 0, or -1 (logged) when out of memory. */
int recent_init(struct recent *r, size_t cap);
void recent_free(struct recent *r);
/* Keeps a checked record (at most RECENT_SLOT bytes) and its audience, forgetting the oldest entry when full. */
void recent_add_record(struct recent *r, const struct ev_hdr *h, const struct audience *a);
/* Keeps an event's JSON text and its audience. -1 (logged) when it is longer than a slot. */
int recent_add_text(struct recent *r, const char *json, const struct audience *a);
/* The i-th oldest entry as JSON text on the heap (the caller frees it); NULL on OOM. */
char *recent_json(const struct recent *r, size_t i);
/* Who may see the i-th oldest entry. */
const struct audience *recent_audience(const struct recent *r, size_t i);

#endif
