/* seal_file.h: the sealing key file: its one format, its creation (keygen), and opening it for the daemon or verify. */
#ifndef MCPWARDEN_SEAL_FILE_H
#define MCPWARDEN_SEAL_FILE_H

#include "audit/seal.h"

/*
 * The key file holds the key of the epoch the daemon seals next (audit/seal.h), written in place at a fixed length:
 *   "mcpwarden-seal-key v1 epoch <20 decimal digits> key <64 hex digits>\n"
 * Its epoch is from 1 (epoch 0's key is the verification key, never on the host) to SEAL_EPOCH_MAX.
 * Every open is O_NOFOLLOW (a symbolic link is refused) and wants a regular file.
 */
#define SEAL_FILE_LEN	(sizeof("mcpwarden-seal-key v1 epoch  key \n") - 1 + 20 + SEAL_HEX_LEN)

/* Draws k0, writes k1 to a new `path` (O_EXCL, mode 0600, fsynced) and k0's hex into vkey. 0, or -1 (logged). */
int seal_keygen(const char *path, char vkey[SEAL_HEX_LEN + 1]);
/* Opens `path` for the daemon, read-write, and reads its key into *k. Refused, logged naming the file and what is
 * wrong, unless it is a regular file owned by the effective user that neither group nor others may read or write
 * (mode & 077 == 0), and unless this process takes its flock (LOCK_EX, not waiting: a second daemon on the same key
 * file is refused). Returns the descriptor (the lock lasts until it is closed), or -1. */
int seal_file_open(const char *path, struct seal_key *k);
/* Reads `path`'s key, read-only (verify --key-file). 0, or -1 (logged, naming it). */
int seal_file_read(const char *path, struct seal_key *k);
/* Overwrites the key file fd (path, for messages) with k, and fsyncs it. 0, or -1 (logged, naming it). */
int seal_file_store(int fd, const char *path, const struct seal_key *k);

#endif
