/* sealer.h: the audit log's sealer: its key in memory, the seal records, and the key file that follows them. */
#ifndef MCPWARDEN_SEALER_H
#define MCPWARDEN_SEALER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <cJSON.h>

#include "audit/seal.h"

/*
 * The order of a seal, so that no epoch seals twice whatever a crash cuts short:
 * 1. sealer_record: the seal record's fields, the mac under k(n); the log writes the record;
 * 2. sealer_next, once the record is written: k(n+1) replaces k(n) in memory (k(n) wiped), and is `pending`;
 * 3. sealer_store, by whoever syncs the log, once the seal record is on disk: the key file gets k(n+1), fsynced.
 * A crash between 1 and 3 leaves the file at epoch n with seal n in the trail: the next start's sealer_resume moves
 * the key past the trail's last seal. Until 3, the file still holds k(n): whoever reads it in that window (a sync's
 * length) can remake seal n over other records since seal n-1. A key file that can't be written stops sealing
 * (sealer_fail): the records after it show as unsealed; none is sealed under a key the file still holds.
 */
struct audit_seal {
	bool on;		/* sealing: false without a key file, or once it stopped (`stopped` says why) */
	bool pending;		/* the key in memory is past the file's: the next sync stores it (sealer_store) */
	int fd;			/* the key file, read-write, its flock held; -1: none */
	char path[PATH_MAX];
	struct seal_key *k;	/* the next seal's key, alone in a page: locked, left out of core dumps, wiped in a
				 * forked child (the compressor); NULL when not sealing */
	char stopped[160];	/* why sealing stopped; "" while it runs, or when it never ran */
};

/* Opens the key file `path` (audit/seal_file.h: its checks and lock) for sealing, its key in a locked page, and makes
 * the process not dumpable (no core dump, no ptrace but by root's CAP_SYS_PTRACE). 0, or -1 (logged). */
int sealer_open(struct audit_seal *s, const char *path);
/* At a start, after the log's resume: reads the last seal in the trail in `dir` (newest segment first), and when
 * the key is not past it (the last daemon stopped between steps 1 and 3), checks that the key made it (a new key
 * file, or a foreign one, on a sealed trail is refused: neither key would verify the whole trail) and moves the key
 * and the file to the epoch after it; refused (-1, logged, naming the file and both epochs) when that is
 * SEAL_MAX_GAP epochs or more. A trail whose last seal is more than one epoch behind the key file is logged (seals
 * lost or cut). 0 or -1. */
int sealer_resume(struct audit_seal *s, const char *dir);
/* Step 1: the seal record's fields {epoch, sealed_seq, mac} for the chain head (seq, hash) in a record stamped ts.
 * NULL when libcrypto fails. */
cJSON *sealer_record(const struct audit_seal *s, uint64_t seq, const char *hash, const char *ts);
/* Step 2. 0, or -1 when libcrypto fails (the key is then wiped: the caller stops sealing). */
int sealer_next(struct audit_seal *s);
/* Step 3, from the sync thread or in place: the caller changes nothing of s meanwhile. 0, or -1 (logged). */
int sealer_store(const struct audit_seal *s);
/* Stops sealing (fail closed), logged naming the key file and why: the key is wiped, the lock stays. */
void sealer_fail(struct audit_seal *s, const char *why);
/* Wipes the key, frees its page, closes the file (its lock goes). */
void sealer_close(struct audit_seal *s);

#endif
