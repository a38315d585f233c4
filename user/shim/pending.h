/* pending.h: requests in flight in either direction, keyed by their JSON-RPC id. */
#ifndef MCPWARDEN_PENDING_H
#define MCPWARDEN_PENDING_H

#include <stdbool.h>
#include <stdint.h>
#include <cJSON.h>

#include "jsonrpc/message.h"
#include "policy/counters.h"

enum pending_kind {
	PEND_OTHER,
	PEND_TOOLS_CALL,
	PEND_TOOLS_LIST,
	PEND_DISCOVER,		/* server/discover (the 2026-07-28 era) */
	PEND_PREFETCH,		/* the shim's own tools/list: never forwarded */
	PEND_REPLAY,		/* the client's initialize, replayed to a respawned server */
	PEND_PING,		/* the shim's own ping after a call timed out: is the server still alive? */
};

struct pending {
	char key[ID_KEY_MAX];
	cJSON *id;		/* copy, for replies */
	enum pending_kind kind;
	char *tool;		/* tools/call only */
	char args_sha[65];
	uint64_t call;		/* the daemon's call id; 0 without a daemon */
	uint64_t start_ns;	/* CLOCK_MONOTONIC */
	uint64_t deadline_ns;	/* 0: none */
	char deadline_rule[160];	/* the policy rule that set the deadline */
	bool timed_out;		/* answered by the shim; swallow the server's late reply */
	struct counter_add *added;	/* tools/call: what it added to the policy's counters, taken back when the
					   server answers with a JSON-RPC error (as Intercept does); freed with p */
};

struct pending_table {
	struct pending *v;
	size_t n, cap;
};

/* Adds an entry (copies id); returns it, or NULL when out of memory or the key is taken. */
struct pending *pending_add(struct pending_table *t, const char *key, const cJSON *id,
			    enum pending_kind kind);
struct pending *pending_find(struct pending_table *t, const char *key);
void pending_remove(struct pending_table *t, struct pending *p);
/* Earliest deadline among entries not yet timed out; 0 when none. */
uint64_t pending_next_deadline(const struct pending_table *t);
void pending_clear(struct pending_table *t);

#endif
