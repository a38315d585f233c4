/* shim.c: the shim's shared actions: sending, prefetching schemas, timeouts, reloads. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "jsonrpc/reply.h"
#include "policy/load.h"
#include "policy/sandbox_wire.h"
#include "shim/call_limits.h"
#include "shim/descendants.h"
#include "shim/shim.h"

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void shim_forward(struct shim *s, struct outq *q, const char *data, size_t n)
{
	if (outq_put(q, data, n) < 0)
		log_warnx("out of memory queueing %zu bytes for the %s: dropped", n,
			  q == &s->to_client ? "client" : "server");
}

void shim_forward_line(struct shim *s, struct outq *q, const char *line, size_t len)
{
	shim_forward(s, q, line, len);
	if (len && line[len - 1] != '\n')	/* a last line cut by EOF: keep framing */
		shim_forward(s, q, "\n", 1);
}

void shim_send(struct shim *s, struct outq *q, char *line)
{
	if (!line) {
		log_warnx("building a message for the %s: out of memory",
			  q == &s->to_client ? "client" : "server");
		return;
	}
	shim_forward(s, q, line, strlen(line));
	free(line);
}

bool shim_needs_schemas(const struct shim *s)
{
	if (s->pol->validate_schema)
		return true;
	for (size_t i = 0; i < s->pol->ntools; i++)
		for (size_t j = 0; j < s->pol->tools[i].nrules; j++)
			if (s->pol->tools[i].rules[j].required_args || s->pol->tools[i].rules[j].schema)
				return true;
	return false;
}

void shim_replay_handshake(struct shim *s)
{
	cJSON *init = s->init_request ? cJSON_Duplicate(s->init_request, 1) : NULL;
	char key[ID_KEY_MAX], idtext[64];
	cJSON *id;

	if (!init)
		return;	/* the server/discover era is stateless: nothing to replay */
	snprintf(idtext, sizeof(idtext), "mcpwarden-replay-%u", ++s->prefetch_seq);
	id = cJSON_CreateString(idtext);
	cJSON_ReplaceItemInObjectCaseSensitive(init, "id", id);
	if (jsonrpc_id_key(id, key) == 0 && pending_add(&s->c2s, key, id, PEND_REPLAY))
		shim_send(s, &s->to_server, line_of(init));
	else
		cJSON_Delete(init);
	if (s->init_notified)
		shim_send(s, &s->to_server,
			  strdup("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"));
}

/* Sends a request of the shim's own (`method`, with `params`, taken; NULL for none) under id
 * `id`, tracked as `kind` so that its answer never reaches the client. Returns its entry (valid
 * until the table changes), or NULL when out of memory (logged). */
static struct pending *send_own_request(struct shim *s, enum pending_kind kind, const char *id, const char *method,
					cJSON *params)
{
	cJSON *msg = cJSON_CreateObject(), *idj = cJSON_CreateString(id);
	char key[ID_KEY_MAX];
	struct pending *p;

	if (!msg || !idj || jsonrpc_id_key(idj, key) < 0 || !(p = pending_add(&s->c2s, key, idj, kind))) {
		log_warnx("cannot send %s to the server: out of memory", method);
		cJSON_Delete(msg);
		cJSON_Delete(idj);
		cJSON_Delete(params);
		return NULL;
	}
	p->start_ns = now_ns();
	cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
	cJSON_AddItemToObject(msg, "id", idj);
	cJSON_AddStringToObject(msg, "method", method);
	if (params)
		cJSON_AddItemToObject(msg, "params", params);
	shim_send(s, &s->to_server, line_of(msg));
	return p;
}

void shim_prefetch_tools(struct shim *s, const cJSON *cursor)
{
	cJSON *params = NULL;
	char id[64];

	snprintf(id, sizeof(id), "mcpwarden-tools-%u", ++s->prefetch_seq);
	if (cursor && (params = cJSON_CreateObject()))
		cJSON_AddItemToObject(params, "cursor", cJSON_Duplicate(cursor, 1));
	send_own_request(s, PEND_PREFETCH, id, "tools/list", params);
}

void shim_forget(struct shim *s, struct pending *p, const char *outcome, int is_error)
{
	cJSON_Delete(dlink_call_end(&s->link, p->call, outcome, is_error));
	pending_remove(&s->c2s, p);
}

/* The shim's own requests: never answered to the client. */
static bool own_request(const struct pending *p)
{
	return p->kind == PEND_PREFETCH || p->kind == PEND_REPLAY || p->kind == PEND_PING;
}

