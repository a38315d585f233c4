/* jsonc.h: a tokenizer for JSON with comments and trailing commas (JSONC) that records where each value's bytes are. */
#ifndef MCPWARDEN_JSONC_H
#define MCPWARDEN_JSONC_H

#include <stddef.h>

#include "discover/textbuf.h"

enum jv_type { JV_OBJECT, JV_ARRAY, JV_STRING, JV_NUMBER, JV_LITERAL };

struct jv {
	enum jv_type type;
	size_t start, end;		/* the value's bytes: text[start, end) */
	size_t key_start, key_end;	/* an object member's key token, quotes included; 0, 0 otherwise */
	size_t comma;			/* the comma after it in its container; 0 when none */
	int first, next;		/* first child, next sibling: indices into v, or -1 */
};

struct jsonc {
	struct jv *v;		/* v[0] is the document's value */
	size_t n, cap;
	size_t err_at;		/* after a failure: the offset of the first byte found wrong */
	const char *why;	/* after a failure: what is wrong there */
};

/*
 * Tokenises text as one JSONC document: one value, with whitespace, // and block
 * comments around any token, and a trailing comma allowed in arrays and objects.
 * Strings, numbers and literals are checked against JSON's grammar; anything after
 * the value but whitespace and comments is an error. Returns 0, or -1 with err_at
 * and why set. Free d with jsonc_free either way.
 */
int jsonc_parse(struct jsonc *d, const char *text, size_t len);
void jsonc_free(struct jsonc *d);
/* The member of object obj whose key decodes to key: its index, -1 when there is none,
 * -2 when two members have it. */
int jsonc_member(const struct jsonc *d, const char *text, int obj, const char *key);
/* Appends the decoded text of a string token tok[0, len) (quotes included, as
 * jsonc_parse checked it) to b. */
void jsonc_string(const char *tok, size_t len, struct textbuf *b);

#endif
