/* client_side.c: polices each message from the MCP client before it reaches the server. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/sha256.h"
#include "jsonrpc/message.h"
#include "jsonrpc/reply.h"
#include "jsonrpc/scan.h"
#include "policy/eval.h"
#include "shim/call_limits.h"
#include "shim/shim.h"

static enum pending_kind kind_of(const char *method)
{
	if (!strcmp(method, "tools/list"))
		return PEND_TOOLS_LIST;
	if (!strcmp(method, "server/discover"))
		return PEND_DISCOVER;
	return PEND_OTHER;
}

/* Replies the shim owes the client for one line (a batch may owe several). */
struct replies {
	char **v;
	size_t n, cap;
};

static void owe(struct replies *r, char *line)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4;
		char **nv = realloc(r->v, cap * sizeof(*nv));

		if (!nv) {
			log_warnx("building a reply: out of memory");
			free(line);
			return;
		}
		r->v = nv;
		r->cap = cap;
	}
	if (!line)
		log_warnx("building a reply: out of memory");
	else
		r->v[r->n++] = line;
}

static void record_refusal(struct shim *s, const cJSON *id, const char *why)
{
	cJSON *rec = cJSON_CreateObject();

	log_warnx("refused a client message: %s", why);
	if (id)
		cJSON_AddItemToObject(rec, "id", cJSON_Duplicate(id, 1));
	cJSON_AddStringToObject(rec, "reason", why);
	dlog_write(&s->log, AUDIT_REFUSED, rec);
}

static void refuse(struct shim *s, struct replies *r, const cJSON *id, int code, const char *why)
{
	record_refusal(s, id, why);
	owe(r, reply_error(id, code, why, "refused", NULL));
}

/* took_ns: the policy's decision; ack_ns: the wait for the daemon's call_start ack (with `call` only). */
static void record_decision(struct shim *s, const cJSON *id, const char *tool,
			    const cJSON *args, const struct decision *d, uint64_t took_ns,
			    const char *sha, uint64_t call, uint64_t ack_ns)
{
	cJSON *rec = cJSON_CreateObject();

	cJSON_AddItemToObject(rec, "id", cJSON_Duplicate(id, 1));
	if (call) {
		cJSON_AddNumberToObject(rec, "server_id", (double)s->link.server_id);
		cJSON_AddNumberToObject(rec, "call", (double)call);
	}
	cJSON_AddStringToObject(rec, "tool", tool);
	cJSON_AddStringToObject(rec, "args_sha256", sha);
	if (s->pol->audit_args_full)
		cJSON_AddItemToObject(rec, "args", args ? cJSON_Duplicate(args, 1) : cJSON_CreateNull());
	cJSON_AddStringToObject(rec, "decision", d->allow ? "allow" : "deny");
	if (!d->allow) {
		cJSON_AddStringToObject(rec, "rule", d->rule);
		cJSON_AddStringToObject(rec, "reason", d->reason);
	}
	cJSON_AddNumberToObject(rec, "latency_us", (double)took_ns / 1000.0);
	if (call)
		cJSON_AddNumberToObject(rec, "daemon_ack_us", (double)ack_ns / 1000.0);
	dlog_write(&s->log, AUDIT_DECISION, rec);
}

static void args_hash(const cJSON *args, char sha[SHA256_HEX_LEN + 1])
{
	char *text = args ? cJSON_PrintUnformatted(args) : NULL;

	sha256_hex(text ? text : "{}", text ? strlen(text) : 2, sha);
	free(text);
}

static char *denial(const struct shim *s, const cJSON *id, const char *tool, const struct decision *d)
{
	char text[900];

	if (s->pol->deny_text_intercept)	/* what Intercept's clients and scripts look for */
		snprintf(text, sizeof(text), "[INTERCEPT POLICY DENIED] %s", d->reason);
	else
		snprintf(text, sizeof(text), "mcpwarden policy denied tool '%s' (rule '%s'): %s",
			 tool, d->rule, d->reason);
	if (s->pol->deny_style == DENY_AS_ERROR)
		return reply_error(id, RPC_POLICY_DENIED, text, "deny", d->rule);
	return reply_tool_error(id, text, "deny", tool, d->rule, d->reason);
}

