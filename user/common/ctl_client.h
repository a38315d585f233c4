/* ctl_client.h: the client side of the daemon's control socket (include/control.h). */
#ifndef MCPWARDEN_CTL_CLIENT_H
#define MCPWARDEN_CTL_CLIENT_H

#include <sys/types.h>

#include <cJSON.h>

/* Connects to the daemon at `path`. fd, or -1 (logged). */
int ctl_connect(const char *path);
/* The same without logging: fd, or -1 with errno set (for callers that warn once). */
int ctl_connect_quiet(const char *path);
/* Sends req and waits for the reply, taking an fd passed with SCM_RIGHTS into *fd_out
 * (-1 when none; NULL fd_out closes any). Returns -1 when the daemon is gone (closed,
 * timed out); else 0 with *reply the ack, or NULL for an error reply (logged). */
int ctl_request_fd(int fd, const cJSON *req, cJSON **reply, int *fd_out);
/* Sends one request object. 0 or -1 (logged). */
int ctl_send_json(int fd, const cJSON *req);
/* Receives one message into a NUL-terminated heap string. Its length, 0 when the daemon closed, -1 on error (logged). */
ssize_t ctl_recv(int fd, char **msg);
/* Sends `req` and waits for the reply; NULL (logged) on failure or an error reply. */
cJSON *ctl_call(int fd, const cJSON *req);

#endif
