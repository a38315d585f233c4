/* ctl_client.h: the client side of the daemon's control socket (include/control.h). */
#ifndef MCPWARDEN_CTL_CLIENT_H
#define MCPWARDEN_CTL_CLIENT_H

#include <sys/types.h>

#include <cJSON.h>

#include "common/ctl_proto.h"

/* Connects to the daemon at `path`. fd, or -1 (logged). */
int ctl_connect(const char *path);
/* The same without logging: fd, or -1 with errno set (for callers that warn once). A peer that is
 * not root (SO_PEERCRED) is no daemon: -1 with EPERM. */
int ctl_connect_quiet(const char *path);
/* Receives one message into a NUL-terminated heap string (a passed fd is closed).
 * Its length, 0 when the daemon closed, -1 on error (logged). */
ssize_t ctl_recv(int fd, char **msg);
/* Connects to path, sends {"op": op}, returns the ack and closes; NULL (logged) on failure. */
cJSON *ctl_ask(const char *path, enum ctl_op op);
/* Sends `req` and waits for the reply; NULL (logged) on failure or an error reply. */
cJSON *ctl_call(int fd, const cJSON *req);
/*
 * Sends the JSON text `json` on `sock` and waits for the one reply message,
 * collecting a descriptor the daemon passed with it (SCM_RIGHTS), as the
 * "register" ack does with the server's cgroup directory.
 * Returns 0 on an ack: *reply is the parsed reply (the caller frees it with
 * cJSON_Delete) and, when fd_out is not NULL, *fd_out is the received fd
 * (O_CLOEXEC; the caller closes it) or -1 when the ack carried none.
 * Returns -1 on a send/receive failure (the daemon is gone or timed out), and
 * 1 on an error reply ("ok":false): the daemon's "error" text is logged. In
 * both cases *reply is NULL, *fd_out is -1, and any received fd is closed.
 * With fd_out NULL a received fd is closed.
 */
int ctl_request_fd(int sock, const char *json, cJSON **reply, int *fd_out);

#endif
