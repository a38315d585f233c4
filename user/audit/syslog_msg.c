/* syslog_msg.c: formats an audit record as an RFC 5424 message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/syslog_msg.h"

/* s when it is 1 to max printable US-ASCII characters (RFC 5424's PRINTUSASCII), else "-". */
static const char *printable(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n > max)
		return "-";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126)
			return "-";
	return s;
}

/* RFC 3339 with microseconds in UTC, or "-". */
static void stamp(char ts[32], const struct timespec *t)
{
	struct tm tm;

	if (!gmtime_r(&t->tv_sec, &tm) || !strftime(ts, 32, "%Y-%m-%dT%H:%M:%S", &tm))
		strcpy(ts, "-");
	else
		snprintf(ts + strlen(ts), 32 - strlen(ts), ".%06ldZ", t->tv_nsec / 1000);
}

/* head then body, with the octet count before them over a stream. */
static char *frame(const char *head, size_t hlen, const char *body, size_t blen, bool stream, size_t *out_len)
{
	char count[24] = "";
	size_t clen = stream ? (size_t)snprintf(count, sizeof(count), "%zu ", hlen + blen) : 0;
	char *out = malloc(clen + hlen + blen);

	if (!out)
		return NULL;
	memcpy(out, count, clen);
	memcpy(out + clen, head, hlen);
	memcpy(out + clen + hlen, body, blen);
	*out_len = clen + hlen + blen;
	return out;
}

char *syslog_msg_format(const struct syslog_rec *r, bool stream, size_t *out_len)
{
	char head[512], ts[32];
	int n;

	stamp(ts, &r->ts);
	/* hash is the chain's hex: quoted as is, no character of it needs an escape in a PARAM-VALUE. */
	n = snprintf(head, sizeof(head), "<%d>1 %s %s mcpwarden %d %s [%s seq=\"%llu\" hash=\"%s\"] ", SYSLOG_PRI, ts,
		     printable(r->host, 255), (int)r->pid, printable(r->kind, 32), SYSLOG_SD_ID,
		     (unsigned long long)r->seq, printable(r->hash, 64));
	if (n < 0 || (size_t)n >= sizeof(head))
		return NULL;
	return frame(head, (size_t)n, r->line, r->len, stream, out_len);
}

char *syslog_msg_lost(const struct timespec *t, const char *host, pid_t pid, uint64_t lost, uint64_t first,
		      uint64_t last, bool stream, size_t *out_len)
{
	char head[512], body[160], ts[32];
	int n, b;

	stamp(ts, t);
	n = snprintf(head, sizeof(head), "<%d>1 %s %s mcpwarden %d syslog_lost [%s lost=\"%llu\" first=\"%llu\" "
		     "last=\"%llu\"] ", SYSLOG_PRI, ts, printable(host, 255), (int)pid, SYSLOG_SD_ID,
		     (unsigned long long)lost, (unsigned long long)first, (unsigned long long)last);
	b = snprintf(body, sizeof(body), "{\"kind\":\"syslog_lost\",\"lost\":%llu,\"first_seq\":%llu,\"last_seq\":%llu}",
		     (unsigned long long)lost, (unsigned long long)first, (unsigned long long)last);
	if (n < 0 || (size_t)n >= sizeof(head) || b < 0 || (size_t)b >= sizeof(body))
		return NULL;
	return frame(head, (size_t)n, body, (size_t)b, stream, out_len);
}
