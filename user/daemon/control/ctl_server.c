/* ctl_server.c: listens on the control socket, accepts peers (SO_PEERCRED logged), receives their messages with their senders' credentials, and queues output to them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/control/ctl_server.h"
#include "daemon/control/ctl_socket.h"
#include "daemon/sensor/event_json.h"

static int watch(struct ctl_server *s, int op, int fd, uint32_t events, epoll_data_t data)
{
	struct epoll_event ev = { .events = events, .data = data };

	if (epoll_ctl(s->epfd, op, fd, &ev)) {
		log_warn("%s: epoll_ctl fd %d", s->path, fd);
		return -1;
	}
	return 0;
}

int ctl_server_open(struct ctl_server *s, const char *path, int epfd, uint64_t tag)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->epfd = epfd;
	s->path = strdup(path);
	if (!s->path) {
		log_warn("%s", path);
		return -1;
	}
	s->fd = ctl_socket_listen(path, s->group, sizeof(s->group));
	if (s->fd < 0)
		goto fail;
	s->bound = true;
	if (watch(s, EPOLL_CTL_ADD, s->fd, EPOLLIN, (epoll_data_t){ .u64 = tag }))
		goto fail;
	return 0;
fail:
	ctl_server_close(s);
	return -1;
}

void ctl_server_close(struct ctl_server *s)
{
	while (s->clients)
		ctl_client_drop(s, s->clients);
	ctl_server_reap(s);
	if (s->fd >= 0)
		close(s->fd);
	if (s->bound && unlink(s->path))
		log_warn("%s: remove socket", s->path);
	s->bound = false;
	free(s->path);
	s->path = NULL;
	s->fd = -1;
}

void ctl_server_accept(struct ctl_server *s)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct ctl_client *c;
	int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno != EAGAIN)
			log_warn("%s: accept", s->path);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		log_warn("%s: SO_PEERCRED on fd %d", s->path, fd);
		close(fd);
		return;
	}
	if (s->nclients >= CTL_MAX_CLIENTS) {
		log_warnx("%s: peer pid %d uid %u refused: %u peers already connected", s->path, cred.pid, cred.uid,
			  s->nclients);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c || strq_init(&c->out, CTL_CLIENT_QUEUE)) {
		log_warn("%s: client pid %d", s->path, cred.pid);
		free(c);
		close(fd);
		return;
	}
	c->fd = fd;
	c->pid = cred.pid;
	c->uid = cred.uid;
	/* The peer process itself, for as long as it lives (a pid alone could be reused). */
	len = sizeof(c->pidfd);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &c->pidfd, &len))
		c->pidfd = -1;
	if (watch(s, EPOLL_CTL_ADD, fd, EPOLLIN, (epoll_data_t){ .ptr = c })) {
		strq_free(&c->out);
		free(c);
		close(fd);
		return;
	}
	c->next = s->clients;
	s->clients = c;
	s->nclients++;
	c->seq = ++s->accepted;
	log_warnx("%s: peer pid %d uid %u gid %u", s->path, cred.pid, cred.uid, cred.gid);
}

void ctl_client_drop(struct ctl_server *s, struct ctl_client *c)
{
	struct ctl_client **pp = &s->clients;

	if (c->dead)
		return;
	while (*pp && *pp != c)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = c->next;
		s->nclients--;
		s->nfollow -= c->follow;
	}
	if (c->lost)
		log_warnx("%s: peer pid %d lost %llu messages (slow reader)", s->path, c->pid,
			  (unsigned long long)c->lost);
	s->queued -= c->queued;
	close(c->fd);	/* also removes it from epoll */
	if (c->pidfd >= 0)
		close(c->pidfd);
	strq_free(&c->out);
	c->dead = true;
	c->next = s->dead;
	s->dead = c;
}

void ctl_server_disown(struct ctl_server *s, const struct ctl_client *keep, pid_t pid)
{
	struct ctl_client *c, *next;

	for (c = s->dead; c; c = c->next)
		if (c->pid == pid)
			c->owner = false;
	for (c = s->clients; c; c = next) {
		next = c->next;
		if (c->seq < keep->seq && c->pid == pid && c->owner) {
			c->owner = false;
			log_warnx("%s: peer pid %d: an older connection of its dropped, its server taken over by the new one",
				  s->path, pid);
			ctl_client_drop(s, c);
		}
	}
}

bool ctl_server_newer_owner(const struct ctl_server *s, const struct ctl_client *c)
{
	for (const struct ctl_client *o = s->clients; o; o = o->next)
		if (o->pid == c->pid && o->owner && o->seq > c->seq)
			return true;
	return false;
}

