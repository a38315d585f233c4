/* scan.c: finds the top-level members of a JSON-RPC line without building a tree. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc/keyfold.h"
#include "jsonrpc/scan.h"

#define SCAN_MAX_KEYS 16	/* more top-level members than this: parse fully */

/* Whitespace as cJSON (the strict parser's base) skips it: any byte from 1 to 32. */
static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && *p && (unsigned char)*p <= ' ')
		p++;
	return p;
}

/* p at the opening quote; returns the byte after the closing quote, or NULL. */
static const char *skip_string(const char *p, const char *end)
{
	const char *q = p + 1;

	for (;;) {
		const char *b;
		size_t backslashes = 0;

		q = memchr(q, '"', (size_t)(end - q));
		if (!q)
			return NULL;
		for (b = q - 1; b > p && *b == '\\'; b--)
			backslashes++;
		if (backslashes % 2 == 0)
			return q + 1;
		q++;
	}
}

/* A bare value must be a JSON literal or number: nothing a lenient parser reads otherwise. */
static const char *skip_scalar(const char *p, const char *end)
{
	static const char *const literals[] = { "true", "false", "null" };
	const char *s = p;

	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(literals[i]);

		if ((size_t)(end - p) >= n && !memcmp(p, literals[i], n))
			return p + n;
	}
	while (p < end && strchr("0123456789+-.eE", *p) && *p)
		p++;
	return p > s && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) ? p : NULL;
}

/* Skips one value; returns the byte after it, or NULL when malformed. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	if (p >= end)
		return NULL;
	if (*p == '"')
		return skip_string(p, end);
	if (*p != '{' && *p != '[')
		return skip_scalar(p, end);
	while (p < end) {
		switch (*p) {
		case '"':
			p = skip_string(p, end);
			if (!p)
				return NULL;
			continue;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (--depth == 0)
				return p + 1;
			break;
		}
		p++;
	}
	return NULL;
}

/* Records id/method/result/error, matching keys case-insensitively as some servers do. */
static void record(struct jsonrpc_top *top, const char *key, size_t klen,
		   const char *v, size_t vlen)
{
	static const struct {
		const char *name;
		size_t off;
	} known[] = {
		{ "id", offsetof(struct jsonrpc_top, id) },
		{ "method", offsetof(struct jsonrpc_top, method) },
		{ "result", offsetof(struct jsonrpc_top, result) },
		{ "error", offsetof(struct jsonrpc_top, error) },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (key_fold_equal(known[i].name, strlen(known[i].name), key, klen)) {
			struct json_span *sp = (struct json_span *)((char *)top + known[i].off);

			sp->p = v;
			sp->n = vlen;
		}
	}
}

/* Keys that are plain ASCII without escapes can be compared here; others need a parser. */
static bool plain_key(const char *key, size_t klen)
{
	for (size_t i = 0; i < klen; i++)
		if (key[i] == '\\' || (unsigned char)key[i] >= 0x80)
			return false;
	return true;
}

enum scan_result jsonrpc_scan(const char *s, size_t n, struct jsonrpc_top *top)
{
	const char *end = s + n, *p = skip_ws(s, end);
	struct json_span keys[SCAN_MAX_KEYS];
	size_t nkeys = 0;
	bool complex = false;

	memset(top, 0, sizeof(*top));
	if (p < end && *p == '[') {
		p = skip_value(p, end);
		return p && skip_ws(p, end) == end ? SCAN_COMPLEX : SCAN_NOT_JSON;
	}
	if (p >= end || *p != '{')
		return SCAN_NOT_JSON;
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}')
		return skip_ws(p + 1, end) == end ? SCAN_OBJECT : SCAN_NOT_JSON;
	for (;;) {
		const char *key, *v;
		size_t klen;

		if (p >= end || *p != '"')
			return SCAN_NOT_JSON;
		key = p + 1;
		p = skip_string(p, end);
		if (!p)
			return SCAN_NOT_JSON;
		klen = (size_t)(p - 1 - key);
		p = skip_ws(p, end);
		if (p >= end || *p != ':')
			return SCAN_NOT_JSON;
		v = skip_ws(p + 1, end);
		p = skip_value(v, end);
		if (!p)
			return SCAN_NOT_JSON;
		if (!plain_key(key, klen) || nkeys == SCAN_MAX_KEYS) {
			complex = true;
		} else {
			for (size_t i = 0; i < nkeys; i++)
				if (key_fold_equal(keys[i].p, keys[i].n, key, klen))
					complex = true;	/* a repeated member: the strict path refuses it */
			keys[nkeys++] = (struct json_span){ key, klen };
			record(top, key, klen, v, (size_t)(p - v));
		}
		p = skip_ws(p, end);
		if (p < end && *p == ',') {
			p = skip_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}')
			break;
		return SCAN_NOT_JSON;
	}
	if (skip_ws(p + 1, end) != end)
		return SCAN_NOT_JSON;
	return complex ? SCAN_COMPLEX : SCAN_OBJECT;
}

cJSON *jsonrpc_head_id(const char *head, size_t n)
{
	const char *end = head + n, *p = memmem(head, n, "\"id\"", 4);
	const char *params = memmem(head, n, "\"params\"", 8);
	char tok[64];
	size_t len = 0;
	cJSON *id;

	if (!p || (params && params < p))
		return NULL;
	p = skip_ws(p + 4, end);
	if (p >= end || *p != ':')
		return NULL;
	p = skip_ws(p + 1, end);
	while (p + len < end && len < sizeof(tok) - 1 && !strchr(",}] \t\r\n", p[len]))
		len++;
	memcpy(tok, p, len);
	tok[len] = '\0';
	id = cJSON_Parse(tok);
	if (id && !cJSON_IsNumber(id) && !cJSON_IsString(id)) {
		cJSON_Delete(id);
		id = NULL;
	}
	return id;
}

int jsonrpc_array_spans(const char *s, size_t n, struct json_span *out, size_t max)
{
	const char *p, *end = s + n, *e;
	size_t count = 0;

	if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		s += 3;	/* a UTF-8 byte order mark, which cJSON skips too */
	p = skip_ws(s, end);

	if (p >= end || *p != '[')
		return -1;
	p = skip_ws(p + 1, end);
	if (p < end && *p == ']')
		return 0;
	while (p < end) {
		if (count == max || !(e = skip_value(p, end)))
			return -1;
		out[count].p = p;
		out[count++].n = (size_t)(e - p);
		p = skip_ws(e, end);
		if (p < end && *p == ']')
			return (int)count;
		if (p >= end || *p != ',')
			return -1;
		p = skip_ws(p + 1, end);
	}
	return -1;
}
