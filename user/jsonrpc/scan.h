/* scan.h: finds the top-level members of a JSON-RPC line without building a tree. */
#ifndef MCPWARDEN_SCAN_H
#define MCPWARDEN_SCAN_H

#include <stddef.h>
#include <cJSON.h>

struct json_span {
	const char *p;		/* raw JSON text of the value; NULL when absent */
	size_t n;
};

struct jsonrpc_top {
	struct json_span id, method, result, error;
};

enum scan_result {
	SCAN_NOT_JSON = -1,	/* not a JSON object or array */
	SCAN_OBJECT = 0,	/* an object; top filled in */
	SCAN_COMPLEX = 1,	/* an array, or keys with escapes: parse it fully */
};

/* Delimits the top level of s[0..n). Strings are skipped with memchr, so cost
 * stays near memory speed for large payloads. Does not validate string contents. */
enum scan_result jsonrpc_scan(const char *s, size_t n, struct jsonrpc_top *top);

/* The raw text of each element of the top-level array s[0..n), which must already have passed
 * the strict parser. Fills out[0..count) and returns count, or -1 when s is not an array or has
 * more than max elements. */
int jsonrpc_array_spans(const char *s, size_t n, struct json_span *out, size_t max);

/* Best effort for a line too long to parse: the id from its first bytes when
 * "id" comes before "params" (as clients write it). NULL when not found. */
cJSON *jsonrpc_head_id(const char *head, size_t n);

#endif