void shim_fail_pending(struct shim *s, const char *why)
{
	while (s->c2s.n) {
		struct pending *p = &s->c2s.v[s->c2s.n - 1];

		if (!own_request(p) && !p->timed_out) {
			cJSON *rec = cJSON_CreateObject();

			shim_send(s, &s->to_client, reply_error(p->id, RPC_SERVER_GONE, why, NULL, NULL));
			cJSON_AddItemToObject(rec, "id", cJSON_Duplicate(p->id, 1));
			if (p->tool)
				cJSON_AddStringToObject(rec, "tool", p->tool);
			cJSON_AddStringToObject(rec, "outcome", "server_exit");
			dlog_write(&s->log, AUDIT_CALL_END, rec);
		}
		shim_forget(s, p, "server_exit", -1);
	}
	for (struct held_line h; held_take(&s->held, &h); held_line_free(&h))
		shim_send(s, &s->to_client, reply_error(h.id, RPC_SERVER_GONE, why, NULL, NULL));
}

/* After a timeout: a server that cannot answer a ping within SHIM_PING_GRACE_MS is stuck (an
 * in-process spin); it is killed, and restarted like any server killed outright. */
static void send_ping(struct shim *s, const char *rule)
{
	unsigned long long nonce;
	struct pending *p;
	char id[64];

	for (size_t i = 0; i < s->c2s.n; i++)
		if (s->c2s.v[i].kind == PEND_PING)
			return;	/* one at a time */
	/* Unguessable: a process left holding the server's stdout can't answer for a stuck server. */
	if (getrandom(&nonce, sizeof(nonce), 0) != sizeof(nonce))
		nonce = now_ns();
	snprintf(id, sizeof(id), "mcpwarden-ping-%u-%016llx", ++s->prefetch_seq, nonce);
	p = send_own_request(s, PEND_PING, id, "ping", NULL);
	if (!p)
		return;
	p->deadline_ns = p->start_ns + SHIM_PING_GRACE_MS * 1000000ull;
	snprintf(p->deadline_rule, sizeof(p->deadline_rule), "%s", rule);
}

void shim_kill_tree(struct shim *s, const char *rule, const char *why)
{
	int fd = s->link.cgroup_fd >= 0 ? openat(s->link.cgroup_fd, "cgroup.kill", O_WRONLY | O_CLOEXEC) : -1;
	bool done = fd >= 0 && write(fd, "1", 1) == 1;
	cJSON *rec = cJSON_CreateObject();

	if (fd >= 0)
		close(fd);
	log_warnx("%s: killing server pid %d and all it started (%s)", why, s->child.pid,
		  done ? "its cgroup" : "every process below the shim");
	cJSON_AddNumberToObject(rec, "pid", s->child.pid);
	cJSON_AddStringToObject(rec, "rule", rule);
	cJSON_AddStringToObject(rec, "reason", why);
	dlog_write(&s->log, AUDIT_SERVER_KILL, rec);
	if (!done) {
		child_signal(&s->child, SIGKILL);
		descendants_kill();	/* setsid and double-forked ones too: the shim adopted them */
	}
}