/* A tools/call: refuse what cannot be read unambiguously, then ask the policy. */
static bool police_call(struct shim *s, const struct jsonrpc_msg *m, struct replies *r)
{
	const cJSON *name = jsonrpc_member(m->params, "name");
	const cJSON *args = jsonrpc_member(m->params, "arguments");
	char key[ID_KEY_MAX], dup[128], why[256], sha[SHA256_HEX_LEN + 1];
	uint64_t t0 = now_ns(), took, acked;
	struct call_limits lim;
	struct decision d, no = { .allow = false };
	struct counter_add *added = NULL;
	struct call_ctx cx;
	struct pending *p;
	bool refused, tool_sb;

	if (m->kind == MSG_NOTIFICATION) {
		record_refusal(s, NULL, "tools/call sent as a notification (no id): not forwarded");
		return false;
	}
	if (jsonrpc_id_key(m->id, key) < 0) {
		refuse(s, r, NULL, RPC_INVALID_REQUEST, "tools/call id must be a string or a number");
		return false;
	}
	if (jsonrpc_check_keys(m->obj, 1, dup, sizeof(dup)) < 0) {
		snprintf(why, sizeof(why), "tools/call refused: key '%s' appears twice (or in two cases)", dup);
		refuse(s, r, m->id, RPC_INVALID_REQUEST, why);
		return false;
	}
	if (!cJSON_IsObject(m->params) || !cJSON_IsString(name) || (args && !cJSON_IsObject(args))) {
		refuse(s, r, m->id, RPC_INVALID_PARAMS,
		       "tools/call refused: params must hold a string name and object arguments");
		return false;
	}
	if (pending_find(&s->c2s, key)) {
		refuse(s, r, m->id, RPC_INVALID_REQUEST, "tools/call refused: its id is already in flight");
		return false;
	}
	cx = (struct call_ctx){ .tool = name->valuestring, .args = args,
				.schema = tool_schema(&s->schemas, name->valuestring), .now = time(NULL),
				.undo = &added };
	policy_decide(s->pol, s->ctr, &cx, &d);
	took = now_ns() - t0;
	args_hash(args, sha);
	if (!d.allow) {
		record_decision(s, m->id, name->valuestring, args, &d, took, sha, 0, 0);
		dlink_call_denied(&s->link, name->valuestring, sha, d.rule, d.reason);
		owe(r, denial(s, m->id, name->valuestring, &d));
		return false;
	}
	p = pending_add(&s->c2s, key, m->id, PEND_TOOLS_CALL);
	if (!p || !(p->tool = strdup(name->valuestring))) {
		refuse(s, r, m->id, RPC_INTERNAL_ERROR, "tools/call refused: out of memory");
		if (p)
			pending_remove(&s->c2s, p);
		counters_undo(s->ctr, added);	/* it never ran */
		return false;
	}
	p->added = added;
	call_limits_get(s->pol, name->valuestring, d.timeout_ms, &lim);
	/* The daemon acks before the call goes on, so its processes carry the call id and its rules. A call that
	 * reaches here while a reload drains was not held (a batch's, or one with an overlong id): not started. */
	acked = now_ns();
	refused = s->draining && s->link.fd >= 0;
	p->call = refused ? 0 : dlink_call_start(&s->link, name->valuestring, sha, lim.sandbox, &refused);
	acked = now_ns() - acked;
	/* The tool's sandbox, and the server's while the call runs, must hold, or the call does not run. */
	tool_sb = cJSON_GetArraySize(lim.sandbox) > 0;
	if (tool_sb)
		snprintf(no.rule, sizeof(no.rule), "tools.%s.sandbox", name->valuestring);
	else
		snprintf(no.rule, sizeof(no.rule), "sandbox");
	if (s->draining && refused)
		snprintf(no.reason, sizeof(no.reason), "the reloaded server-level sandbox waits for the running calls "
			 "to end, and a call in a batch (or with an id over 256 bytes) can't wait in the shim meanwhile; "
			 "retry once they end");
	else if ((tool_sb || shim_server_sandboxed(s)) && refused)
		snprintf(no.reason, sizeof(no.reason), "the daemon that enforces the %s sandbox did not accept the "
			 "call (%s); retry once it does", tool_sb ? "tool's" : "server's",
			 s->link.fd < 0 ? s->link.why : "see its log");	/* the link is dropped when it timed out */
	else if ((tool_sb || shim_server_sandboxed(s)) && !p->call && shim_unsandboxed(s, no.rule))
		snprintf(no.reason, sizeof(no.reason), "no daemon enforces the %s sandbox (%s); start `mcpwarden "
			 "daemon` and retry, or run the server with --allow-unsandboxed", tool_sb ? "tool's" : "server's",
			 s->link.why);
	cJSON_Delete(lim.sandbox);
	if (no.reason[0]) {
		counters_undo(s->ctr, p->added);	/* it never ran */
		p->added = NULL;
		pending_remove(&s->c2s, p);
		record_decision(s, m->id, name->valuestring, args, &no, took, sha, 0, 0);
		owe(r, denial(s, m->id, name->valuestring, &no));
		return false;
	}
	record_decision(s, m->id, name->valuestring, args, &d, took, sha, p->call, acked);
	memcpy(p->args_sha, sha, sizeof(p->args_sha));
	p->start_ns = t0;
	p->deadline_ns = lim.deadline_ms ? t0 + (uint64_t)lim.deadline_ms * 1000000ull : 0;
	memcpy(p->deadline_rule, lim.deadline_rule, sizeof(p->deadline_rule));
	return true;
}


