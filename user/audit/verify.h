/* verify.h: checks an audit directory's hash chain, sequence and tail, and its seals given the verification key. */
#ifndef MCPWARDEN_VERIFY_H
#define MCPWARDEN_VERIFY_H

#include <stdint.h>

#include "audit/seal.h"

/* Called once per problem found, naming the segment and the seq. */
typedef void (*audit_problem_cb)(void *ctx, const char *segment, uint64_t seq, const char *what);

/* Walks every segment in order. Returns the number of problems (0: intact), or -1 when
 * the directory cannot be read; *records gets how many records were read.
 * With key (epoch 0's, the verification key; NULL: seals are not checked), also walks the epochs: each seal must
 * be the next epoch's and its mac must match the chain head recomputed from the records. A problem is then also a
 * seal that fails or is missing (epochs skipped), records after the last seal (unsealed: a live daemon's last
 * batch, or a cut tail), and a "recovered" record that says the head file was missing or ahead (records lost).
 * A failing seal's problem names the first bad seq: the one after the last seal that held. */
int audit_verify(const char *dir, const struct seal_key *key, audit_problem_cb cb, void *ctx, uint64_t *records);

#endif
