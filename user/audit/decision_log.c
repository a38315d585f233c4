/* decision_log.c: the shim's --audit file: one JSON line per decision and call outcome. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/decision_log.h"
#include "common/log.h"
#include "jsonrpc/reply.h"

int dlog_open(struct decision_log *l, const char *path, const char *server)
{
	snprintf(l->server, sizeof(l->server), "%s", server);
	l->fd = -1;
	if (!path)
		return 0;
	l->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (l->fd < 0) {
		log_warn("audit file %s", path);
		return -1;
	}
	return 0;
}

void dlog_write(struct decision_log *l, enum audit_kind kind, cJSON *rec)
{
	struct timespec ts;
	char stamp[64], *line;
	struct tm tm;
	size_t n;

	if (l->fd < 0 || !rec) {
		cJSON_Delete(rec);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + n, sizeof(stamp) - n, ".%06ldZ", ts.tv_nsec / 1000);
	cJSON_AddStringToObject(rec, "ts", stamp);
	cJSON_AddStringToObject(rec, "server", l->server);
	cJSON_AddStringToObject(rec, "kind", audit_kind_name(kind));
	line = line_of(rec);
	if (!line) {
		log_warnx("audit record %s: out of memory", audit_kind_name(kind));
		return;
	}
	if (write(l->fd, line, strlen(line)) < 0)
		log_warn("audit write");
	free(line);
}

void dlog_close(struct decision_log *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}