/* Tracks a request; false (refused) when its id is already in flight, which would mix up
 * the replies. */
static bool track_request(struct shim *s, const struct jsonrpc_msg *m, struct replies *r)
{
	char key[ID_KEY_MAX];
	struct pending *p;

	if (jsonrpc_id_key(m->id, key) < 0)
		return true;	/* the server answers a bad id as it sees fit */
	if (pending_find(&s->c2s, key)) {
		refuse(s, r, m->id, RPC_INVALID_REQUEST, "request refused: its id is already in flight");
		return false;
	}
	p = pending_add(&s->c2s, key, m->id, kind_of(m->method));
	if (p)
		p->start_ns = now_ns();
	return true;
}

/* The client cancelled one of its requests: the server should not answer it now. */
static void client_cancelled(struct shim *s, const struct jsonrpc_msg *m)
{
	const cJSON *rid = cJSON_GetObjectItemCaseSensitive(m->params, "requestId");
	char key[ID_KEY_MAX];
	struct pending *p;

	struct held_line h;

	if (jsonrpc_id_key(rid, key) == 0 && held_take_key(&s->held, key, &h)) {
		log_debug("a held call was cancelled before it started: dropped");
		held_line_free(&h);
	} else if (jsonrpc_id_key(rid, key) == 0 && (p = pending_find(&s->c2s, key))) {
		cJSON *rec = cJSON_CreateObject();

		cJSON_AddItemToObject(rec, "id", cJSON_Duplicate(p->id, 1));
		if (p->tool)
			cJSON_AddStringToObject(rec, "tool", p->tool);
		cJSON_AddStringToObject(rec, "outcome", "cancelled");
		cJSON_AddNumberToObject(rec, "duration_ms", (double)(now_ns() - p->start_ns) / 1e6);
		dlog_write(&s->log, AUDIT_CALL_END, rec);
		if (p->kind != PEND_TOOLS_CALL) {
			shim_forget(s, p, "cancelled", -1);
			return;
		}
		/* A cancelled call keeps its counts and its id: the server's late answer (often an error) is
		 * swallowed, not taken for a later call that reuses the id, until SHIM_LATE_REPLY_NS passes. */
		cJSON_Delete(dlink_call_end(&s->link, p->call, "cancelled", -1));
		p->call = 0;
		counter_adds_free(p->added);
		p->added = NULL;
		p->timed_out = true;
		p->deadline_ns = now_ns();
	}
}

