/* outq.h: a non-blocking output queue for one fd: writes straight through, queues the rest. */
#ifndef MCPWARDEN_OUTQ_H
#define MCPWARDEN_OUTQ_H

#include <stdbool.h>
#include <stddef.h>

struct outq {
	int fd;			/* -1 once closed or broken */
	char *buf;
	size_t off, len, cap;	/* pending bytes are buf[off..len) */
	bool broken;		/* the reader went away (EPIPE) */
};

void outq_init(struct outq *q, int fd);
void outq_free(struct outq *q);
/* Queues n bytes, writing what the fd takes now. Returns 0, or -1 (ENOMEM). A broken
 * reader is not an error: the bytes are dropped and q->broken is set. */
int outq_put(struct outq *q, const char *data, size_t n);
/* Writes what it can on POLLOUT. Returns 0 or -1 (ENOMEM never; errors mark broken). */
void outq_flush(struct outq *q);
size_t outq_pending(const struct outq *q);
/* Closes the fd after the queue drains (call again after flushes). */
void outq_close_when_empty(struct outq *q);

#endif
