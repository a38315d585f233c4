/* decision_log.h: the shim's --audit file: one JSON line per decision and call outcome. */
#ifndef MCPWARDEN_DECISION_LOG_H
#define MCPWARDEN_DECISION_LOG_H

#include <cJSON.h>

#include "audit/kinds.h"

struct decision_log {
	int fd;			/* -1: no --audit file */
	char server[128];
};

/* Opens path for appending (created 0600). Returns 0, or -1 with the error logged. */
int dlog_open(struct decision_log *l, const char *path, const char *server);
/* Adds "ts", "server" and "kind", writes rec as one line, and frees rec. */
void dlog_write(struct decision_log *l, enum audit_kind kind, cJSON *rec);
void dlog_close(struct decision_log *l);

#endif
