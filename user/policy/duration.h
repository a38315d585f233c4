/* duration.h: parses durations ("30s", "500ms"), windows ("minute") and rates ("5/hour"). */
#ifndef MCPWARDEN_DURATION_H
#define MCPWARDEN_DURATION_H

#include <stddef.h>

#define DURATION_MAX_MS (366L * 86400000L)	/* a year: longer is a mistake */

/* "250ms", "30s", "2m", "1h", "1d", or a bare number of seconds, up to a year. Returns ms, or -1. */
long duration_ms(const char *s);
/* "second", "minute", "hour", "day" (or a duration). Returns seconds, or -1. */
long window_seconds(const char *s);
/* "N/unit": fills max and window seconds; returns 0 or -1. */
int rate_parse(const char *s, long *max, long *window_s);
/* A rate limit's refusal in Intercept's words: "Rate limit of 3 per day reached. Try again later." (the window
 * named when it is one second, minute, hour or day, else "per 600s"). */
void rate_limit_text(char *buf, size_t size, long max, long window_s);

#endif
