/* syslog_target.c: parses a --syslog target and connects to it. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "audit/syslog_target.h"

/* HOST:PORT after the scheme: a name or IPv4 address, or [IPv6]; the port 1 to 65535. */
static int parse_hostport(const char *s, struct syslog_target *t, char *why, size_t whylen)
{
	const char *colon, *host = s;
	size_t hlen;
	char *end;
	long port;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':') {
			snprintf(why, whylen, "an IPv6 address is written [ADDR]:PORT");
			return -1;
		}
		host = s + 1;
		hlen = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon) {
			snprintf(why, whylen, "no :PORT after the host");
			return -1;
		}
		hlen = (size_t)(colon - s);
		if (memchr(s, ':', hlen)) {
			snprintf(why, whylen, "an IPv6 address is written [ADDR]:PORT");
			return -1;
		}
	}
	if (!hlen || hlen >= sizeof(t->host)) {
		snprintf(why, whylen, "the host is empty or longer than %zu bytes", sizeof(t->host) - 1);
		return -1;
	}
	for (size_t i = 0; i < hlen; i++) {
		if ((unsigned char)host[i] <= ' ' || host[i] == '/' || host[i] == '@' || (unsigned char)host[i] >= 0x7f) {
			snprintf(why, whylen, "the host has a character a host name or address can't have");
			return -1;
		}
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end || errno || port < 1 || port > 65535) {
		snprintf(why, whylen, "the port is not a number from 1 to 65535");
		return -1;
	}
	memcpy(t->host, host, hlen);
	t->host[hlen] = '\0';
	snprintf(t->port, sizeof(t->port), "%ld", port);
	return 0;
}

int syslog_target_parse(const char *s, struct syslog_target *t, char *why, size_t whylen)
{
	memset(t, 0, sizeof(*t));
	if (strlen(s) >= sizeof(t->text)) {
		snprintf(why, whylen, "longer than %zu bytes", sizeof(t->text) - 1);
		return -1;
	}
	strcpy(t->text, s);
	if (!strcmp(s, "local")) {
		t->proto = SYSLOG_UNIX;
		strcpy(t->path, SYSLOG_LOCAL_PATH);
		return 0;
	}
	if (!strncmp(s, "unix:", 5)) {
		t->proto = SYSLOG_UNIX;
		if (s[5] != '/' || strlen(s + 5) >= sizeof(t->path)) {
			snprintf(why, whylen, "unix:PATH needs an absolute path shorter than %zu bytes", sizeof(t->path));
			return -1;
		}
		strcpy(t->path, s + 5);
		return 0;
	}
	if (!strncmp(s, "udp://", 6) || !strncmp(s, "tcp://", 6)) {
		t->proto = s[0] == 'u' ? SYSLOG_UDP : SYSLOG_TCP;
		return parse_hostport(s + 6, t, why, whylen);
	}
	snprintf(why, whylen, "not local, unix:PATH, udp://HOST:PORT or tcp://HOST:PORT");
	return -1;
}

bool syslog_target_stream(const struct syslog_target *t)
{
	return t->proto == SYSLOG_TCP;
}

static int set_timeout(int fd, unsigned timeout_ms)
{
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };

	return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int connect_unix(const struct syslog_target *t, unsigned timeout_ms, char *why, size_t whylen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, t->path);
	if (fd < 0 || set_timeout(fd, timeout_ms) < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(why, whylen, "syslog %s: %s", t->text, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int syslog_target_connect(const struct syslog_target *t, unsigned timeout_ms, char *why, size_t whylen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_flags = AI_ADDRCONFIG }, *res, *ai;
	int rc, fd = -1, err = 0;

	if (t->proto == SYSLOG_UNIX)
		return connect_unix(t, timeout_ms, why, whylen);
	hints.ai_socktype = t->proto == SYSLOG_TCP ? SOCK_STREAM : SOCK_DGRAM;
	rc = getaddrinfo(t->host, t->port, &hints, &res);
	if (rc) {
		snprintf(why, whylen, "syslog %s: %s", t->text, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		/* SO_SNDTIMEO bounds a TCP connect too. */
		if (set_timeout(fd, timeout_ms) == 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(why, whylen, "syslog %s: %s", t->text, strerror(err));
	return fd;
}
