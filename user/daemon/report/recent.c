/* recent.c: the daemon's latest events for `mcpwarden events`: raw sensor records, turned into JSON only when asked, each with who may see it. */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "daemon/sensor/event_json.h"
#include "daemon/report/recent.h"

_Static_assert(sizeof(struct ev_fork) <= RECENT_SLOT && sizeof(struct ev_exit) <= RECENT_SLOT &&
	       sizeof(struct ev_net) <= RECENT_SLOT && sizeof(struct ev_sock_state) <= RECENT_SLOT &&
	       sizeof(struct ev_exec) <= RECENT_SLOT && sizeof(struct ev_mcp_stdout) <= RECENT_SLOT,
	       "every record fits a slot");

int recent_init(struct recent *r, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->slots = calloc(cap, sizeof(*r->slots));
	if (!r->slots) {
		log_warn("recent events: %zu slots", cap);
		return -1;
	}
	r->cap = cap;
	return 0;
}

void recent_free(struct recent *r)
{
	free(r->slots);
	memset(r, 0, sizeof(*r));
}

/* The slot for a new entry seen by `a`; the oldest is overwritten when full. */
static struct recent_slot *next_slot(struct recent *r, const struct audience *a)
{
	struct recent_slot *s = &r->slots[(r->head + r->len) % r->cap];

	s->audience = *a;
	if (r->len == r->cap)
		r->head = (r->head + 1) % r->cap;
	else
		r->len++;
	return s;
}

void recent_add_record(struct recent *r, const struct ev_hdr *h, const struct audience *a)
{
	struct recent_slot *s = next_slot(r, a);

	s->text = false;
	s->len = h->size;
	memcpy(s->data, h, h->size);
}

int recent_add_text(struct recent *r, const char *json, const struct audience *a)
{
	size_t n = strlen(json) + 1;
	struct recent_slot *s;

	if (n > RECENT_SLOT) {
		log_warnx("recent events: a %zu-byte event does not fit a slot; not kept", n);
		return -1;
	}
	s = next_slot(r, a);
	s->text = true;
	s->len = n;
	memcpy(s->data, json, n);
	return 0;
}

char *recent_json(const struct recent *r, size_t i)
{
	const struct recent_slot *s = &r->slots[(r->head + i) % r->cap];
	cJSON *o;
	char *text;

	if (s->text)
		return strdup(s->data);
	o = event_json((const struct ev_hdr *)s->data);
	text = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	return text;
}

const struct audience *recent_audience(const struct recent *r, size_t i)
{
	return &r->slots[(r->head + i) % r->cap].audience;
}
