/* seal.h: forward-secure sealing of the audit chain: the scheme, and its key's evolution and mac (libcrypto). */
#ifndef MCPWARDEN_SEAL_H
#define MCPWARDEN_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/sha256.h"

/*
 * The scheme, in the spirit of journald's Forward Secure Sealing:
 * - k0, random (`audit keygen`), is the verification key. It can seal as well as verify, so it is printed once and
 *   kept off the host; the key file on the host starts at k1.
 * - k(n+1) = SHA-256("mcpwarden-seal" || k(n)): one way, so k(n) gives every later key and no earlier one.
 * - The daemon's seals are `seal` records of epochs 1, 2, 3... without a gap, the n-th {epoch n, sealed_seq S,
 *   mac}: mac = hex HMAC-SHA256(k(n), "mcpwarden-seal <n> <S> <hash> <ts>"), S the seq of the record before the
 *   seal, hash the SHA-256 of that record's line (the chain head: it depends on every record before it), ts the
 *   seal record's own ts, so that the time of the last seal, which tells how fresh the trail is, can't be moved.
 * - Whoever reads the host's key at epoch n can make the seals of n and later, never an earlier one: the trail up
 *   to the last seal made before that read stays as it was sealed.
 * How the daemon orders the seal and the key file's update: audit/sealer.h. What verify checks: audit/verify.h.
 */
#define SEAL_KEY_BYTES	32
#define SEAL_HEX_LEN	(2 * SEAL_KEY_BYTES)
#define SEAL_TS_MAX	40		/* a seal's ts is shorter ("2026-11-28T08:55:50.123456Z"); longer is unreadable */
#define SEAL_MAX_GAP	(1u << 20)	/* the most epochs a daemon's start, or a verify in all, walks across a gap */
#define SEAL_EPOCH_MAX	(1ull << 52)	/* epochs are JSON numbers in the records: exact well past this */

struct seal_key {
	uint64_t epoch;
	unsigned char key[SEAL_KEY_BYTES];
};

/* k(n) -> k(n+1), in place, every copy of k(n) wiped. 0, or -1 when libcrypto fails (k is then wiped). */
int seal_evolve(struct seal_key *k);
/* The mac of the chain head (seq, hash) in the seal record stamped ts, under k. 0, or -1 when libcrypto fails or
 * ts is not shorter than SEAL_TS_MAX. */
int seal_mac(const struct seal_key *k, uint64_t seq, const char *hash, const char *ts,
	     char mac[SHA256_HEX_LEN + 1]);
/* Parses SEAL_HEX_LEN hex digits, then NUL or one newline, into k->key, with k->epoch 0. 0, or -1. */
int seal_parse_hex(const char *hex, struct seal_key *k);
/* k->key as SEAL_HEX_LEN lowercase hex digits and a NUL. */
void seal_hex(const struct seal_key *k, char hex[SEAL_HEX_LEN + 1]);

#endif
