/* outq.c: a non-blocking output queue for one fd: writes straight through, queues the rest. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "shim/outq.h"

void outq_init(struct outq *q, int fd)
{
	memset(q, 0, sizeof(*q));
	q->fd = fd;
}

void outq_free(struct outq *q)
{
	free(q->buf);
	q->buf = NULL;
	q->off = q->len = q->cap = 0;
}

size_t outq_pending(const struct outq *q)
{
	return q->len - q->off;
}

/* Writes from data; returns bytes taken, marking the queue broken on hard errors. */
static size_t try_write(struct outq *q, const char *data, size_t n)
{
	size_t done = 0;

	while (done < n && q->fd >= 0 && !q->broken) {
		ssize_t w = write(q->fd, data + done, n - done);

		if (w > 0) {
			done += (size_t)w;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else if (w < 0 && errno == EAGAIN) {
			break;
		} else {
			if (errno != EPIPE)
				log_warn("write to fd %d", q->fd);
			q->broken = true;
		}
	}
	return done;
}

int outq_put(struct outq *q, const char *data, size_t n)
{
	size_t done = 0;

	if (q->broken || q->fd < 0)
		return 0;
	if (outq_pending(q) == 0) {
		q->off = q->len = 0;
		done = try_write(q, data, n);
		if (done == n || q->broken)
			return 0;
	}
	if (q->len + (n - done) > q->cap) {
		size_t live = outq_pending(q), cap = q->cap ? q->cap : 65536;
		char *nb;

		memmove(q->buf, q->buf + q->off, live);
		q->off = 0;
		q->len = live;
		while (cap < live + (n - done))
			cap *= 2;
		if (cap != q->cap) {
			nb = realloc(q->buf, cap);
			if (!nb)
				return -1;
			q->buf = nb;
			q->cap = cap;
		}
	}
	memcpy(q->buf + q->len, data + done, n - done);
	q->len += n - done;
	return 0;
}

void outq_flush(struct outq *q)
{
	q->off += try_write(q, q->buf + q->off, outq_pending(q));
	if (q->broken)
		q->off = q->len = 0;
}

void outq_close_when_empty(struct outq *q)
{
	if (q->fd >= 0 && (outq_pending(q) == 0 || q->broken)) {
		close(q->fd);
		q->fd = -1;
	}
}
