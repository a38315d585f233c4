/* server_side.c: relays the server's messages to the client, settling requests in flight. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "jsonrpc/message.h"
#include "jsonrpc/reply.h"
#include "jsonrpc/scan.h"
#include "shim/shim.h"

static void record_call_end(struct shim *s, const struct pending *p, const char *outcome,
			    const cJSON *result, const cJSON *violations)
{
	const cJSON *is_error = cJSON_GetObjectItemCaseSensitive(result, "isError");
	cJSON *rec = cJSON_CreateObject();

	if (violations)
		cJSON_AddItemToObject(rec, "sandbox_violations", cJSON_Duplicate(violations, 1));

	cJSON_AddItemToObject(rec, "id", cJSON_Duplicate(p->id, 1));
	cJSON_AddStringToObject(rec, "tool", p->tool);
	cJSON_AddStringToObject(rec, "args_sha256", p->args_sha);
	cJSON_AddStringToObject(rec, "outcome", outcome);
	if (result)
		cJSON_AddBoolToObject(rec, "is_error", cJSON_IsTrue(is_error));
	cJSON_AddNumberToObject(rec, "duration_ms", (double)(now_ns() - p->start_ns) / 1e6);
	dlog_write(&s->log, AUDIT_CALL_END, rec);
}

/* Whether settling p needs the parsed message, not just its id. */
static bool needs_tree(const struct shim *s, const struct pending *p)
{
	switch (p->kind) {
	case PEND_PREFETCH:
		return true;
	case PEND_TOOLS_LIST:
		return s->pol->nhide > 0 || shim_needs_schemas(s);
	case PEND_TOOLS_CALL:
		return s->log.fd >= 0 || s->link.fd >= 0 || p->added;	/* outcomes recorded, counters taken back */
	case PEND_DISCOVER:
		return shim_needs_schemas(s);
	default:
		return false;
	}
}

/* Settles the response to client request p. obj is the parsed response, or NULL when
 * needs_tree said no. Returns false to drop the line; sets *modified when obj changed. */
static bool settle(struct shim *s, struct pending *p, cJSON *obj, bool *modified)
{
	cJSON *result = obj ? cJSON_GetObjectItemCaseSensitive(obj, "result") : NULL;
	const char *outcome = obj && !result ? "error" : "result";
	int is_error = result ? cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(result, "isError")) : -1;
	const cJSON *next_page = NULL;	/* listed once p is gone: adding may move the table */
	bool forward = true, list = false;

	switch (p->kind) {
	case PEND_PREFETCH:
		if (cJSON_IsObject(result)) {
			tool_schemas_learn(&s->schemas, result, s->pol);
			next_page = cJSON_GetObjectItemCaseSensitive(result, "nextCursor");
			list = cJSON_IsString(next_page);
		}
		forward = false;
		break;
	case PEND_TOOLS_LIST:
		if (cJSON_IsObject(result))
			*modified = tool_schemas_learn(&s->schemas, result, s->pol);
		break;
	case PEND_TOOLS_CALL:
		if (obj && !result && p->added && !p->timed_out) {	/* a failed call uses up no count */
			counters_undo(s->ctr, p->added);
			p->added = NULL;
		}
		if (p->timed_out) {
			log_debug("dropped the late reply to timed-out call %s", p->key);
			outcome = "timeout";
			forward = false;
		} else {
			/* The daemon's ack tells what the sandbox stopped during the call: the client learns it here. */
			cJSON *violations = dlink_call_end(&s->link, p->call, outcome, is_error);

			p->call = 0;
			if (violations && obj) {
				reply_mark_sandbox(obj, p->tool, violations);
				*modified = true;
			} else if (violations) {
				/* A reply the shim can't rewrite is replaced: the refusal must reach the client. */
				shim_send(s, &s->to_client, reply_sandbox(p->id, p->tool, violations));
				forward = false;
			}
			record_call_end(s, p, outcome, cJSON_GetObjectItemCaseSensitive(obj, "result"), violations);
			cJSON_Delete(violations);
		}
		break;
	case PEND_PING:
		forward = false;	/* the server is alive */
		break;
	case PEND_REPLAY:
		forward = false;	/* the client had its answer from the first server */
		break;
	case PEND_DISCOVER:
		/* The server/discover era has no notifications/initialized: list now. */
		list = cJSON_IsObject(result) && shim_needs_schemas(s);
		break;
	default:
		break;
	}
	shim_forget(s, p, outcome, is_error);
	if (list)
		shim_prefetch_tools(s, next_page);
	return forward;
}

/* Handles one parsed message from the server; returns false to drop it. */
static bool from_server_tree(struct shim *s, cJSON *obj, bool *modified)
{
	struct jsonrpc_msg m;
	char key[ID_KEY_MAX];
	struct pending *p;

	jsonrpc_classify(obj, &m);
	if (m.kind == MSG_RESPONSE) {
		if (jsonrpc_id_key(m.id, key) == 0 && (p = pending_find(&s->c2s, key)))
			return settle(s, p, obj, modified);
	} else if (m.kind == MSG_REQUEST) {
		if (jsonrpc_id_key(m.id, key) == 0 && !pending_find(&s->s2c, key))
			pending_add(&s->s2c, key, m.id, PEND_OTHER);
	} else if (m.kind == MSG_NOTIFICATION && !strcmp(m.method, "notifications/cancelled")) {
		const cJSON *rid = cJSON_GetObjectItemCaseSensitive(m.params, "requestId");

		if (jsonrpc_id_key(rid, key) == 0 && (p = pending_find(&s->s2c, key)))
			pending_remove(&s->s2c, p);
	}
	return true;
}

