/* syslog_fwd.h: sends every audit record to syslog (--syslog) from a thread of its own, losses counted. */
#ifndef MCPWARDEN_SYSLOG_FWD_H
#define MCPWARDEN_SYSLOG_FWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "audit/syslog_target.h"

/*
 * The event loop never waits on the collector. syslog_fwd_record formats the message and queues it; the sender
 * thread connects, sends in order, and on a failure closes, waits (0.5 s doubling to 30 s) and sends the same
 * message again on a new connection. A stream is checked for the collector's close before each send (as
 * rsyslog's omfwd does), but a message sent just before a collector restarts can still be lost unseen: syslog
 * over TCP acknowledges nothing. A collector may also see a message twice, when a send failed after the kernel
 * took part of it; the seq tells both apart.
 * Losses: the queue holds at most SYSLOG_QUEUE_BYTES, and records of the kinds a busy process floods (fork,
 * exit, net, sock_state) only SYSLOG_BULK_BYTES of it, so a flood of those can't crowd out an exec, a deny or
 * a call. A record that does not fit, or a datagram too large for the transport (EMSGSIZE), is lost and
 * counted:
 * - the collector learns it from a syslog_lost notice (syslog_msg_lost) queued ahead of the next record that
 *   fits, outside the bound, so the notice itself is never lost to a full queue;
 * - syslog_fwd_take_lost hands the new losses to the caller, which writes them into the trail as a syslog_lost
 *   record (forwarded in turn; one that is lost itself is not handed back, or the losses would feed on
 *   themselves).
 * At stop, what the collector has not taken within SYSLOG_STOP_WAIT_MS (plus one send or connect in flight, at
 * most SYSLOG_SEND_TIMEOUT_MS) is lost too, and logged.
 * UDP is connectionless: a collector that is down at start or later is not seen, and what is sent meanwhile
 * is gone unnoticed.
 */
#define SYSLOG_QUEUE_BYTES	(16u << 20)
#define SYSLOG_BULK_BYTES	(SYSLOG_QUEUE_BYTES / 4 * 3)
#define SYSLOG_SEND_TIMEOUT_MS	5000
#define SYSLOG_STOP_WAIT_MS	3000

struct syslog_fwd;

/* Connects to t once (so a target that is wrong stops the start, with why naming it) and starts the sender.
 * host: the trail's host name, in every message. NULL with why set. */
struct syslog_fwd *syslog_fwd_start(const struct syslog_target *t, const char *host, char *why, size_t whylen);
/* Queues the record written to the trail at seq, whose line hashes to hash. Never waits on the network. */
void syslog_fwd_record(struct syslog_fwd *f, uint64_t seq, const char *hash, const char *kind, const char *line,
		       size_t len);
/* The records lost since the last call, with the first and last such seq; false when none. */
bool syslog_fwd_take_lost(struct syslog_fwd *f, uint64_t *lost, uint64_t *first, uint64_t *last);
/* {"target","connected","sent","lost","queued","queued_bytes","reconnects","last_error"} for status. */
cJSON *syslog_fwd_json(struct syslog_fwd *f);
/* Sends what is queued, for SYSLOG_STOP_WAIT_MS at most, stops the thread and frees f; the rest is logged lost. */
void syslog_fwd_stop(struct syslog_fwd *f);

#endif
