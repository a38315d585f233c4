/* ctl_socket.h: the control socket's file: made in its directory, in place of a stale one, owned root:CTL_GROUP mode 0660, with SO_PASSCRED, listening. */
#ifndef MCPWARDEN_CTL_SOCKET_H
#define MCPWARDEN_CTL_SOCKET_H

#include <stddef.h>

/*
 * Makes a listening AF_UNIX SOCK_SEQPACKET socket at `path` (nonblocking,
 * close-on-exec) with SO_PASSCRED, which the sockets it accepts inherit, so
 * each message carries its sender's credentials. The directory (not its
 * parents) is made when missing; a stale socket file is replaced, a live one
 * (another daemon's) refused. Before it listens the file is made root's and
 * group CTL_GROUP's (include/control.h), or root's group's when the host has
 * no such group, mode 0660; `group` gets the group's name and the log says
 * which. The fd, or -1 (logged; no file left behind).
 */
int ctl_socket_listen(const char *path, char *group, size_t size);

#endif
