/* linebuf.h: splits a byte stream into newline-terminated lines under a length cap. */
#ifndef MCPWARDEN_LINEBUF_H
#define MCPWARDEN_LINEBUF_H

#include <stdbool.h>
#include <stddef.h>

#define LINEBUF_HEAD 4096	/* bytes of an oversized line kept to name it */

enum linebuf_event {
	LINEBUF_LINE,		/* data..len is one line, terminator included */
	LINEBUF_OVERSIZE,	/* data..len is the head of a line longer than the cap */
};

/* Returns 0 to go on, -1 to stop feeding (the error is the callback's to report). */
typedef int (*linebuf_cb)(void *ctx, enum linebuf_event ev, const char *data, size_t len);

struct linebuf {
	char *buf;		/* bytes of the unfinished line */
	size_t len, cap;
	size_t max;		/* longest line accepted, terminator included */
	bool overflow;		/* skipping the rest of an oversized line */
	size_t skipped;		/* bytes of that line seen so far */
};

void linebuf_init(struct linebuf *lb, size_t max_line);
void linebuf_free(struct linebuf *lb);
/* Feeds n bytes; calls cb for every finished line. Returns 0, or -1 on ENOMEM or a cb stop. */
int linebuf_feed(struct linebuf *lb, const char *data, size_t n, linebuf_cb cb, void *ctx);
/* At EOF: delivers an unterminated last line, if any. */
int linebuf_finish(struct linebuf *lb, linebuf_cb cb, void *ctx);
/* Strips "\n" or "\r\n" from a delivered line's length. */
size_t linebuf_trim(const char *line, size_t len);

#endif
