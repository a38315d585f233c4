/* read_rate.c: the rate limit on the read-only control requests (status, ps, subscribe): a token bucket per policed server, and per uid outside servers. */
#include <time.h>

#include "common/log.h"
#include "control.h"
#include "daemon/control/read_rate.h"

#define NS_PER_S	1000000000ull
#define INTERVAL_NS	(NS_PER_S / CTL_READ_RATE)	/* one token's worth */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* The bucket of (server, uid): its own, else a free or full one taken for it (full: as a new key's); NULL when
 * every bucket is another key's and in debt. */
static struct read_bucket *bucket(struct read_rate *r, uint32_t server, uid_t uid, uint64_t now)
{
	struct read_bucket *spare = NULL;

	for (unsigned i = 0; i < READ_RATE_KEYS; i++) {
		struct read_bucket *b = &r->keys[i];

		if (b->tat && b->server == server && b->uid == uid)
			return b;
		if (!spare && b->tat <= now)
			spare = b;
	}
	if (spare)
		*spare = (struct read_bucket){ .server = server, .uid = uid, .tat = now };
	return spare;
}

uint64_t read_rate_take(struct read_rate *r, pid_t pid, uid_t uid, uint32_t server)
{
	uint64_t now = now_ns(), debt;
	struct read_bucket *b;

	if (!server && uid == 0)
		return 0;
	if (!(b = bucket(r, server, server ? 0 : uid, now)))
		return INTERVAL_NS;
	if (b->tat <= now) {	/* full again: a run of refusals, if any, is over */
		b->tat = now;
		b->over = false;
	}
	/* CTL_READ_BURST tokens when full: a request goes while its debt stays within the burst. */
	debt = b->tat - now;
	if (debt > (CTL_READ_BURST - 1) * INTERVAL_NS) {
		if (!b->over)
			log_warnx("peer pid %d uid %u (%s %u): more than %d status, ps and subscribe requests a second; "
				  "refused until its rate falls", pid, uid, server ? "policed server" : "uid",
				  server ? server : uid, CTL_READ_RATE);
		b->over = true;
		return debt - (CTL_READ_BURST - 1) * INTERVAL_NS;
	}
	b->tat += INTERVAL_NS;
	return 0;
}
