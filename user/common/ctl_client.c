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

int ctl_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_warnx("%s: socket path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("%s: socket", path);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		log_warn("%s: connect (is `mcpwarden daemon` running?)", path);
		close(fd);
		return -1;
	}
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

cJSON *ctl_call(int fd, const cJSON *req)
{
	const cJSON *ok, *err;
	cJSON *rep;
	char *msg;
	ssize_t n;

	if (ctl_send_json(fd, req))
		return NULL;
	n = ctl_recv(fd, &msg);
	if (n == 0)
		log_warnx("control socket: the daemon closed the connection");
	if (n <= 0)
		return NULL;
	rep = cJSON_ParseWithLength(msg, n);
	free(msg);
	ok = cJSON_GetObjectItemCaseSensitive(rep, "ok");
	if (cJSON_IsTrue(ok))
		return rep;
	err = cJSON_GetObjectItemCaseSensitive(rep, "error");
	log_warnx("daemon: %s", cJSON_IsString(err) ? err->valuestring : "malformed reply");
	cJSON_Delete(rep);
	return NULL;
}
