/* syslog_msg.h: one audit record as an RFC 5424 syslog message, with its seq and chain hash as structured data. */
#ifndef MCPWARDEN_SYSLOG_MSG_H
#define MCPWARDEN_SYSLOG_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/*
 * The message (RFC 5424 section 6), on one line:
 *   <85>1 2026-11-28T10:18:41.055441Z HOST mcpwarden PID KIND [mcpwarden@32473 seq="SEQ" hash="HASH"] LINE
 * - PRI 85: facility authpriv (10), severity notice (5): records hold argv, so they go where auth logs go.
 * - HOST is the audit log's host name, "-" when it is not 1 to 255 printable ASCII characters.
 * - KIND (the MSGID) is the record's kind, "-" when longer than 32 or not printable ASCII.
 * - SD-ID mcpwarden@32473: 32473 is the private enterprise number RFC 5612 sets aside for examples; a site
 *   with its own can't change it here (yet). SEQ is the record's seq, HASH the SHA-256 of LINE (the chain head
 *   once the record is written), so a collector checks every record it holds against `audit verify`'s chain.
 * - LINE is the record's line in the trail, byte for byte.
 * Over a stream (TCP) the message is framed by octet counting (RFC 6587 3.4.1): "LEN SP MESSAGE", no newline.
 */
#define SYSLOG_PRI		85
#define SYSLOG_SD_ID		"mcpwarden@32473"

struct syslog_rec {
	struct timespec ts;	/* CLOCK_REALTIME */
	const char *host;
	pid_t pid;
	const char *kind;
	uint64_t seq;
	const char *hash;	/* hex */
	const char *line;
	size_t len;
};

/* The message, framed for a stream or not, in a malloc'd buffer whose length goes to *out_len; NULL on OOM. */
char *syslog_msg_format(const struct syslog_rec *r, bool stream, size_t *out_len);
/* The forwarder's own notice that `lost` records, seq first to last, never went out (no line of the trail):
 *   <85>1 TS HOST mcpwarden PID syslog_lost [mcpwarden@32473 lost="N" first="A" last="B"] {"kind":"syslog_lost",...}
 * Framed as syslog_msg_format frames; NULL on OOM. */
char *syslog_msg_lost(const struct timespec *ts, const char *host, pid_t pid, uint64_t lost, uint64_t first,
		      uint64_t last, bool stream, size_t *out_len);

#endif
