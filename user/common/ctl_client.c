/* ctl_client.c: connects to the daemon's control socket and exchanges JSON messages with it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/ctl_client.h"
#include "common/log.h"
#include "control.h"

int ctl_connect_quiet(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd, saved;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	/* Only root's daemon is one: a socket someone else serves there would ack rules it never enforces. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.uid != 0) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

int ctl_connect(const char *path)
{
	int fd = ctl_connect_quiet(path);

	if (fd < 0)
		log_warn("%s: connect (is `mcpwarden daemon` running?)", path);
	return fd;
}

/* Receives one message, as ctl_recv, and the descriptor passed with it into *fd (-1 if none). */
static ssize_t recv_with_fd(int sock, char **msg, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char *buf = malloc(CTL_MSG_MAX + 1);
	struct iovec iov = { .iov_base = buf, .iov_len = CTL_MSG_MAX };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	ssize_t n;

	*msg = NULL;
	*fd = -1;
	if (!buf) {
		log_warn("control socket: receive buffer");
		return -1;
	}
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	for (cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)) && *fd < 0)
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	if (n > 0 && mh.msg_flags & MSG_CTRUNC)
		log_warnx("control socket: ancillary data truncated");
	if (n <= 0) {
		if (n < 0)
			log_warn("control socket: receive");
		free(buf);
		return n;
	}
	buf[n] = '\0';
	*msg = buf;
	return n;
}

ssize_t ctl_recv(int sock, char **msg)
{
	int fd;
	ssize_t n = recv_with_fd(sock, msg, &fd);

	if (fd >= 0)
		close(fd);	/* nothing but "register" passes one */
	return n;
}

int ctl_request_fd(int sock, const char *json, cJSON **reply, int *fd_out)
{
	const cJSON *err;
	char *msg;
	ssize_t n;
	int fd;

	*reply = NULL;
	if (fd_out)
		*fd_out = -1;
	if (send(sock, json, strlen(json), MSG_NOSIGNAL) < 0) {
		log_warn("control socket: send request");
		return -1;
	}
	n = recv_with_fd(sock, &msg, &fd);
	if (n == 0)
		log_warnx("control socket: the daemon closed the connection");
	if (n <= 0)
		return -1;
	*reply = cJSON_ParseWithLength(msg, n);
	free(msg);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(*reply, "ok"))) {
		if (fd_out)
			*fd_out = fd;
		else if (fd >= 0)
			close(fd);
		return 0;
	}
	err = cJSON_GetObjectItemCaseSensitive(*reply, "error");
	log_warnx("daemon: %s", cJSON_IsString(err) ? err->valuestring : "malformed reply");
	cJSON_Delete(*reply);
	*reply = NULL;
	if (fd >= 0)
		close(fd);
	return 1;
}

cJSON *ctl_call(int fd, const cJSON *req)
{
	char *text = cJSON_PrintUnformatted(req);
	cJSON *rep;
	int r;

	if (!text) {
		log_warnx("control request: out of memory");
		return NULL;
	}
	r = ctl_request_fd(fd, text, &rep, NULL);
	free(text);
	return r ? NULL : rep;
}

cJSON *ctl_ask(const char *path, enum ctl_op op)
{
	cJSON *req = ctl_message(op), *rep = NULL;
	int fd;

	if (!req)
		return NULL;
	if ((fd = ctl_connect(path)) >= 0) {
		rep = ctl_call(fd, req);
		close(fd);
	}
	cJSON_Delete(req);
	return rep;
}
