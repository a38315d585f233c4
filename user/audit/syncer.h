/* syncer.h: a thread that makes the audit log durable off the daemon's event loop: fdatasync, the head, the key. */
#ifndef MCPWARDEN_SYNCER_H
#define MCPWARDEN_SYNCER_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/sha256.h"

/*
 * fdatasync of a busy disk can take tens of milliseconds, and the head file's fsync as long again: in the event
 * loop, every call_start ack behind them would wait. The loop hands a sync over (syncer_ask) and goes on; the
 * thread syncs a duplicate of the segment's descriptor (so a rotation may close the segment meanwhile), then
 * writes the head, and only then counts the records as synced; then, when asked, it writes the sealing key file
 * (step 3 of audit/sealer.h: after the seal record is on disk). One sync runs at a time; the thread touches nothing
 * else of the log.
 */
struct audit_seal;

struct audit_syncer {
	pthread_t thread;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;		/* guarded by mu, as are the fields below */
	int fd;			/* the sync asked for: a dup of the segment's descriptor; -1 when none */
	uint64_t seq;		/* its last record */
	char hash[SHA256_HEX_LEN + 1];
	bool busy;		/* a sync is asked for or running */
	uint64_t synced_seq;	/* the last record a finished sync made durable */
	bool failed;		/* the last sync failed (logged): its records are to be synced again */
	const struct audit_seal *key;	/* the sync asked for stores this key after the head; NULL: no key */
	int key_rc;		/* what the last key store did: 1 done, -1 failed (logged), 0 none asked or tried */
	char dir[PATH_MAX];	/* the log's directory (its head file's), and for messages */
};

/* Starts the thread for the log in `dir`, whose records up to `synced_seq` are on disk. 0, or -1 (logged). */
int syncer_start(struct audit_syncer *s, const char *dir, uint64_t synced_seq);
/* What the syncs since the last look did. */
struct syncer_result {
	uint64_t synced_seq;	/* the last record made durable */
	bool failed;		/* a sync failed since the last look (then forgotten): its records are to be synced again */
	int key;		/* the last sync's key store: 1 done, -1 failed, 0 none asked, or not tried (its sync failed) */
};

/* Hands over the sync of `fd`'s data up to record seq (hash), and when key is not NULL, then the store of that key
 * (sealer_store): the caller changes nothing of *key until the sync ends (syncer_wait or syncer_poll says so). 1 when
 * one is still running (nothing asked), 0 when handed over, -1 when fd could not be duplicated (logged). */
int syncer_ask(struct audit_syncer *s, int fd, uint64_t seq, const char *hash, const struct audit_seal *key);
/* Waits until no sync runs; then says what the last ones did. */
void syncer_wait(struct audit_syncer *s, struct syncer_result *r);
/* Without waiting, not even for the lock: the same, or false while a sync runs (or the thread holds the lock). */
bool syncer_poll(struct audit_syncer *s, struct syncer_result *r);
/* Syncs fd, writes the head, then stores key (NULL: none) in the calling thread, after syncer_wait; *key_rc as
 * syncer_result's key. 0, or -1 when the records or the head failed (logged). */
int syncer_sync_now(struct audit_syncer *s, int fd, uint64_t seq, const char *hash, const struct audit_seal *key,
		    int *key_rc);
/* Waits for the sync in flight and ends the thread. */
void syncer_stop(struct audit_syncer *s);

#endif