/* Polices one message; returns true when it may go to the server as it is. */
static bool police(struct shim *s, cJSON *obj, struct replies *r)
{
	struct jsonrpc_msg m;
	char dup[128], why[256], key[ID_KEY_MAX];
	struct pending *p;

	jsonrpc_classify(obj, &m);
	if (jsonrpc_check_keys(obj, 0, dup, sizeof(dup)) < 0) {
		snprintf(why, sizeof(why), "message refused: key '%s' appears twice (or in two cases)", dup);
		refuse(s, r, m.id && (cJSON_IsString(m.id) || cJSON_IsNumber(m.id)) ? m.id : NULL,
		       RPC_INVALID_REQUEST, why);
		return false;
	}
	switch (m.kind) {
	case MSG_REQUEST:
		if (!strcmp(m.method, "tools/call"))
			return police_call(s, &m, r);
		if (!track_request(s, &m, r))
			return false;
		if (!strcmp(m.method, "initialize")) {	/* kept to replay after a respawn */
			cJSON_Delete(s->init_request);
			s->init_request = cJSON_Duplicate(obj, 1);
		}
		return true;
	case MSG_NOTIFICATION:
		if (!strcmp(m.method, "tools/call"))
			return police_call(s, &m, r);
		if (!strcmp(m.method, "notifications/cancelled"))
			client_cancelled(s, &m);
		return true;
	case MSG_RESPONSE:
		if (jsonrpc_id_key(m.id, key) == 0 && (p = pending_find(&s->s2c, key)))
			pending_remove(&s->s2c, p);
		return true;
	default:
		return true;
	}
}

static void send_replies(struct shim *s, struct replies *r, bool batch)
{
	size_t total = 2;
	char *joined;

	if (!batch || r->n == 0) {
		for (size_t i = 0; i < r->n; i++)
			shim_send(s, &s->to_client, r->v[i]);
		free(r->v);
		return;
	}
	for (size_t i = 0; i < r->n; i++)
		total += strlen(r->v[i]) + 1;
	joined = malloc(total + 1);
	if (joined) {
		size_t off = 0;

		joined[off++] = '[';
		for (size_t i = 0; i < r->n; i++) {
			size_t n = strlen(r->v[i]) - 1;	/* without its newline */

			memcpy(joined + off, r->v[i], n);
			off += n;
			joined[off++] = i + 1 < r->n ? ',' : ']';
		}
		joined[off++] = '\n';
		joined[off] = '\0';
	}
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i]);
	free(r->v);
	shim_send(s, &s->to_client, joined);
}

/* cJSON keeps numbers as doubles: an id it would print differently cannot be re-serialized. */
static bool exact_id(const cJSON *el)
{
	const cJSON *id = jsonrpc_member(el, "id");

	return !cJSON_IsNumber(id) || (id->valuedouble == (double)(int64_t)id->valuedouble &&
				       id->valuedouble < 9007199254740992.0 && id->valuedouble > -9007199254740992.0);
}

/* A batch (the strictly parsed `arr` of line[0..n)): police element by element, and forward the
 * survivors as a new batch of their original bytes, so the server reads exactly what the policy did. */
static void police_batch(struct shim *s, cJSON *arr, const char *line, size_t n, struct replies *r)
{
	int count = cJSON_GetArraySize(arr), i = 0;
	struct json_span *raw = count ? calloc((size_t)count, sizeof(*raw)) : NULL;
	char *out = malloc(n + 2);
	size_t len = 0;
	cJSON *el;

	if (!count)
		refuse(s, r, NULL, RPC_INVALID_REQUEST, "empty batch");
	if (count && (!raw || !out || jsonrpc_array_spans(line, n, raw, (size_t)count) != count)) {
		log_warnx("batch of %d elements: out of memory or unsplittable, nothing forwarded", count);
		free(raw);
		free(out);
		return;
	}
	cJSON_ArrayForEach(el, arr) {
		if (!cJSON_IsObject(el))
			refuse(s, r, NULL, RPC_INVALID_REQUEST, "batch element refused: not an object");
		else if (!exact_id(el))
			refuse(s, r, NULL, RPC_INVALID_REQUEST, "batch element refused: id too large to relay exactly");
		else if (police(s, el, r)) {
			out[len] = len ? ',' : '[';
			len++;
			memcpy(out + len, raw[i].p, raw[i].n);
			len += raw[i].n;
		}
		i++;
	}
	free(raw);
	if (!len) {
		free(out);
		return;
	}
	out[len++] = ']';
	out[len++] = '\n';
	shim_forward_line(s, &s->to_server, out, len);
	free(out);
}

static void notify_initialized(struct shim *s, const cJSON *obj)
{
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(obj, "method");

	if (!cJSON_IsString(method) || strcmp(method->valuestring, "notifications/initialized"))
		return;
	s->init_notified = true;
	if (shim_needs_schemas(s))
		shim_prefetch_tools(s, NULL);
}

