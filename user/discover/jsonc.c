/* jsonc.c: a tokenizer for JSON with comments and trailing commas (JSONC) that records where each value's bytes are. */
#include <stdlib.h>
#include <string.h>

#include "discover/jsonc.h"

#define JSONC_MAX_DEPTH	256

struct jp {
	const char *s;
	size_t len, pos;
	struct jsonc *d;
	int depth;
};

static int fail(struct jp *p, size_t at, const char *why)
{
	p->d->err_at = at;
	p->d->why = why;
	return -1;
}

/* Skips whitespace and comments; -1 on a comment left open or a '/' that starts none. */
static int skip(struct jp *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			p->pos++;
		} else if (c == '/' && p->pos + 1 < p->len && p->s[p->pos + 1] == '/') {
			/* VS Code ends a line comment at CR, U+2028 and U+2029 too: text after one of those would be
			 * a comment here and JSON there, and a server could run unwrapped. Refuse the ambiguity. */
			for (; p->pos < p->len && p->s[p->pos] != '\n'; p->pos++) {
				const char *u = p->s + p->pos;

				if ((*u == '\r' && (p->pos + 1 >= p->len || u[1] != '\n')) ||
				    (p->pos + 2 < p->len && (unsigned char)u[0] == 0xe2 && (unsigned char)u[1] == 0x80 &&
				     ((unsigned char)u[2] == 0xa8 || (unsigned char)u[2] == 0xa9)))
					return fail(p, p->pos, "a line comment holds a CR or U+2028/U+2029, where some "
						    "clients end it and others don't");
			}
		} else if (c == '/' && p->pos + 1 < p->len && p->s[p->pos + 1] == '*') {
			const char *end = memmem(p->s + p->pos + 2, p->len - p->pos - 2, "*/", 2);

			if (!end)
				return fail(p, p->pos, "a comment is not closed (*/ missing)");
			p->pos = (size_t)(end - p->s) + 2;
		} else if (c == '/') {
			return fail(p, p->pos, "a '/' that starts no comment");
		} else {
			break;
		}
	}
	return 0;
}

static int node(struct jp *p, enum jv_type type)
{
	struct jsonc *d = p->d;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		struct jv *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return fail(p, p->pos, "out of memory");
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n] = (struct jv){ .type = type, .start = p->pos, .first = -1, .next = -1 };
	return (int)d->n++;
}

static int hex4(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return -1;
	return 0;
}

/* A string token from p->pos (at its opening quote); leaves pos after the closing one. */
static int string(struct jp *p)
{
	size_t at = p->pos++;

	while (p->pos < p->len) {
		unsigned char c = (unsigned char)p->s[p->pos];

		if (c == '"') {
			p->pos++;
			return 0;
		}
		if (c < 0x20)
			return fail(p, p->pos, "a control character in a string (it must be escaped)");
		if (c == '\\') {
			char e = p->pos + 1 < p->len ? p->s[p->pos + 1] : '\0';

			if (e == 'u') {
				if (p->pos + 6 > p->len || hex4(p->s + p->pos + 2) < 0)
					return fail(p, p->pos, "a \\u escape without four hex digits");
				p->pos += 6;
				continue;
			}
			if (!e || !strchr("\"\\/bfnrt", e))
				return fail(p, p->pos, "an unknown escape in a string");
			p->pos++;
		}
		p->pos++;
	}
	return fail(p, at, "a string is not closed");
}

static size_t digits(struct jp *p)
{
	size_t n = 0;

	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
		p->pos++;
		n++;
	}
	return n;
}

/* JSON's number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int number(struct jp *p)
{
	size_t at = p->pos;

	if (p->s[p->pos] == '-')
		p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '0')
		p->pos++;
	else if (!digits(p))
		return fail(p, at, "a malformed number");
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		if (!digits(p))
			return fail(p, at, "a malformed number");
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (!digits(p))
			return fail(p, at, "a malformed number");
	}
	return 0;
}

static int value(struct jp *p);

/* The elements of an array or the members of an object, from p->pos after its opening bracket. */
static int container(struct jp *p, int self, char close)
{
	int last = -1;

	for (;;) {
		size_t key_start = 0, key_end = 0;
		int kid;

		if (skip(p) < 0)
			return -1;
		if (p->pos >= p->len)
			return fail(p, p->d->v[self].start, close == '}' ? "an object is not closed (the document ends first)"
									 : "an array is not closed (the document ends first)");
		if (p->s[p->pos] == close)
			break;	/* empty, or after a trailing comma */
		if (close == '}') {
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return fail(p, p->pos, "expected a member's key (a string)");
			key_start = p->pos;
			if (string(p) < 0)
				return -1;
			key_end = p->pos;
			if (skip(p) < 0)
				return -1;
			if (p->pos >= p->len || p->s[p->pos] != ':')
				return fail(p, p->pos, "expected ':' after a member's key");
			p->pos++;
			if (skip(p) < 0)
				return -1;
		}
		if ((kid = value(p)) < 0)
			return -1;
		p->d->v[kid].key_start = key_start;
		p->d->v[kid].key_end = key_end;
		if (last < 0)
			p->d->v[self].first = kid;
		else
			p->d->v[last].next = kid;
		last = kid;
		if (skip(p) < 0)
			return -1;
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->d->v[kid].comma = p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close)
			break;
		return fail(p, p->pos, close == '}' ? "expected ',' or '}' after a member"
						    : "expected ',' or ']' after an element");
	}
	p->pos++;
	return 0;
}

