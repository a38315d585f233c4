/* chain.h: the daemon's tamper-evident audit log: hash-chained JSON lines in rotating segments. */
#ifndef MCPWARDEN_CHAIN_H
#define MCPWARDEN_CHAIN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "audit/head.h"
#include "audit/sealer.h"
#include "audit/syncer.h"
#include "common/sha256.h"

#define AUDIT_GENESIS	"0000000000000000000000000000000000000000000000000000000000000000"

/* Called with each record once it is written whole (audit_append's, and the "recovered", "seal" and "seal_failed"
 * records the log writes itself): its seq, the SHA-256 of its line (the new chain head), its kind and its line (no newline).
 * It must not wait: the event loop is the caller (--syslog queues it for a thread). */
typedef void (*audit_tap_fn)(void *ctx, uint64_t seq, const char *hash, const char *kind, const char *line,
			     size_t len);

struct audit_opts {
	const char *dir;
	const char *host;		/* NULL: gethostname() */
	size_t max_segment_bytes;	/* rotate past this; 0: 16 MiB */
	long fsync_ms;			/* fsync at most this long after a write; 0: every record */
	audit_tap_fn tap;		/* NULL: none */
	void *tap_ctx;
	const char *seal_key;		/* the key file to seal with (audit/sealer.h); NULL: none */
	long seal_ms;			/* a seal at least this often, records or not; 0: AUDIT_SEAL_IDLE_MS */
};

#define AUDIT_SEAL_IDLE_MS	60000	/* the time of the last seal tells how fresh a sealed trail is */

struct audit_log {
	char dir[PATH_MAX];
	char host[256];
	size_t max_bytes;
	long fsync_ms;
	int fd;				/* the live segment */
	char live[64];
	size_t bytes;			/* in the live segment */
	uint64_t next_seq;
	char prev[SHA256_HEX_LEN + 1];	/* hash of the last line written */
	struct audit_syncer syncer;	/* makes the records durable off the event loop (audit_tick) */
	uint64_t last_sync_ns;
	bool dirty;
	pid_t compressor;		/* the child compressing the last segment rotated out; 0: none */
	audit_tap_fn tap;
	void *tap_ctx;
	struct audit_seal seal;		/* off unless opts.seal_key */
	uint64_t sealed_seq;		/* the last seal record */
	uint64_t last_seal_ns;
	uint64_t seal_ns;		/* opts.seal_ms */
	unsigned seal_behind;		/* failed syncs since a seal whose key the file does not hold yet */
};

#define SEAL_MAX_BEHIND	3	/* that many, and sealing stops (a seal_failed record): no seal is made meanwhile */

/* Opens (creating) the log. A partial or unreadable tail left by a crash is truncated, and a "recovered" record
 * says how much, and whether the head file was missing or named records that are gone (a lost newest segment).
 * With opts.seal_key, a key file that sealer_open or sealer_resume refuses fails the open. Returns 0, or -1
 * (logged). */
int audit_open(struct audit_log *a, const struct audit_opts *o);
/* Appends a record of kind with rec's fields after seq, ts, host, prev, kind; takes rec. */
int audit_append(struct audit_log *a, const char *kind, cJSON *rec);
/* Hands the records written since the last sync to the sync thread when the interval has passed (a failed sync
 * is asked again), and reaps a segment's compressor that ended. Call it from the event loop: it does not wait.
 * When sealing, every sync first seals what it syncs, and a seal is made at least every seal_ms even with no new
 * record; a key file that can't be written stops sealing, in a "seal_failed" record too (audit/sealer.h). */
void audit_tick(struct audit_log *a, uint64_t now_ns);
/* Syncs (and seals) every record written so far and the head before it returns (after the thread's sync in
 * flight). 0 or -1. */
int audit_sync(struct audit_log *a);
void audit_close(struct audit_log *a);

#endif
