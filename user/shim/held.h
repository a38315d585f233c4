/* held.h: tools/call lines held back while the server runs as many calls as the daemon takes at once. */
#ifndef MCPWARDEN_HELD_H
#define MCPWARDEN_HELD_H

#include <stdbool.h>
#include <stddef.h>
#include <cJSON.h>

#include "jsonrpc/message.h"

/* The client's lines, first in first out: each a single tools/call request, not yet policed. */
struct held_line {
	char key[ID_KEY_MAX];	/* its id's key (jsonrpc_id_key) */
	cJSON *id;		/* its id, for an answer when it never goes on */
	char *line;
	size_t len;
};

struct held {
	struct held_line *v;
	size_t n, cap;
};

/* Appends a copy of line[0..len) with id `id` (copied). false when out of memory (nothing held). */
bool held_add(struct held *h, const cJSON *id, const char *line, size_t len);
/* Takes the oldest line out; the caller frees it with held_line_free. false when none is held. */
bool held_take(struct held *h, struct held_line *out);
/* Takes out the line whose id has key `key` (a cancellation); the caller frees it. false when none has. */
bool held_take_key(struct held *h, const char *key, struct held_line *out);
void held_line_free(struct held_line *l);
/* Frees every line. */
void held_free(struct held *h);

#endif
