/* textbuf.h: a growable byte buffer, for decoded strings and rewritten config text. */
#ifndef MCPWARDEN_TEXTBUF_H
#define MCPWARDEN_TEXTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* s is NUL-terminated after each append (s[n] == 0); failed is sticky: once an allocation
 * fails every later append is a no-op, so callers check it once at the end. */
struct textbuf {
	char *s;
	size_t n, cap;
	bool failed;
};

void tb_put(struct textbuf *b, const void *p, size_t n);
void tb_puts(struct textbuf *b, const char *s);
/* Appends code point cp as UTF-8 (a lone surrogate as its three-byte form). */
void tb_utf8(struct textbuf *b, uint32_t cp);
/* Appends s as a double-quoted string that is both a JSON string and a TOML basic string. */
void tb_quoted(struct textbuf *b, const char *s);
/* Hands the text to the caller (NULL when an append failed) and empties b. */
char *tb_take(struct textbuf *b, size_t *n);
void tb_free(struct textbuf *b);

#endif