/* Decodes a small JSON string value; false when it is not one. */
static bool span_string(const struct json_span *sp, char *out, size_t outsz)
{
	const char *why;
	cJSON *v;
	bool ok;

	if (!sp->p || sp->n > 256)
		return false;
	v = jsonrpc_parse(sp->p, sp->n, &why);
	ok = cJSON_IsString(v) && strlen(v->valuestring) < outsz;
	if (ok)
		strcpy(out, v->valuestring);
	cJSON_Delete(v);
	return ok;
}

/* Most lines need no policing: requests other than tools/call, responses to the server's
 * requests, plain notifications. Those are forwarded after bookkeeping on the scanned
 * members alone. Returns false to send the line down the strict path. */
static bool fast_path(struct shim *s, const struct jsonrpc_top *top)
{
	char method[64], key[ID_KEY_MAX];
	struct pending *p;
	const char *why;
	cJSON *id;

	if (top->method.p) {
		if (!span_string(&top->method, method, sizeof(method)) || !strcmp(method, "tools/call") ||
		    !strcmp(method, "initialize") || !strcmp(method, "notifications/cancelled") ||
		    !strcmp(method, "notifications/initialized"))
			return false;
		if (!top->id.p)
			return true;
		if (top->id.n > 256 || !(id = jsonrpc_parse(top->id.p, top->id.n, &why)))
			return false;
		if (jsonrpc_id_key(id, key) < 0 || pending_find(&s->c2s, key)) {
			cJSON_Delete(id);
			return false;	/* the strict path refuses a duplicate id */
		}
		if ((p = pending_add(&s->c2s, key, id, kind_of(method))))
			p->start_ns = now_ns();
		cJSON_Delete(id);
		return true;
	}
	if (top->id.p && (top->result.p || top->error.p)) {
		if (jsonrpc_id_key_raw(top->id.p, top->id.n, key) == 0 && (p = pending_find(&s->s2c, key)))
			pending_remove(&s->s2c, p);
		return true;
	}
	return false;
}

/* Bytes a server may read differently from cJSON: a bare CR or other C0 control (Python's
 * and Node's line readers split on CR), and an escaped NUL (C strings end there, the
 * server's do not). Returns why the line is refused, or NULL. */
static const char *ambiguous_bytes(const char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	const char *q, *end = p + n;
	size_t i = 0;

	/* Eight bytes at a time: a word with no byte below 0x20 needs no closer look. */
	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		if (!((w - ones * 0x20) & ~w & highs))
			continue;
		for (size_t j = i; j < i + 8; j++)
			if ((unsigned char)p[j] < 0x20 && p[j] != '\t')
				return "message refused: raw control character (a bare CR splits lines for some servers)";
	}
	for (; i < n; i++)
		if ((unsigned char)p[i] < 0x20 && p[i] != '\t')
			return "message refused: raw control character (a bare CR splits lines for some servers)";
	for (q = p; (q = memmem(q, (size_t)(end - q), "\\u0000", 6)); q += 6) {
		size_t backslashes = 0;

		for (const char *b = q; b >= p && *b == '\\'; b--)
			backslashes++;
		if (backslashes % 2)	/* an escape, not an escaped backslash before "u0000" */
			return "message refused: \\u0000 in a string";
	}
	return NULL;
}

static bool is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

/* The daemon's calls of this server: started and not yet ended. */
static size_t running_calls(const struct shim *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->c2s.n; i++)
		n += s->c2s.v[i].call != 0;
	return n;
}

/* Whether the daemon can take another call of this server now, or is gone (the call is then decided without it). */
static bool call_room(const struct shim *s)
{
	return s->link.fd < 0 || (!s->draining && running_calls(s) < DLINK_MAX_CALLS);
}

void shim_drain_for_reload(struct shim *s)
{
	s->draining = running_calls(s) > 0;
	s->drain_since_ns = now_ns();
	if (s->draining)
		log_warnx("new calls wait for the %zu running ones: the reloaded server-level sandbox goes in then",
			  running_calls(s));
}

/*
 * A tools/call request the server can't run yet, the daemon running DLINK_MAX_CALLS of its calls, or that
 * earlier ones wait: held, in order, and policed when one ends (shim_release_held), rather than refused.
 * Other lines go on meanwhile (a reply to the server's own request may be what ends a call). A batch is not
 * held. True when held.
 */