void ctl_server_reap(struct ctl_server *s)
{
	while (s->dead) {
		struct ctl_client *c = s->dead;

		s->dead = c->next;
		/* Told here, between events, never from inside a drop: a drop can happen in the middle of
		 * a broadcast, whose caller may still hold one of the owner's servers. */
		if (c->owner && s->on_drop)
			s->on_drop(s->ctx, c);
		free(c);
	}
}

ssize_t ctl_client_recv(struct ctl_server *s, struct ctl_client *c, char *buf, size_t size, pid_t *sender)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	/* Room for the credentials only: descriptors a peer passes are not installed (MSG_CTRUNC). */
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct ucred cred;
	ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_TRUNC);

	*sender = 0;
	if (n < 0 && errno != EAGAIN && errno != ECONNRESET)
		log_warn("%s: recv from pid %d", s->path, c->pid);
	for (struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(cred))) {
			memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
			*sender = cred.pid;
		}
	}
	return n;
}

int ctl_client_flush(struct ctl_server *s, struct ctl_client *c)
{
	const char *msg;
	size_t len;
	bool want;

	while ((msg = strq_at(&c->out, 0))) {
		len = strlen(msg);
		if (send(c->fd, msg, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
			if (errno == EAGAIN)
				break;
			if (errno != EPIPE && errno != ECONNRESET)
				log_warn("%s: send to pid %d", s->path, c->pid);
			return -1;
		}
		c->queued -= len + 1;	/* the bytes enqueue() counted, NUL included */
		s->queued -= len + 1;
		free(strq_pop(&c->out));
	}
	if (!c->out.len && c->closing)
		return -1;
	want = c->out.len > 0;
	if (want != c->want_out) {
		if (watch(s, EPOLL_CTL_MOD, c->fd, EPOLLIN | (want ? EPOLLOUT : 0), (epoll_data_t){ .ptr = c }))
			return -1;
		c->want_out = want;
	}
	return 0;
}

/* Queues `msg` (taking ownership) within the budgets; false: dropped. */
static bool enqueue(struct ctl_server *s, struct ctl_client *c, char *msg)
{
	size_t n = strlen(msg) + 1;

	if ((c->out.len && (c->queued + n > CTL_CLIENT_QUEUE_BYTES || s->queued + n > CTL_QUEUED_BYTES)) ||
	    !strq_push(&c->out, msg)) {
		free(msg);
		return false;
	}
	c->queued += n;
	s->queued += n;
	return true;
}

/* {"type":"lost_events","source":"subscriber","ts":..,"total":N}: what `c` lost since it was last told. */
static char *subscriber_loss(const struct ctl_client *c)
{
	cJSON *o = lost_events_json("subscriber");
	char *line;

	cJSON_AddNumberToObject(o, "total", (double)(c->lost - c->lost_told));
	line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return line;
}

int ctl_client_send(struct ctl_server *s, struct ctl_client *c, char *msg)
{
	char *notice;

	if (!msg) {
		log_warnx("%s: message to pid %d: out of memory", s->path, c->pid);
		return -1;
	}
	if (c->follow && c->lost > c->lost_told && (notice = subscriber_loss(c))) {
		uint64_t lost = c->lost;

		if (enqueue(s, c, notice))
			c->lost_told = lost;
	}
	if (!enqueue(s, c, msg))
		c->lost++;
	return ctl_client_flush(s, c);
}

int ctl_client_send_fd(struct ctl_server *s, struct ctl_client *c, char *msg, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = { 0 };
	struct iovec iov = { .iov_base = msg, .iov_len = msg ? strlen(msg) : 0 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	ssize_t n;

	if (!msg || c->out.len) {
		log_warnx("%s: reply with fd to pid %d: %s", s->path, c->pid,
			  msg ? "earlier messages still queued" : "out of memory");
		free(msg);
		return -1;
	}
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	n = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && errno != EPIPE && errno != ECONNRESET)
		log_warn("%s: send fd %d to pid %d", s->path, fd, c->pid);
	free(msg);
	return n < 0 ? -1 : 0;
}

void ctl_server_broadcast(struct ctl_server *s, const char *msg, const struct audience *a)
{
	struct ctl_client *c, *next;

	for (c = s->clients; c; c = next) {
		next = c->next;
		if (c->follow && audience_admits(a, c->uid, c->policed_server) && ctl_client_send(s, c, strdup(msg)))
			ctl_client_drop(s, c);
	}
}
