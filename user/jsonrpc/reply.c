/* reply.c: builds the lines the shim itself sends: denials, errors, cancellations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc/reply.h"

char *line_of(cJSON *msg)
{
	char *text = msg ? cJSON_PrintUnformatted(msg) : NULL;
	char *line = NULL;
	size_t n;

	cJSON_Delete(msg);
	if (!text)
		return NULL;
	n = strlen(text);
	line = realloc(text, n + 2);
	if (!line) {
		free(text);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

static cJSON *envelope(const cJSON *id)
{
	cJSON *msg = cJSON_CreateObject();
	cJSON *idc = id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull();

	if (!msg || !idc || !cJSON_AddStringToObject(msg, "jsonrpc", "2.0") ||
	    !cJSON_AddItemToObject(msg, "id", idc)) {
		cJSON_Delete(msg);
		return NULL;
	}
	return msg;
}

static cJSON *policy_meta(const char *decision, const char *tool, const char *rule,
			  const char *reason)
{
	cJSON *m = cJSON_CreateObject();

	if (!m || !cJSON_AddStringToObject(m, "decision", decision) ||
	    (tool && !cJSON_AddStringToObject(m, "tool", tool)) ||
	    (rule && !cJSON_AddStringToObject(m, "rule", rule)) ||
	    (reason && !cJSON_AddStringToObject(m, "reason", reason))) {
		cJSON_Delete(m);
		return NULL;
	}
	return m;
}

char *reply_error(const cJSON *id, int code, const char *message, const char *decision,
		  const char *rule)
{
	cJSON *msg = envelope(id), *err = cJSON_CreateObject();

	if (!msg || !err || !cJSON_AddNumberToObject(err, "code", code) ||
	    !cJSON_AddStringToObject(err, "message", message) ||
	    (decision && !cJSON_AddItemToObject(err, "data",
			policy_meta(decision, NULL, rule, message)))) {
		cJSON_Delete(msg);
		cJSON_Delete(err);
		return NULL;
	}
	cJSON_AddItemToObject(msg, "error", err);
	return line_of(msg);
}

char *reply_tool_error(const cJSON *id, const char *text, const char *decision,
		       const char *tool, const char *rule, const char *reason)
{
	cJSON *msg = envelope(id), *res = cJSON_CreateObject();
	cJSON *content = cJSON_AddArrayToObject(res, "content");
	cJSON *item = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(res, "_meta");

	if (!msg || !res || !content || !item || !meta ||
	    !cJSON_AddStringToObject(item, "type", "text") ||
	    !cJSON_AddStringToObject(item, "text", text) ||
	    !cJSON_AddItemToArray(content, item) ||
	    !cJSON_AddBoolToObject(res, "isError", 1) ||
	    !cJSON_AddItemToObject(meta, POLICY_META_KEY, policy_meta(decision, tool, rule, reason))) {
		cJSON_Delete(msg);
		cJSON_Delete(res);
		return NULL;
	}
	cJSON_AddItemToObject(msg, "result", res);
	return line_of(msg);
}

char *notify_cancelled(const cJSON *request_id, const char *reason)
{
	cJSON *msg = cJSON_CreateObject(), *params = cJSON_CreateObject();
	cJSON *idc = cJSON_Duplicate(request_id, 1);

	if (!msg || !params || !idc || !cJSON_AddStringToObject(msg, "jsonrpc", "2.0") ||
	    !cJSON_AddStringToObject(msg, "method", "notifications/cancelled") ||
	    !cJSON_AddItemToObject(params, "requestId", idc) ||
	    !cJSON_AddStringToObject(params, "reason", reason)) {
		cJSON_Delete(msg);
		cJSON_Delete(params);
		return NULL;
	}
	cJSON_AddItemToObject(msg, "params", params);
	return line_of(msg);
}

/* A string member of a violation, "?" when missing. */
static const char *field(const cJSON *v, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, key));

	return s ? s : "?";
}

void reply_mark_sandbox(cJSON *msg, const char *tool, const cJSON *violations)
{
	const cJSON *first = cJSON_GetArrayItem(violations, 0), *v;
	const char *rule = field(first, "rule");
	cJSON *res = cJSON_GetObjectItemCaseSensitive(msg, "result");
	cJSON *err = cJSON_GetObjectItemCaseSensitive(msg, "error"), *content, *item, *meta;
	char text[2048];
	size_t n;

	n = (size_t)snprintf(text, sizeof(text), "mcpwarden sandbox stopped tool '%s':", tool);
	cJSON_ArrayForEach(v, violations)
		if (n < sizeof(text))
			n += (size_t)snprintf(text + n, sizeof(text) - n, " [rule '%s'] %s;", field(v, "rule"),
					      field(v, "what"));
	if (cJSON_IsObject(err)) {
		cJSON_ReplaceItemInObjectCaseSensitive(err, "message", cJSON_CreateString(text));
		cJSON_DeleteItemFromObjectCaseSensitive(err, "data");
		cJSON_AddItemToObject(err, "data", policy_meta("sandbox", tool, rule, text));
		return;
	}
	if (!cJSON_IsObject(res))
		return;
	content = cJSON_GetObjectItemCaseSensitive(res, "content");
	if (!cJSON_IsArray(content)) {
		cJSON_DeleteItemFromObjectCaseSensitive(res, "content");
		content = cJSON_AddArrayToObject(res, "content");
	}
	/* The rules come first; what the tool printed stays after them. */
	if (content && (item = cJSON_CreateObject())) {
		cJSON_AddStringToObject(item, "type", "text");
		cJSON_AddStringToObject(item, "text", text);
		cJSON_InsertItemInArray(content, 0, item);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(res, "isError");
	cJSON_AddBoolToObject(res, "isError", 1);
	meta = cJSON_GetObjectItemCaseSensitive(res, "_meta");
	if (!cJSON_IsObject(meta)) {
		cJSON_DeleteItemFromObjectCaseSensitive(res, "_meta");
		meta = cJSON_AddObjectToObject(res, "_meta");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(meta, POLICY_META_KEY);
	cJSON_AddItemToObject(meta, POLICY_META_KEY, policy_meta("sandbox", tool, rule, text));
}

char *reply_sandbox(const cJSON *id, const char *tool, const cJSON *violations)
{
	cJSON *msg = envelope(id), *res = cJSON_CreateObject();

	if (!msg || !res || !cJSON_AddArrayToObject(res, "content")) {
		cJSON_Delete(msg);
		cJSON_Delete(res);
		return NULL;
	}
	cJSON_AddItemToObject(msg, "result", res);
	reply_mark_sandbox(msg, tool, violations);
	return line_of(msg);
}
