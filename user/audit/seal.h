/* seal.h: forward-secure sealing of the audit chain: an HMAC per sync batch under a key that evolves after each. */
#ifndef MCPWARDEN_SEAL_H
#define MCPWARDEN_SEAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/sha256.h"

/*
 * The scheme. Epoch 0's key k0 is random (`audit keygen`) and is the verification key, kept off the host.
 * Epoch n's key seals once: a `seal` record carrying epoch n, the seq of the record before it and
 * mac = hex HMAC-SHA256(k(n), "mcpwarden-seal <epoch> <seq> <hash>"), hash the SHA-256 of that record's line (the
 * chain head, which depends on every record before it). Then k(n+1) = SHA-256("mcpwarden-seal" || k(n)), the
 * old key is wiped and the key file overwritten: a key read at epoch n computes the keys of n and later, never
 * an earlier one, so the seals made before it was read stay out of reach. Whoever holds k0 can seal anything:
 * it verifies only off the host.
 *
 * The key file, written in place at a fixed length (the one format, read and written by seal.c):
 *   "mcpwarden-seal-key v1 epoch <20 decimal digits> key <64 hex digits>\n"
 */
#define SEAL_KEY_BYTES	32
#define SEAL_HEX_LEN	(2 * SEAL_KEY_BYTES)
#define SEAL_FILE_LEN	(sizeof("mcpwarden-seal-key v1 epoch  key \n") - 1 + 20 + SEAL_HEX_LEN)

struct seal_key {
	uint64_t epoch;
	unsigned char key[SEAL_KEY_BYTES];
};

/* The daemon's sealing state: the key of the epoch to seal next, and its file, held open to be overwritten. */
struct audit_seal {
	bool on;
	int fd;
	char path[PATH_MAX];
	struct seal_key k;
};

/* Writes a new epoch-0 key to `path` (created O_EXCL, mode 0600, fsynced) and its hex into vkey. 0, or -1 (logged). */
int seal_keygen(const char *path, char vkey[SEAL_HEX_LEN + 1]);
/* Opens the key file `path` for reading and writing and reads its key. 0, or -1 (logged, naming the file). */
int seal_open(struct audit_seal *s, const char *path);
/* Moves s to the next epoch: evolves the key (the old one wiped) and overwrites the key file, fsynced.
 * 0, or -1 (logged) when the file could not be written (the key in memory has moved on all the same), or
 * when libcrypto failed (sealing then stops: s->on is false). */
int seal_advance(struct audit_seal *s);
/* Wipes the key and closes the file. */
void seal_close(struct audit_seal *s);

/* k(n) -> k(n+1), in place; the old key is wiped. 0, or -1 when libcrypto fails. */
int seal_evolve(struct seal_key *k);
/* The mac of the chain head (seq, hash) under k. 0, or -1 when libcrypto fails. */
int seal_mac(const struct seal_key *k, uint64_t seq, const char *hash, char mac[SHA256_HEX_LEN + 1]);
/* Parses SEAL_HEX_LEN hex digits (then NUL or a newline) into an epoch-0 key. 0, or -1. */
int seal_parse_hex(const char *hex, struct seal_key *k);

#endif
