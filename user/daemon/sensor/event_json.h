/* event_json.h: turns sensor records into the JSON objects `mcpwarden events` prints (stable field names). */
#ifndef MCPWARDEN_EVENT_JSON_H
#define MCPWARDEN_EVENT_JSON_H

#include <stddef.h>

#include <stdint.h>

#include <cJSON.h>

#include "audit/kinds.h"
#include "events.h"

/* Checks a ring buffer record's version, type and size. Returns the header, or NULL and a reason. */
const struct ev_hdr *event_check(const void *data, size_t size, const char **why);
/* Name of an event type ("exec", ...), used in JSON and in the drop counters. */
const char *event_type_name(unsigned type);
/* The kind of the audit record of a policed process's event, named as its type (AUDIT_KIND_COUNT out of range). */
enum audit_kind event_audit_kind(unsigned type);
/* Adds a 64-bit integer exactly (a JSON double cannot hold every cgroup id or start time). */
void add_u64(cJSON *o, const char *key, uint64_t v);
/* The policy's name for an enum deny_rule: "exec.deny", "network.egress", ... */
const char *deny_rule_name(unsigned rule);
/* A lost_events event's start: {"type":"lost_events","source":source,"ts":now}, ts on the events' clock. */
cJSON *lost_events_json(const char *source);
/* The JSON object for a checked record; NULL on OOM. */
cJSON *event_json(const struct ev_hdr *h);

#endif
