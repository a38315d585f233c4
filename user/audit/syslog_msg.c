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

char *syslog_msg_format(const struct syslog_rec *r, bool stream, size_t *out_len)
{
	char head[512], ts[32], frame[24] = "";
	struct tm tm;
	size_t hlen, flen = 0, total;
	char *out;
	int n;

	if (!gmtime_r(&r->ts.tv_sec, &tm) || !strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm))
		strcpy(ts, "-");
	else
		snprintf(ts + strlen(ts), sizeof(ts) - strlen(ts), ".%06ldZ", r->ts.tv_nsec / 1000);
	/* hash is the chain's hex: quoted as is, no character of it needs an escape in a PARAM-VALUE. */
	n = snprintf(head, sizeof(head), "<%d>1 %s %s mcpwarden %d %s [%s seq=\"%llu\" hash=\"%s\"] ", SYSLOG_PRI, ts,
		     printable(r->host, 255), (int)r->pid, printable(r->kind, 32), SYSLOG_SD_ID,
		     (unsigned long long)r->seq, printable(r->hash, 64));
	if (n < 0 || (size_t)n >= sizeof(head))
		return NULL;
	hlen = (size_t)n;
	total = hlen + r->len;
	if (stream) {
		n = snprintf(frame, sizeof(frame), "%zu ", total);
		flen = (size_t)n;
	}
	out = malloc(flen + total);
	if (!out)
		return NULL;
	memcpy(out, frame, flen);
	memcpy(out + flen, head, hlen);
	memcpy(out + flen + hlen, r->line, r->len);
	*out_len = flen + total;
	return out;
}
