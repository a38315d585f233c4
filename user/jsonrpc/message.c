/* message.c: parses one JSON-RPC line strictly and classifies it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc/keyfold.h"
#include "jsonrpc/message.h"

cJSON *jsonrpc_parse(const char *line, size_t len, const char **why)
{
	const char *end = NULL;
	char *copy;
	cJSON *root;

	if (memchr(line, '\0', len)) {
		*why = "NUL byte in message";
		return NULL;
	}
	copy = malloc(len + 1);
	if (!copy) {
		*why = "out of memory";
		return NULL;
	}
	memcpy(copy, line, len);
	copy[len] = '\0';
	root = cJSON_ParseWithOpts(copy, &end, 1);
	free(copy);
	if (!root)
		*why = "not valid JSON";
	return root;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A repeated key among an object's members, found by sorting their folded forms; so a
 * message with a million keys costs n log n, not n^2. */
static int repeated_key(const cJSON *obj, char *dup, size_t dupsz)
{
	int n = cJSON_GetArraySize(obj), i = 0, rc = 0;
	char **keys = calloc((size_t)n + 1, sizeof(*keys));
	const cJSON *a;

	if (!keys)
		return -1;	/* refuse what cannot be checked */
	for (a = obj->child; a; a = a->next, i++)
		if (!(keys[i] = key_fold(a->string ? a->string : ""))) {
			rc = -1;
			break;
		}
	if (rc == 0) {
		qsort(keys, (size_t)n, sizeof(*keys), by_string);
		for (i = 1; i < n && rc == 0; i++)
			if (!strcmp(keys[i - 1], keys[i])) {
				snprintf(dup, dupsz, "%s", keys[i]);
				rc = -1;
			}
	}
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	return rc;
}

int jsonrpc_check_keys(const cJSON *node, int recursive, char *dup, size_t dupsz)
{
	const cJSON *a;

	if (cJSON_IsObject(node) && node->child && node->child->next &&
	    repeated_key(node, dup, dupsz) < 0)
		return -1;
	if (!recursive || !(cJSON_IsObject(node) || cJSON_IsArray(node)))
		return 0;
	for (a = node->child; a; a = a->next)
		if (jsonrpc_check_keys(a, recursive, dup, dupsz) < 0)
			return -1;
	return 0;
}

cJSON *jsonrpc_member(const cJSON *obj, const char *key)
{
	cJSON *c;

	if (!cJSON_IsObject(obj))
		return NULL;
	for (c = obj->child; c; c = c->next)
		if (c->string && key_fold_equal(c->string, strlen(c->string), key, strlen(key)))
			return c;
	return NULL;
}

void jsonrpc_classify(cJSON *obj, struct jsonrpc_msg *m)
{
	cJSON *method = jsonrpc_member(obj, "method");

	memset(m, 0, sizeof(*m));
	m->obj = obj;
	m->kind = MSG_OTHER;
	if (!cJSON_IsObject(obj))
		return;
	m->id = jsonrpc_member(obj, "id");
	m->params = jsonrpc_member(obj, "params");
	if (cJSON_IsString(method)) {
		m->method = method->valuestring;
		m->kind = m->id ? MSG_REQUEST : MSG_NOTIFICATION;
	} else if (m->id && (cJSON_HasObjectItem(obj, "result") || cJSON_HasObjectItem(obj, "error"))) {
		m->kind = MSG_RESPONSE;
	}
}

int jsonrpc_id_key(const cJSON *id, char key[ID_KEY_MAX])
{
	int n;

	if (cJSON_IsString(id))
		n = snprintf(key, ID_KEY_MAX, "s:%s", id->valuestring);
	else if (cJSON_IsNumber(id))
		n = snprintf(key, ID_KEY_MAX, "n:%.17g", id->valuedouble);
	else
		return -1;
	return n > 0 && n < ID_KEY_MAX ? 0 : -1;
}

int jsonrpc_id_key_raw(const char *p, size_t n, char key[ID_KEY_MAX])
{
	const char *why;
	cJSON *id;
	int rc;

	if (!p || n == 0 || n > ID_KEY_MAX * 6)
		return -1;
	id = jsonrpc_parse(p, n, &why);
	if (!id)
		return -1;
	rc = jsonrpc_id_key(id, key);
	cJSON_Delete(id);
	return rc;
}
