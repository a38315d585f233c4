/* reply.h: the daemon's answer to a peer's request: an ack (a body, maybe an fd) or an error, echoing the request's id. */
#ifndef MCPWARDEN_CONTROL_REPLY_H
#define MCPWARDEN_CONTROL_REPLY_H

#include <cJSON.h>

#include "common/ctl_proto.h"
#include "daemon/state.h"

/* Sends an ack (`body`, taken, may add fields) or, when `error` is set, an error; echoes the request's id.
 * With `fd` >= 0 the ack carries it (SCM_RIGHTS; the caller keeps it). -1: drop the peer. */
int reply_fd(struct daemon *d, struct ctl_client *c, const cJSON *req, cJSON *body, const char *error, int fd);
/* reply_fd without an fd. */
int reply(struct daemon *d, struct ctl_client *c, const cJSON *req, cJSON *body, const char *error);
/* Acks with `item` (taken) as the body's field `key`; an "out of memory" error when item is NULL or the body
 * cannot be made. */
int reply_with(struct daemon *d, struct ctl_client *c, const cJSON *req, const char *key, cJSON *item);
/* Sends an error whose text is "OP: " and then fmt's. */
__attribute__((format(printf, 5, 6)))
int reply_refuse(struct daemon *d, struct ctl_client *c, const cJSON *req, enum ctl_op op, const char *fmt, ...);

#endif