cJSON *shim_running_calls(void *ctx)
{
	struct shim *s = ctx;
	cJSON *a = cJSON_CreateArray(), *o;
	struct call_limits lim;

	for (size_t i = 0; a && i < s->c2s.n; i++) {
		const struct pending *p = &s->c2s.v[i];

		if (p->kind != PEND_TOOLS_CALL || !p->call || p->timed_out || !(o = cJSON_CreateObject()))
			continue;
		cJSON_AddNumberToObject(o, "call", (double)p->call);
		cJSON_AddStringToObject(o, "tool", p->tool);
		/* The tool's sandbox as the policy says now: the daemon installs it only where the kernel lost it. */
		call_limits_get(s->pol, p->tool, 0, &lim);
		if (lim.sandbox)
			cJSON_AddItemToObject(o, "sandbox", lim.sandbox);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static void server_stuck(struct shim *s, struct pending *ping)
{
	cJSON *rec = cJSON_CreateObject();
	char reason[128];

	ping->timed_out = true;
	snprintf(reason, sizeof(reason), "no answer to a ping %d ms after a call timed out", SHIM_PING_GRACE_MS);
	log_warnx("server pid %d is stuck (%s): killing it (%s)", s->child.pid, reason, ping->deadline_rule);
	cJSON_AddNumberToObject(rec, "pid", s->child.pid);
	cJSON_AddStringToObject(rec, "rule", ping->deadline_rule);
	cJSON_AddStringToObject(rec, "reason", reason);
	dlog_write(&s->log, AUDIT_SERVER_KILL, rec);
	/* The daemon kills the whole cgroup, escapees included; alone, the shim kills its process group. */
	if (dlink_kill_server(&s->link, ping->deadline_rule, reason))
		child_signal(&s->child, SIGKILL);
}

void shim_expire_calls(struct shim *s, uint64_t now)
{
	for (size_t i = 0; i < s->c2s.n; i++) {
		struct pending *p = &s->c2s.v[i];
		char text[400];
		cJSON *rec;

		if (p->timed_out && p->kind == PEND_TOOLS_CALL && now > p->deadline_ns + SHIM_LATE_REPLY_NS) {
			pending_remove(&s->c2s, p);	/* no late reply came to swallow */
			return;
		}
		if (!p->deadline_ns || p->timed_out || p->deadline_ns > now)
			continue;
		if (p->kind == PEND_PING) {
			server_stuck(s, p);
			continue;
		}
		p->timed_out = true;
		/* Its processes die first; the call ends with the daemon now too, since after
		 * notifications/cancelled the server need not answer it at all. */
		if (p->call && dlink_kill_call(&s->link, p->call, p->deadline_rule, "deadline passed"))
			shim_kill_tree(s, p->deadline_rule, "a call's deadline passed while no daemon could kill its "
				       "processes");
		snprintf(text, sizeof(text), "mcpwarden: tool '%s' timed out after %.0f ms (rule '%s'); its "
			 "processes were killed and the server was sent notifications/cancelled", p->tool,
			 (double)(now - p->start_ns) / 1e6, p->deadline_rule);
		shim_send(s, &s->to_client, reply_tool_error(p->id, text, "timeout", p->tool, p->deadline_rule, text));
		shim_send(s, &s->to_server, notify_cancelled(p->id, "mcpwarden: tool call timed out"));
		cJSON_Delete(dlink_call_end(&s->link, p->call, "timeout", 1));
		p->call = 0;
		rec = cJSON_CreateObject();
		cJSON_AddItemToObject(rec, "id", cJSON_Duplicate(p->id, 1));
		cJSON_AddStringToObject(rec, "tool", p->tool);
		cJSON_AddStringToObject(rec, "outcome", "timeout");
		cJSON_AddStringToObject(rec, "rule", p->deadline_rule);
		cJSON_AddNumberToObject(rec, "duration_ms", (double)(now - p->start_ns) / 1e6);
		cJSON_AddNumberToObject(rec, "deadline_mono_ms", (double)p->deadline_ns / 1e6);	/* CLOCK_MONOTONIC */
		dlog_write(&s->log, AUDIT_CALL_END, rec);
		send_ping(s, p->deadline_rule);	/* may move the table: stop here, the next poll goes on */
		return;
	}
}

bool shim_server_sandboxed(const struct shim *s)
{
	return cJSON_GetArraySize(s->link.sandbox) > 0;	/* the wire form holds only the daemon's rules */
}

bool shim_unsandboxed(struct shim *s, const char *rule)
{
	cJSON *rec;

	if (!rule)
		return false;
	if (!s->o.allow_unsandboxed)
		return true;
	if (!s->unsandboxed_warned)
		log_warnx("--allow-unsandboxed: %s: the policy's sandbox rules are NOT enforced (%s)", rule, s->link.why);
	s->unsandboxed_warned = true;
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "rule", rule);
	cJSON_AddStringToObject(rec, "reason", s->link.why);
	dlog_write(&s->log, AUDIT_UNSANDBOXED, rec);
	return false;
}

void shim_link_sandbox(struct shim *s)
{
	dlink_set_sandbox(&s->link, sandbox_wire_encode(&s->pol->sandbox));
}

bool shim_reload_policy(struct shim *s, const char *trigger)
{
	char err[POLICY_ERR_SIZE];
	struct policy *np;
	cJSON *rec = cJSON_CreateObject();
	bool changed = false;

	if (!s->o.policy_path) {
		cJSON_Delete(rec);
		return false;
	}
	np = policy_load_file(s->o.policy_path, s->o.policy_flags, err, sizeof(err));
	cJSON_AddStringToObject(rec, "trigger", trigger);
	cJSON_AddStringToObject(rec, "file", s->o.policy_path);
	cJSON_AddBoolToObject(rec, "ok", np != NULL);
	if (!np) {
		log_warnx("policy reload (%s) failed, keeping the old policy: %s", trigger, err);
		cJSON_AddStringToObject(rec, "error", err);
	} else {
		cJSON *was = sandbox_wire_encode(&s->pol->sandbox), *now = sandbox_wire_encode(&np->sandbox);

		changed = (was || now) && !cJSON_Compare(was, now, true);	/* NULL: no server-level sandbox */
		cJSON_Delete(was);
		cJSON_Delete(now);
		policy_free(s->pol);
		s->pol = np;
		shim_link_sandbox(s);
		log_warnx("policy reloaded from %s (%s)", s->o.policy_path, trigger);
	}
	dlink_policy_reload(&s->link, rec);
	dlog_write(&s->log, AUDIT_POLICY_RELOAD, rec);
	return changed;
}
