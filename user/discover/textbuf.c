/* textbuf.c: a growable byte buffer, for decoded strings and rewritten config text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover/textbuf.h"

void tb_put(struct textbuf *b, const void *p, size_t n)
{
	if (b->failed)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *s;

		while (cap < b->n + n + 1)
			cap *= 2;
		if (!(s = realloc(b->s, cap))) {
			b->failed = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	if (n)
		memcpy(b->s + b->n, p, n);
	b->n += n;
	b->s[b->n] = '\0';
}

void tb_puts(struct textbuf *b, const char *s)
{
	tb_put(b, s, strlen(s));
}

void tb_utf8(struct textbuf *b, uint32_t cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | cp >> 18);
		u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	tb_put(b, u, n);
}

void tb_quoted(struct textbuf *b, const char *s)
{
	tb_put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			tb_put(b, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {	/* TOML wants DEL escaped too */
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			tb_put(b, esc, 6);
		} else {
			tb_put(b, &c, 1);
		}
	}
	tb_put(b, "\"", 1);
}

char *tb_take(struct textbuf *b, size_t *n)
{
	char *s = b->failed ? NULL : b->s;

	if (!s && !b->failed)
		s = calloc(1, 1);	/* nothing appended: an empty string */
	if (n)
		*n = b->n;
	if (b->failed)
		free(b->s);
	memset(b, 0, sizeof(*b));
	return s;
}

void tb_free(struct textbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}
