/* counters.h: fixed-window counters for rate limits and state, kept across policy reloads. */
#ifndef MCPWARDEN_COUNTERS_H
#define MCPWARDEN_COUNTERS_H

#include <time.h>

struct counters;

struct counters *counters_new(void);
void counters_free(struct counters *c);
/* Value of key in the window holding now (windows align to the epoch, so days are UTC days). */
double counters_get(struct counters *c, const char *key, long window_s, time_t now);
/* What one allowed call added to one counter, to take back when the call fails. */
struct counter_add {
	struct counter_add *next;
	long window_s;
	time_t window_start;
	double delta;
	char key[];
};

/* Adds delta to key's current window; returns 0, or -1 when out of memory. With undo, also puts what it added
 * at the head of *undo (nothing added when that record can't be made: the count stays, never lost the other
 * way). */
int counters_add(struct counters *c, const char *key, long window_s, time_t now, double delta,
		 struct counter_add **undo);
/* Takes back each amount of `adds` whose window is still the counter's (a window that moved on started from 0
 * without it), then frees the list. */
void counters_undo(struct counters *c, struct counter_add *adds);
void counter_adds_free(struct counter_add *adds);

#endif
