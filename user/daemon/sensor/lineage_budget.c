/* lineage_budget.c: sizes the lineage map from the host's process limits and shares its room among servers. */
#include <stdio.h>

#include "common/log.h"
#include "daemon/sensor/lineage_budget.h"

/* The number in /proc/sys file `path`, or 0 (logged). */
static unsigned long read_sysctl(const char *path)
{
	unsigned long v = 0;
	FILE *f = fopen(path, "re");

	if (!f) {
		log_warn("%s", path);
		return 0;
	}
	if (fscanf(f, "%lu", &v) != 1) {
		log_warnx("%s: not a number", path);
		v = 0;
	}
	fclose(f);
	return v;
}

uint32_t lineage_capacity(uint32_t want)
{
	unsigned long pids, threads, n = want;

	if (!n) {
		pids = read_sysctl("/proc/sys/kernel/pid_max");
		threads = read_sysctl("/proc/sys/kernel/threads-max");
		if (!pids || !threads)
			return 0;
		n = pids < threads ? pids : threads;
	}
	if (n < LINEAGE_MIN_CAPACITY)
		n = LINEAGE_MIN_CAPACITY;
	if (n > LINEAGE_MAX_CAPACITY)
		n = LINEAGE_MAX_CAPACITY;
	return (uint32_t)n;
}

struct lineage_limits lineage_limits_for(uint32_t capacity)
{
	return (struct lineage_limits){
		.reserve = capacity / (2 * LINEAGE_RESERVED_SERVERS),
		.shared_limit = capacity / 2 - capacity / 16,
	};
}
