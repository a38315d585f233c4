/* counters.h: fixed-window counters for rate limits and state, kept across policy reloads. */
#ifndef MCPWARDEN_COUNTERS_H
#define MCPWARDEN_COUNTERS_H

#include <time.h>

struct counters;

struct counters *counters_new(void);
void counters_free(struct counters *c);
/* Value of key in the window holding now (windows align to the epoch, so days are UTC days). */
double counters_get(struct counters *c, const char *key, long window_s, time_t now);
/* Adds delta to key's current window; returns 0, or -1 when out of memory. */
int counters_add(struct counters *c, const char *key, long window_s, time_t now, double delta);

#endif
