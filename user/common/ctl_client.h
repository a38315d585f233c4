/* ctl_client.h: the client side of the daemon's control socket (include/control.h). */
#ifndef MCPWARDEN_CTL_CLIENT_H
#define MCPWARDEN_CTL_CLIENT_H

#include <sys/types.h>

#include <cJSON.h>

/* Connects to the daemon at `path`. fd, or -1 (logged). */
int ctl_connect(const char *path);
/* Sends one request object. 0 or -1 (logged). */
int ctl_send_json(int fd, const cJSON *req);
/* Receives one message into a NUL-terminated heap string. Its length, 0 when the daemon closed, -1 on error (logged). */
ssize_t ctl_recv(int fd, char **msg);
/* Sends `req` and waits for the reply; NULL (logged) on failure or an error reply. */
cJSON *ctl_call(int fd, const cJSON *req);

#endif
