/* syslog_target.h: where --syslog sends the audit records: the local socket, or a collector over UDP or TCP. */
#ifndef MCPWARDEN_SYSLOG_TARGET_H
#define MCPWARDEN_SYSLOG_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/un.h>

#define SYSLOG_LOCAL_PATH	"/dev/log"

enum syslog_proto {
	SYSLOG_UNIX,	/* a datagram socket: "local" (/dev/log) or "unix:PATH" */
	SYSLOG_UDP,	/* "udp://HOST:PORT": one message per datagram (RFC 5426) */
	SYSLOG_TCP,	/* "tcp://HOST:PORT": octet-counted frames (RFC 6587 3.4.1) */
};

struct syslog_target {
	enum syslog_proto proto;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];	/* SYSLOG_UNIX */
	char host[256];		/* a name, or an address (IPv6 given in brackets, kept without them) */
	char port[6];		/* decimal, 1 to 65535 */
	char text[300];		/* as given, for messages */
};

/* Parses "local", "unix:PATH", "udp://HOST:PORT" or "tcp://HOST:PORT". 0, or -1 with why saying what is wrong. */
int syslog_target_parse(const char *s, struct syslog_target *t, char *why, size_t whylen);
/* A connected socket (SOCK_CLOEXEC, blocking, sends time out after timeout_ms), or -1 with why naming the target
 * and the error. A name resolves each time, so a collector that moves is followed. */
int syslog_target_connect(const struct syslog_target *t, unsigned timeout_ms, char *why, size_t whylen);
/* Whether messages are octet-counted (a stream) rather than one per datagram. */
bool syslog_target_stream(const struct syslog_target *t);

#endif