static bool hold(struct shim *s, const struct jsonrpc_top *top, const char *line, size_t len)
{
	char method[64];
	const char *why;
	cJSON *id;
	bool held;

	if ((!s->held.n && call_room(s)) || !top->id.p || top->id.n > 256 ||
	    !span_string(&top->method, method, sizeof(method)) || strcmp(method, "tools/call") ||
	    !(id = jsonrpc_parse(top->id.p, top->id.n, &why)))
		return false;
	held = held_add(&s->held, id, line, len);
	cJSON_Delete(id);
	if (held && s->held.n == 1)
		s->held_moved_ns = now_ns();
	if (held)
		log_debug("tools/call held: %s", s->draining ? "a reload's server-level rules wait for the running calls" :
			  "the server runs its most calls already");
	return held;
}

/* One line of the client's, held back (may_hold) when it is a call the server can't run yet. */
static void client_line(struct shim *s, const char *line, size_t len, bool may_hold)
{
	struct replies r = { .v = NULL };
	size_t n = linebuf_trim(line, len);
	struct jsonrpc_top top;
	const char *why = NULL;
	enum scan_result scan;
	cJSON *root;

	if (is_blank(line, n)) {
		shim_forward_line(s, &s->to_server, line, len);	/* harmless: keep the bytes */
		return;
	}
	why = ambiguous_bytes(line, n);
	scan = why ? SCAN_NOT_JSON : jsonrpc_scan(line, n, &top);
	if (scan == SCAN_OBJECT && may_hold && hold(s, &top, line, len))
		return;
	if (scan == SCAN_OBJECT && fast_path(s, &top)) {
		shim_forward_line(s, &s->to_server, line, len);
		return;
	}
	root = why ? NULL : jsonrpc_parse(line, n, &why);
	if (!root) {
		cJSON *id = jsonrpc_head_id(line, n);	/* so the client's request does not hang */

		refuse(s, &r, id, RPC_PARSE_ERROR, strncmp(why, "message", 7) ? "message refused: not valid JSON" : why);
		cJSON_Delete(id);
		send_replies(s, &r, false);
		return;
	}
	if (cJSON_IsArray(root)) {
		police_batch(s, root, line, n, &r);
		send_replies(s, &r, true);
	} else {
		if (police(s, root, &r)) {
			shim_forward_line(s, &s->to_server, line, len);
			notify_initialized(s, root);
		}
		send_replies(s, &r, false);
	}
	cJSON_Delete(root);
}

int shim_client_line(void *ctx, enum linebuf_event ev, const char *line, size_t len)
{
	struct shim *s = ctx;

	if (ev == LINEBUF_OVERSIZE) {
		struct replies r = { .v = NULL };
		cJSON *id = jsonrpc_head_id(line, len);
		char msg[160];

		snprintf(msg, sizeof(msg), "message refused: longer than the %zu-byte line cap",
			 s->o.max_line);
		refuse(s, &r, id, RPC_INVALID_REQUEST, msg);
		cJSON_Delete(id);
		send_replies(s, &r, false);
		return 0;
	}
	client_line(s, line, len, true);
	return 0;
}

/* The drain has lasted SHIM_DRAIN_MAX_MS: every held call is refused (fail closed), and so are the next ones
 * until the running calls end. */
static void refuse_held(struct shim *s)
{
	char why[300];

	snprintf(why, sizeof(why), "mcpwarden policy denied the call (rule 'sandbox'): the reloaded server-level "
		 "sandbox has waited more than %d s for %zu running call(s) to end, and no call starts under the old "
		 "one; retry once they end", SHIM_DRAIN_MAX_MS / 1000, running_calls(s));
	for (struct held_line h; held_take(&s->held, &h); held_line_free(&h)) {
		record_refusal(s, h.id, why);
		shim_send(s, &s->to_client, reply_error(h.id, RPC_POLICY_DENIED, why, "deny", "sandbox"));
	}
}

void shim_release_held(struct shim *s)
{
	struct held_line h;

	if (s->draining && !running_calls(s))
		s->draining = false;	/* the last call_end's ack came after the daemon put the new rules in */
	if (s->draining && now_ns() - s->drain_since_ns > SHIM_DRAIN_MAX_MS * 1000000ull)
		refuse_held(s);

	while (s->held.n && call_room(s) && held_take(&s->held, &h)) {
		client_line(s, h.line, h.len, false);
		held_line_free(&h);
		s->held_moved_ns = now_ns();
	}
}