static void not_json(struct shim *s, const char *line, size_t n)
{
	cJSON *rec = cJSON_CreateObject();
	char *text = strndup(line, n);

	log_warnx("server stdout line is not JSON-RPC, kept from the client: %.*s",
		  (int)(n > 300 ? 300 : n), line);
	if (text)
		cJSON_AddStringToObject(rec, "text", text);
	free(text);
	dlog_write(&s->log, AUDIT_SERVER_STDOUT, rec);
}

/* A reply cJSON cannot parse (a lone surrogate, NaN) still answers its request: settle
 * it on the scanned id alone and relay it. Returns false when it answers nothing known. */
static bool settle_unparsed(struct shim *s, const char *line, size_t len, size_t n)
{
	struct jsonrpc_top top;
	char key[ID_KEY_MAX];
	struct pending *p;
	bool unused = false;

	if (jsonrpc_scan(line, n, &top) != SCAN_OBJECT || !top.id.p ||
	    jsonrpc_id_key_raw(top.id.p, top.id.n, key) < 0 || !(p = pending_find(&s->c2s, key)))
		return false;
	log_warnx("reply to request %s is not strict JSON: relayed as it is", key);
	if (settle(s, p, NULL, &unused))
		shim_forward_line(s, &s->to_client, line, len);
	return true;
}

/* Parses fully: batches, escaped keys, and responses that need inspection. */
static void slow_path(struct shim *s, const char *line, size_t len, size_t n)
{
	bool modified = false, keep = true;
	const char *why;
	cJSON *root = jsonrpc_parse(line, n, &why), *el, *next;

	if (!root) {
		if (!settle_unparsed(s, line, len, n))
			not_json(s, line, n);
		return;
	}
	if (cJSON_IsArray(root)) {
		for (el = root->child; el; el = next) {
			bool mod = false;

			next = el->next;
			if (!from_server_tree(s, el, &mod)) {
				cJSON_Delete(cJSON_DetachItemViaPointer(root, el));
				modified = true;
			}
			modified |= mod;
		}
		keep = cJSON_GetArraySize(root) > 0;
	} else {
		keep = from_server_tree(s, root, &modified);
	}
	if (keep && modified)
		shim_send(s, &s->to_client, line_of(root));
	else {
		if (keep)
			shim_forward_line(s, &s->to_client, line, len);
		cJSON_Delete(root);
	}
}

static void oversize(struct shim *s, const char *head, size_t len)
{
	cJSON *id = jsonrpc_head_id(head, len);
	char key[ID_KEY_MAX];
	struct pending *p;

	log_warnx("server sent a line longer than the %zu-byte cap: dropped", s->o.max_line);
	if (id && jsonrpc_id_key(id, key) == 0 && (p = pending_find(&s->c2s, key))) {
		shim_send(s, &s->to_client, reply_error(p->id, RPC_INTERNAL_ERROR,
						"the server's reply was longer than mcpwarden's line cap",
						"refused", NULL));
		shim_forget(s, p, "reply_over_line_cap", -1);
	}
	cJSON_Delete(id);
}

int shim_server_line(void *ctx, enum linebuf_event ev, const char *line, size_t len)
{
	struct shim *s = ctx;
	size_t n = linebuf_trim(line, len);
	struct jsonrpc_top top;
	char key[ID_KEY_MAX];
	struct pending *p;

	if (ev == LINEBUF_OVERSIZE) {
		oversize(s, line, len);
		return 0;
	}
	if (n == 0)
		return 0;
	switch (jsonrpc_scan(line, n, &top)) {
	case SCAN_NOT_JSON:
		not_json(s, line, n);
		return 0;
	case SCAN_COMPLEX:
		slow_path(s, line, len, n);
		return 0;
	case SCAN_OBJECT:
		break;
	}
	/* Fast path: most lines need only their id looked up. */
	if (top.id.p && (top.result.p || top.error.p) &&
	    jsonrpc_id_key_raw(top.id.p, top.id.n, key) == 0 && (p = pending_find(&s->c2s, key))) {
		bool unused = false;

		if (needs_tree(s, p))
			slow_path(s, line, len, n);
		else if (settle(s, p, NULL, &unused))
			shim_forward_line(s, &s->to_client, line, len);
		return 0;
	}
	if (top.method.p && (top.id.p || (top.method.n == 25 &&
					   !memcmp(top.method.p, "\"notifications/cancelled\"", 25)))) {
		slow_path(s, line, len, n);
		return 0;
	}
	shim_forward_line(s, &s->to_client, line, len);
	return 0;
}
