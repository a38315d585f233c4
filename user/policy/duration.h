/* duration.h: parses durations ("30s", "500ms"), windows ("minute") and rates ("5/hour"). */
#ifndef MCPWARDEN_DURATION_H
#define MCPWARDEN_DURATION_H

#define DURATION_MAX_MS (366L * 86400000L)	/* a year: longer is a mistake */

/* "250ms", "30s", "2m", "1h", "1d", or a bare number of seconds, up to a year. Returns ms, or -1. */
long duration_ms(const char *s);
/* "second", "minute", "hour", "day" (or a duration). Returns seconds, or -1. */
long window_seconds(const char *s);
/* "N/unit": fills max and window seconds; returns 0 or -1. */
int rate_parse(const char *s, long *max, long *window_s);

#endif
