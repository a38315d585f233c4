/* duration.c: parses durations ("30s", "500ms"), windows ("minute") and rates ("5/hour"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/duration.h"

long duration_ms(const char *s)
{
	static const struct {
		const char *unit;
		long ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 },
		{ "", 1000 },
	};
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0 || v > 1e9)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].unit))
			return v * (double)units[i].ms <= DURATION_MAX_MS ? (long)(v * (double)units[i].ms) : -1;
	return -1;
}

long window_seconds(const char *s)
{
	static const struct {
		const char *name;
		long sec;
	} names[] = {
		{ "second", 1 }, { "minute", 60 }, { "hour", 3600 }, { "day", 86400 },
	};
	long ms;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i].name);

		if (!strncmp(s, names[i].name, n) && (!s[n] || !strcmp(s + n, "s")))
			return names[i].sec;
	}
	ms = duration_ms(s);
	return ms >= 1000 && ms % 1000 == 0 ? ms / 1000 : -1;
}

int rate_parse(const char *s, long *max, long *window_s)
{
	const char *slash = strchr(s, '/');
	char *end;
	long n;

	if (!slash)
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || end != slash || n <= 0)
		return -1;
	*window_s = window_seconds(slash + 1);
	if (*window_s <= 0)
		return -1;
	*max = n;
	return 0;
}

void rate_limit_text(char *buf, size_t size, long max, long window_s)
{
	static const struct {
		long s;
		const char *name;
	} units[] = { { 1, "second" }, { 60, "minute" }, { 3600, "hour" }, { 86400, "day" } };

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (window_s == units[i].s) {
			snprintf(buf, size, "Rate limit of %ld per %s reached. Try again later.", max, units[i].name);
			return;
		}
	snprintf(buf, size, "Rate limit of %ld per %lds reached. Try again later.", max, window_s);
}
