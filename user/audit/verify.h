/* verify.h: checks an audit directory's hash chain, sequence and tail. */
#ifndef MCPWARDEN_VERIFY_H
#define MCPWARDEN_VERIFY_H

#include <stdint.h>

/* Called once per problem found, naming the segment and the seq. */
typedef void (*audit_problem_cb)(void *ctx, const char *segment, uint64_t seq, const char *what);

/* Walks every segment in order. Returns the number of problems (0: intact), or -1 when
 * the directory cannot be read; *records gets how many records were read. */
int audit_verify(const char *dir, audit_problem_cb cb, void *ctx, uint64_t *records);

#endif
