/* scan.c: finds the top-level members of a JSON-RPC line without building a tree. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc/scan.h"

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
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

/* Skips one value; returns the byte after it, or NULL when malformed. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	if (p >= end)
		return NULL;
	if (*p == '"')
		return skip_string(p, end);
	if (*p != '{' && *p != '[') {
		const char *s = p;

		while (p < end && !strchr(",}] \t\r\n", *p))
			p++;
		return p > s ? p : NULL;
	}
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
		if (strlen(known[i].name) == klen && !memcmp(known[i].name, key, klen)) {
			struct json_span *sp = (struct json_span *)((char *)top + known[i].off);

			sp->p = v;
			sp->n = vlen;
		}
	}
}

enum scan_result jsonrpc_scan(const char *s, size_t n, struct jsonrpc_top *top)
{
	const char *end = s + n, *p = skip_ws(s, end);
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
		bool esc;

		if (p >= end || *p != '"')
			return SCAN_NOT_JSON;
		key = p + 1;
		p = skip_string(p, end);
		if (!p)
			return SCAN_NOT_JSON;
		klen = (size_t)(p - 1 - key);
		esc = memchr(key, '\\', klen) != NULL;
		complex |= esc;
		p = skip_ws(p, end);
		if (p >= end || *p != ':')
			return SCAN_NOT_JSON;
		v = skip_ws(p + 1, end);
		p = skip_value(v, end);
		if (!p)
			return SCAN_NOT_JSON;
		if (!esc)
			record(top, key, klen, v, (size_t)(p - v));
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
