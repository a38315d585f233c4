/* read_rate.h: the rate limit on the read-only control requests (status, ps, subscribe): a token bucket per policed server, and per uid outside servers. */
#ifndef MCPWARDEN_READ_RATE_H
#define MCPWARDEN_READ_RATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define READ_RATE_KEYS	256	/* buckets held at once; a bucket that is full again is free for another key */

/* One key's bucket, as a theoretical arrival time (GCRA): full when `tat` is not later than now. */
struct read_bucket {
	uint32_t server;		/* the policed server whose processes ask, or 0 */
	uid_t uid;			/* with server 0: the uid that asks */
	uint64_t tat;			/* CLOCK_MONOTONIC ns; 0: the slot is free */
	bool over;			/* refused since it was last full (logged once per such run) */
};

struct read_rate {
	struct read_bucket keys[READ_RATE_KEYS];
};

/*
 * Takes a token for one read-only request of peer pid `pid`, uid `uid`, seen in policed server `server` (0:
 * none), as include/control.h states: the peers of a policed server share that server's bucket, the peers of
 * one uid outside servers share the uid's, and root outside servers is not limited. 0: go on; else the ns until
 * a token is due (the request is refused). The first refusal since the bucket was last full is logged, naming
 * the peer and its key.
 * With READ_RATE_KEYS other keys in debt at once, a new key is refused as over its limit.
 */
uint64_t read_rate_take(struct read_rate *r, pid_t pid, uid_t uid, uint32_t server);

#endif
