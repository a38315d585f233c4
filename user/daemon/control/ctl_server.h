/* ctl_server.h: the daemon's SOCK_SEQPACKET control socket: peers, their messages in and output queues, broadcast. */
#ifndef MCPWARDEN_CTL_SERVER_H
#define MCPWARDEN_CTL_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/strq.h"
#include "daemon/report/audience.h"

/*
 * What the daemon holds for peers that do not read. Past these, messages to a
 * peer are dropped and counted, and a follower is told in-band (a lost_events
 * event) once it reads again. A message to a peer with nothing queued always
 * goes in, so a large reply is never refused for its size.
 */
#define CTL_CLIENT_QUEUE	4096		/* messages per peer */
#define CTL_CLIENT_QUEUE_BYTES	(4u << 20)	/* bytes per peer */
#define CTL_QUEUED_BYTES	(64u << 20)	/* bytes for all peers */
#define CTL_MAX_CLIENTS		1024		/* peers connected at once; more are refused */

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD	77	/* Linux 6.5 */
#endif

struct ctl_client {
	int fd;
	pid_t pid;			/* SO_PEERCRED: the process that connected */
	uid_t uid;
	int pidfd;			/* SO_PEERPIDFD: the connecting process; -1 when the kernel has none */
	uint32_t policed_server;	/* the server whose tree it was seen in once (stays so); 0: none */
	bool follow;			/* receives live events */
	bool closing;			/* close once the queue is flushed */
	bool want_out;			/* EPOLLOUT is armed */
	bool dead;			/* dropped; freed by ctl_server_reap */
	bool owner;			/* registered a server: on_drop is told when it goes */
	uint64_t seq;			/* accepted as the server's seq-th peer */
	uint64_t lost;			/* messages dropped on a full queue */
	uint64_t lost_told;		/* of those, how many a lost_events event has told it of */
	size_t queued;			/* bytes in out */
	struct strq out;
	struct ctl_client *next;
};

struct ctl_server {
	int fd;
	int epfd;
	char *path;
	bool bound;			/* the socket file at path is ours to remove */
	char group[32];			/* the socket file's group: CTL_GROUP when the host has it, else "root" */
	struct ctl_client *clients;
	struct ctl_client *dead;	/* dropped, kept until the current epoll batch is done */
	unsigned nclients;
	uint64_t accepted;		/* peers accepted so far */
	unsigned nfollow;		/* clients with follow set: without any, records are not turned into JSON */
	size_t queued;			/* bytes in every client's queue */
	void (*on_drop)(void *ctx, struct ctl_client *c);	/* for owner clients, from ctl_server_reap; may be NULL */
	void *ctx;
};

/* Creates the socket at `path` (ctl_socket.h: root:CTL_GROUP, mode 0660, SO_PASSCRED) and watches it with `tag`. */
int ctl_server_open(struct ctl_server *s, const char *path, int epfd, uint64_t tag);
void ctl_server_close(struct ctl_server *s);
/* Accepts one peer, logs its credentials and watches it (epoll data.ptr is the client). */
void ctl_server_accept(struct ctl_server *s);
/* Closes the peer; its memory lives on until ctl_server_reap, as epoll may still report it. */
void ctl_client_drop(struct ctl_server *s, struct ctl_client *c);
/* `keep`, a connection of process `pid`, takes over what its older connections owned: those are dropped (they
 * may still hold unread messages) and, like every dropped one of `pid` not yet reaped, without on_drop being
 * told. A newer connection of `pid` is left alone: the process gave up on the older ones, not on it. */
void ctl_server_disown(struct ctl_server *s, const struct ctl_client *keep, pid_t pid);
/* Whether a connection of c's process newer than c owns a server (took it over: ctl_server_disown). */
bool ctl_server_newer_owner(const struct ctl_server *s, const struct ctl_client *c);
/* Tells on_drop of each dropped owner, then frees the dropped clients; call between epoll batches. */
void ctl_server_reap(struct ctl_server *s);
/* Queues `msg` (taking ownership) and sends what the socket takes; a follower that lost messages is first
 * sent a lost_events event. -1: the peer is gone, drop it. */
int ctl_client_send(struct ctl_server *s, struct ctl_client *c, char *msg);
/* Sends `msg` (taking ownership) with `fd` attached (SCM_RIGHTS) right away; the queue must be empty.
 * The caller keeps `fd`. -1: not sent (logged), drop the peer. */
int ctl_client_send_fd(struct ctl_server *s, struct ctl_client *c, char *msg, int fd);
/* Receives one message into buf (a longer one than `size` is reported by its whole length, as recv's MSG_TRUNC)
 * and the pid its SCM_CREDENTIALS name, the process that sent it (0 when it carried none). The length, 0 when
 * the peer closed, or -1 with errno set (EAGAIN: nothing to read); an error but EAGAIN and ECONNRESET is logged. */
ssize_t ctl_client_recv(struct ctl_server *s, struct ctl_client *c, char *buf, size_t size, pid_t *sender);
/* Sends queued messages; -1: the peer is gone or finished, drop it. */
int ctl_client_flush(struct ctl_server *s, struct ctl_client *c);
/* Sends a copy of `msg` to every following client that `a` admits (audience.h); drops those that are gone. */
void ctl_server_broadcast(struct ctl_server *s, const char *msg, const struct audience *a);

#endif
