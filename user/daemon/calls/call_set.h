/* call_set.h: the set of calls active in a tracked process (struct tracked), as the daemon edits it. */
#ifndef MCPWARDEN_CALL_SET_H
#define MCPWARDEN_CALL_SET_H

#include <stdbool.h>
#include <stdint.h>

#include "events.h"

/* Whether `call` is in the set. */
bool call_set_has(const struct tracked *t, uint64_t call);
/* Adds `call` (nonzero) unless present. 0, or -1 when EV_MAX_CALLS are already active. */
int call_set_add(struct tracked *t, uint64_t call);
/* Removes `call`. 0, or -1 when it was not active. */
int call_set_remove(struct tracked *t, uint64_t call);

#endif
