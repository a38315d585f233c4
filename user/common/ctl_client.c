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
	return fd;
}

int ctl_connect(const char *path)
{
	int fd = ctl_connect_quiet(path);

	if (fd < 0)
		log_warn("%s: connect (is `mcpwarden daemon` running?)", path);
	return fd;
}

int ctl_send_json(int fd, const cJSON *req)
{
	char *text = cJSON_PrintUnformatted(req);
	ssize_t n;

	if (!text) {
		log_warnx("control request: out of memory");
		return -1;
	}
	n = send(fd, text, strlen(text), MSG_NOSIGNAL);
	if (n < 0)
		log_warn("control socket: send request");
	free(text);
	return n < 0 ? -1 : 0;
}

ssize_t ctl_recv(int fd, char **msg)
{
	char *buf = malloc(CTL_MSG_MAX + 1);
	ssize_t n;

	*msg = NULL;
	if (!buf) {
		log_warn("control socket: receive buffer");
		return -1;
	}
	do
		n = recv(fd, buf, CTL_MSG_MAX, 0);
	while (n < 0 && errno == EINTR);
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

int ctl_request_fd(int fd, const cJSON *req, cJSON **reply, int *fd_out)
{
	char *buf = NULL, *text = cJSON_PrintUnformatted(req);
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t n;

	*reply = NULL;
	if (fd_out)
		*fd_out = -1;
	if (!text || send(fd, text, strlen(text), MSG_NOSIGNAL) < 0 || !(buf = malloc(CTL_MSG_MAX + 1))) {
		free(text);
		return -1;
	}
	free(text);
	iov = (struct iovec){ .iov_base = buf, .iov_len = CTL_MSG_MAX };
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	for (cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			int got;

			memcpy(&got, CMSG_DATA(cm), sizeof(got));
			if (fd_out)
				*fd_out = got;
			else
				close(got);
		}
	if (n > 0)
		*reply = cJSON_ParseWithLength(buf, (size_t)n);
	free(buf);
	if (!*reply)
		return -1;
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(*reply, "ok"))) {
		const cJSON *err = cJSON_GetObjectItemCaseSensitive(*reply, "error");

		log_warnx("daemon: %s", cJSON_IsString(err) ? err->valuestring : "malformed reply");
		cJSON_Delete(*reply);
		*reply = NULL;
	}
	return 0;
}

cJSON *ctl_call(int fd, const cJSON *req)
{
	cJSON *rep;

	if (ctl_request_fd(fd, req, &rep, NULL) < 0) {
		log_warnx("control socket: the daemon closed the connection or did not answer");
		return NULL;
	}
	return rep;
}