static int value(struct jp *p)
{
	static const char *const literals[] = { "true", "false", "null" };
	char c;
	int self, rc = -1;

	if (p->pos >= p->len)
		return fail(p, p->pos, "the document ends where a value should be");
	c = p->s[p->pos];
	if (c == '{' || c == '[') {
		if (++p->depth > JSONC_MAX_DEPTH)
			return fail(p, p->pos, "nested too deeply");
		if ((self = node(p, c == '{' ? JV_OBJECT : JV_ARRAY)) < 0)
			return -1;
		p->pos++;
		rc = container(p, self, c == '{' ? '}' : ']');
		p->depth--;
	} else if (c == '"') {
		if ((self = node(p, JV_STRING)) < 0)
			return -1;
		rc = string(p);
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		if ((self = node(p, JV_NUMBER)) < 0)
			return -1;
		rc = number(p);
	} else {
		if ((self = node(p, JV_LITERAL)) < 0)
			return -1;
		for (size_t i = 0; i < 3 && rc < 0; i++) {
			size_t n = strlen(literals[i]);

			if (p->len - p->pos >= n && !memcmp(p->s + p->pos, literals[i], n)) {
				p->pos += n;
				rc = 0;
			}
		}
		if (rc < 0)
			return fail(p, p->pos, "expected a value");
	}
	if (rc < 0)
		return -1;
	p->d->v[self].end = p->pos;
	return self;
}

int jsonc_parse(struct jsonc *d, const char *text, size_t len)
{
	struct jp p = { .s = text, .len = len, .d = d };

	memset(d, 0, sizeof(*d));
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		p.pos = 3;	/* a UTF-8 byte order mark */
	if (skip(&p) < 0 || value(&p) < 0 || skip(&p) < 0)
		return -1;
	if (p.pos < len)
		return fail(&p, p.pos, "more text after the document's value");
	return 0;
}

void jsonc_free(struct jsonc *d)
{
	free(d->v);
	memset(d, 0, sizeof(*d));
}

int jsonc_member(const struct jsonc *d, const char *text, int obj, const char *key)
{
	size_t klen = strlen(key);
	int found = -1;

	if (obj < 0 || d->v[obj].type != JV_OBJECT)
		return -1;
	for (int i = d->v[obj].first; i >= 0; i = d->v[i].next) {
		struct textbuf b = { 0 };
		bool same;

		jsonc_string(text + d->v[i].key_start, d->v[i].key_end - d->v[i].key_start, &b);
		same = !b.failed && b.n == klen && !memcmp(b.s, key, klen);
		tb_free(&b);
		if (same && found >= 0)
			return -2;
		if (same)
			found = i;
	}
	return found;
}

static unsigned hexval(const char *s)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 4 | (unsigned)(s[i] <= '9' ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10);
	return v;
}

/* The byte a one-letter escape stands for ('"', '\\' and '/' stand for themselves). */
static char unescape(char e)
{
	switch (e) {
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	default: return e;
	}
}

void jsonc_string(const char *tok, size_t len, struct textbuf *b)
{
	const char *s = tok + 1, *end = tok + len - 1;

	tb_put(b, "", 0);	/* an empty string is still a string */
	while (s < end) {
		const char *run = s;

		while (s < end && *s != '\\')
			s++;
		tb_put(b, run, (size_t)(s - run));
		if (s >= end)
			break;
		if (s[1] == 'u') {
			unsigned cp = hexval(s + 2);

			s += 6;
			if (cp >= 0xd800 && cp < 0xdc00 && end - s >= 6 && s[0] == '\\' && s[1] == 'u' &&
			    hexval(s + 2) >= 0xdc00 && hexval(s + 2) < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (hexval(s + 2) - 0xdc00);
				s += 6;
			}
			tb_utf8(b, cp);
			continue;
		}
		tb_put(b, &(char){ unescape(s[1]) }, 1);
		s += 2;
	}
}
