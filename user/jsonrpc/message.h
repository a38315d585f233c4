/* message.h: parses one JSON-RPC line strictly and classifies it. */
#ifndef MCPWARDEN_MESSAGE_H
#define MCPWARDEN_MESSAGE_H

#include <stddef.h>
#include <cJSON.h>

#define ID_KEY_MAX 128

enum msg_kind {
	MSG_REQUEST,		/* method and id */
	MSG_NOTIFICATION,	/* method, no id */
	MSG_RESPONSE,		/* id and result or error */
	MSG_OTHER,		/* JSON, but none of the above */
};

struct jsonrpc_msg {
	cJSON *obj;		/* borrowed */
	enum msg_kind kind;
	const char *method;	/* NULL unless a request or notification */
	cJSON *id;		/* NULL when absent */
	cJSON *params;		/* NULL when absent */
};

/* Parses len bytes (no terminator) into a tree; NULL on syntax errors,
 * embedded NULs or trailing bytes. *why gets a short reason. */
cJSON *jsonrpc_parse(const char *line, size_t len, const char **why);
/* Returns 0 when no object in the tree repeats a key, case-insensitively.
 * On a repeat, copies the key into dup (size dupsz) and returns -1. */
int jsonrpc_check_keys(const cJSON *node, int recursive, char *dup, size_t dupsz);
/* The member named key as a lenient server would find it (see keyfold.h). Callers refuse
 * objects with repeated keys first, so there is only one candidate. */
cJSON *jsonrpc_member(const cJSON *obj, const char *key);
/* Fills m from obj, finding members with jsonrpc_member. */
void jsonrpc_classify(cJSON *obj, struct jsonrpc_msg *m);
/* Writes a canonical key for an id (string or number) into key; -1 when the id
 * is of another type or too long. */
int jsonrpc_id_key(const cJSON *id, char key[ID_KEY_MAX]);
/* The same from the raw JSON text of an id. */
int jsonrpc_id_key_raw(const char *p, size_t n, char key[ID_KEY_MAX]);

#endif
