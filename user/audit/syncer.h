/* syncer.h: a thread that makes the audit log durable off the daemon's event loop: fdatasync, then the head file. */
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
 * writes the head, and only then counts the records as synced. One sync runs at a time; the thread touches
 * nothing else of the log.
 */
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
	char dir[PATH_MAX];	/* the log's directory (its head file's), and for messages */
};

/* Starts the thread for the log in `dir`, whose records up to `synced_seq` are on disk. 0, or -1 (logged). */
int syncer_start(struct audit_syncer *s, const char *dir, uint64_t synced_seq);
/* Hands over the sync of `fd`'s data up to record seq (hash). 1 when one is still running (nothing
 * asked), 0 when handed over, -1 when fd could not be duplicated (logged). */
int syncer_ask(struct audit_syncer *s, int fd, uint64_t seq, const char *hash);
/* Waits until no sync runs; then says what the last ones did: *synced_seq, and whether one failed since the
 * last call (that failure is then forgotten). */
void syncer_wait(struct audit_syncer *s, uint64_t *synced_seq, bool *failed);
/* Without waiting, not even for the lock: the same, or false while a sync runs (or the thread holds the lock). */
bool syncer_poll(struct audit_syncer *s, uint64_t *synced_seq, bool *failed);
/* Syncs fd and writes the head in the calling thread (after syncer_wait): 0, or -1 (logged). */
int syncer_sync_now(struct audit_syncer *s, int fd, uint64_t seq, const char *hash);
/* Waits for the sync in flight and ends the thread. */
void syncer_stop(struct audit_syncer *s);
/* Reads the head file of the log in `dir`, the one the thread writes: 1 with *seq and hash set, 0 when there is
 * none, -1 when it can't be read or parsed (not logged: the callers say what it means to them). */
int head_read(const char *dir, uint64_t *seq, char hash[SHA256_HEX_LEN + 1]);

#endif
