/* linebuf.c: splits a byte stream into newline-terminated lines under a length cap. */
#include <stdlib.h>
#include <string.h>

#include "shim/linebuf.h"

void linebuf_init(struct linebuf *lb, size_t max_line)
{
	memset(lb, 0, sizeof(*lb));
	lb->max = max_line < LINEBUF_HEAD ? LINEBUF_HEAD : max_line;
}

void linebuf_free(struct linebuf *lb)
{
	free(lb->buf);
	lb->buf = NULL;
	lb->len = lb->cap = 0;
}

static int append(struct linebuf *lb, const char *data, size_t n)
{
	if (lb->len + n > lb->cap) {
		size_t cap = lb->cap ? lb->cap : 65536;
		char *nb;

		while (cap < lb->len + n)
			cap *= 2;
		nb = realloc(lb->buf, cap);
		if (!nb)
			return -1;
		lb->buf = nb;
		lb->cap = cap;
	}
	memcpy(lb->buf + lb->len, data, n);
	lb->len += n;
	return 0;
}

/* Starts skipping an oversized line, keeping its head in buf. */
static void start_overflow(struct linebuf *lb, size_t seen)
{
	lb->overflow = true;
	lb->skipped = seen;
	if (lb->len > LINEBUF_HEAD)
		lb->len = LINEBUF_HEAD;
}

/* Consumes bytes of a line being skipped; returns how many were used. */
static size_t skip_overflow(struct linebuf *lb, const char *data, size_t n,
			    linebuf_cb cb, void *ctx, int *rc)
{
	const char *nl = memchr(data, '\n', n);
	size_t used = nl ? (size_t)(nl - data) + 1 : n;

	lb->skipped += used;
	if (nl) {
		lb->overflow = false;
		*rc = cb(ctx, LINEBUF_OVERSIZE, lb->buf, lb->len);
		lb->len = 0;
	}
	return used;
}

int linebuf_feed(struct linebuf *lb, const char *data, size_t n, linebuf_cb cb, void *ctx)
{
	int rc = 0;

	while (n > 0 && rc == 0) {
		const char *nl;
		size_t used;

		if (lb->overflow) {
			used = skip_overflow(lb, data, n, cb, ctx, &rc);
			data += used;
			n -= used;
			continue;
		}
		nl = memchr(data, '\n', n);
		used = nl ? (size_t)(nl - data) + 1 : n;
		if (lb->len + used > lb->max) {
			size_t keep = lb->len < LINEBUF_HEAD ? LINEBUF_HEAD - lb->len : 0;

			if (keep > used)
				keep = used;
			if (append(lb, data, keep) < 0)
				return -1;
			start_overflow(lb, lb->len + (used - keep));
			if (nl) {
				lb->overflow = false;
				rc = cb(ctx, LINEBUF_OVERSIZE, lb->buf, lb->len);
				lb->len = 0;
			}
		} else if (nl && lb->len == 0) {
			rc = cb(ctx, LINEBUF_LINE, data, used);	/* whole line in the chunk: no copy */
		} else {
			if (append(lb, data, used) < 0)
				return -1;
			if (nl) {
				rc = cb(ctx, LINEBUF_LINE, lb->buf, lb->len);
				lb->len = 0;
			}
		}
		data += used;
		n -= used;
	}
	return rc;
}

int linebuf_finish(struct linebuf *lb, linebuf_cb cb, void *ctx)
{
	int rc = 0;

	if (lb->overflow)
		rc = cb(ctx, LINEBUF_OVERSIZE, lb->buf, lb->len);
	else if (lb->len > 0)
		rc = cb(ctx, LINEBUF_LINE, lb->buf, lb->len);
	lb->overflow = false;
	lb->len = 0;
	return rc;
}

size_t linebuf_trim(const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	return len;
}
