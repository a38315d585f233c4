/* verify.h: checks an audit directory's hash chain, sequence and tail, and its seals given the verification key. */
#ifndef MCPWARDEN_VERIFY_H
#define MCPWARDEN_VERIFY_H

#include <stdint.h>

#include "audit/seal.h"

#define SEAL_MAX_FILE_AHEAD	(1u << 24)	/* the most epochs a key file is walked past the trail's last seal */

/* Called once per problem found, naming the segment and the seq. */
typedef void (*audit_problem_cb)(void *ctx, const char *segment, uint64_t seq, const char *what);

/* The seals' part of a verify (audit/seal.h): what it is given, and what it found. */
struct verify_seals {
	const struct seal_key *key;	/* epoch 0's key: the verification key */
	const struct seal_key *file;	/* the daemon's key file as read (seal_file_read); NULL: not compared */
	uint64_t seq, epoch;		/* out: the last seal that held (seq 0: none) */
	char ts[SEAL_TS_MAX];		/* out: its ts */
};

/*
 * Walks every segment in order. Returns the number of problems (0: intact), or -1 when the directory cannot be
 * read; *records gets how many records were read. With seals (NULL: they are not checked), it also walks the epochs
 * from the verification key, one evolution a seal, and these are problems too:
 * - a seal of another epoch than the next (1 first): behind it, a replayed seal; past it, seals missing (records or
 *   a segment deleted, a tail cut back to a seal, a segment lost). Such gaps are walked across, so that the seals
 *   after one are still checked, up to SEAL_MAX_GAP epochs in all; past that no later seal is checked;
 * - a seal whose mac does not match the chain head the records before it hash to, and its own ts;
 * - no seal at all (an empty directory too); records after the last seal (a running daemon's last batch, or a cut
 *   tail); records between the last seal and a daemon's start (recovered or daemon_start: the daemon before it
 *   was killed, crashed or did not seal; the next seal took them as they were found, so they are flagged as
 *   unsealed, not as forged); a "recovered" record that found the head file missing or ahead (records lost); a
 *   "seal_failed" record;
 * - with seals->file: a key file whose key is not its epoch's (walked SEAL_MAX_FILE_AHEAD epochs past the trail's
 *   last seal at most), or whose epoch is not the one after the trail's last seal: further on, seals missing at the
 *   end (a tail cut back to a seal, with head.json rewritten); behind, a copy put back, or a key file that did not
 *   move on (for a moment after each seal of a running daemon too: audit/sealer.h).
 * A seal's problem names the first bad seq: the one after the last seal that held with all before it.
 */
int audit_verify(const char *dir, struct verify_seals *seals, audit_problem_cb cb, void *ctx, uint64_t *records);

#endif
