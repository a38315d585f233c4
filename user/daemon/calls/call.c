/* call.c: a call's life from call_start to its last process: rule set, active sets in the tracked map, violations, audit records. */
#include <stdio.h>

#include "common/log.h"
#include "daemon/calls/active_calls.h"
#include "daemon/calls/call.h"
#include "daemon/calls/call_set.h"
#include "daemon/calls/enforce.h"
#include "daemon/calls/kill.h"
#include "daemon/calls/server_rules.h"
#include "daemon/report/audit_sink.h"
#include "daemon/sensor/ring.h"

struct set_edit {
	struct daemon *d;
	struct server *s;
	uint64_t call;
	bool start;
};

/* Adds or removes the call in one more process of the server's own (a wrapper's child, a worker), as the
 * lineage map has it: also one forked so lately that its record still waits in the ring buffer. */
static void edit_base(void *ctx, __u32 pid, const struct tracked *seen)
{
	struct set_edit *e = ctx;
	struct tracked t;

	if (seen->server_id != e->s->id || !(seen->flags & TRACKED_F_BASE) || (pid_t)pid == e->s->root)
		return;
	/* Read again: the walk's copy may be older than an exit, or than the process that took the pid since. */
	if (sensor_tracked_get(&e->d->sensor, pid, &t) || t.start_time != seen->start_time)
		return;
	if (e->start ? call_set_add(&t, e->call) : call_set_remove(&t, e->call))
		return;
	sensor_tracked_update(&e->d->sensor, pid, &t);
}

/*
 * Adds (start) or removes the call in the active sets. The root carries the
 * call, and so does every other process of the server's own: a server started
 * through npx, uvx or `sh -c` is the root's child, and what it forks during
 * the call must carry the call (and its rules) too. The kernel's lineage map
 * says which processes those are, so no record need be read first and the ack
 * does not wait for the ring buffer. 0, or -1 and `why`.
 */
static int edit_sets(struct daemon *d, struct server *s, uint64_t call, bool start, const char **why)
{
	struct set_edit e = { .d = d, .s = s, .call = call, .start = start };
	struct tracked t;

	/* A call may end after its server died (the shim answers it then): nothing is left to edit. */
	if (!s->root || sensor_tracked_get(&d->sensor, s->root, &t)) {
		*why = s->root ? "the server process is gone" : "no server process attached";
		return start ? -1 : 0;
	}
	if (start ? call_set_add(&t, call) : call_set_remove(&t, call)) {
		*why = start ? "too many concurrent calls" : "call not active";
		return -1;
	}
	if (sensor_tracked_update(&d->sensor, s->root, &t)) {
		*why = "the server process is gone";
		return start ? -1 : 0;
	}
	/* A walk that fails (logged) may leave a process of the server's own without the call: it does not start. */
	if (sensor_tracked_each(&d->sensor, edit_base, &e) && start) {
		*why = "cannot read the BPF map 'tracked'";
		if (!call_set_remove(&t, call))
			sensor_tracked_update(&d->sensor, s->root, &t);
		return -1;
	}
	return 0;
}

/* Takes a call's kernel state away: its rule set, if it had one, and its kill mark, if it was killed. */
static void clear_call(struct daemon *d, const struct server *s, const struct active_call *c)
{
	if (c->rules || c->killed)
		enforce_clear(&d->sensor, s->id, c->call);
}

/* No process of the call is left: its kernel state goes now, the call itself once the records its processes sent
 * are read (call_tidy), as a denial names the call whose rule set made it. */
static void retire(struct daemon *d, struct server *s, struct active_call *c)
{
	clear_call(d, s, c);
	c->cleared = true;
	c->forget_after = ring_sent(&d->ring);
}

/* The call ended: hands over its violations (a JSON array, never NULL but on OOM); its
 * rule set goes once no process of the call is left. */
static cJSON *ended(struct daemon *d, struct server *s, uint64_t call)
{
	struct active_call *c = active_call_find(s->calls, call);
	cJSON *v;

	if (!c)
		return cJSON_CreateArray();
	v = active_call_take(c);
	c->ended = true;
	/* Processes the call left behind (daemons, setsid escapees) stay under its rules until they exit;
	 * a killed call keeps its kill mark until none of its processes is left (call_tidy). */
	if (!c->killed && (!c->rules || !enforce_live(&d->sensor, s->id, call)))
		retire(d, s, c);
	return v;
}

/* A call whose sandbox says on_end: kill ends with what it left running (double-forked, setsid): killed, and
 * said in its result. The server's own processes never are (kill.c). */
static void left_behind(struct daemon *d, struct server *s, uint64_t call)
{
	struct active_call *c = active_call_find(s->calls, call);
	char rule[200];

	if (!c || !c->kill_on_end || c->killed || !enforce_live(&d->sensor, s->id, call))
		return;
	snprintf(rule, sizeof(rule), "tools.%s.sandbox.on_end", c->tool);
	kill_call(d, s, call, rule, "the call ended, and what it left running was killed");
}

int call_start(struct daemon *d, uint32_t server_id, uint64_t call, const cJSON *report, char *why, size_t size)
{
	const cJSON *tool = cJSON_GetObjectItemCaseSensitive(report, "tool");
	const cJSON *sandbox = cJSON_GetObjectItemCaseSensitive(report, "sandbox");
	struct server *s = servers_find(d->servers, server_id);
	struct active_call *c;
	const char *err;
	char rules_err[200];

	if (!s) {
		snprintf(why, size, "the server is gone");
		return -1;
	}
	/* A call id names one call: starting it again would swap the rule set it runs under. */
	if (active_call_find(s->calls, call)) {
		snprintf(why, size, "call %llu of server %u is already active, or its processes still run under its "
			 "rules: a call starts once", (unsigned long long)call, s->id);
		log_warnx("server %u: %s", s->id, why);
		return -1;
	}
	c = active_call_add(&s->calls, call, cJSON_GetStringValue(tool));
	if (!c) {
		snprintf(why, size, "out of memory");
		return -1;
	}
	/* The call's rule set goes in before the call joins the active sets. */
	if (sandbox) {
		if (enforce_set(&d->sensor, s->id, call, sandbox, rules_err, sizeof(rules_err))) {
			active_call_remove(&s->calls, c);
			snprintf(why, size, "sandbox: %s", rules_err);
			return -1;
		}
		c->rules = true;
		c->kill_on_end = !strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sandbox, "on_end")) ?: "",
					 "kill");	/* the decoder checked the value */
	}
	if (edit_sets(d, s, call, true, &err)) {
		clear_call(d, s, c);	/* it never ran: no process or record of it, and the shim may use its id again */
		active_call_remove(&s->calls, c);
		snprintf(why, size, "%s", err);
		return -1;
	}
	audit_sink_report(d, AUDIT_CALL_START, report);
	return 0;
}

int call_end(struct daemon *d, uint32_t server_id, uint64_t call, const cJSON *report, cJSON **violations,
	     char *why, size_t size)
{
	struct server *s;
	const char *err;

	*violations = NULL;
	/* The records sent before the end, so that the violations of the call are all noted; then the server is
	 * looked up, since one of them (its root's exit) may have made the daemon forget it. */
	if (ring_catch_up(d)) {
		snprintf(why, size, "cannot read the ring buffer");
		return -1;
	}
	if (!(s = servers_find(d->servers, server_id)))
		return 0;
	if (edit_sets(d, s, call, false, &err)) {
		snprintf(why, size, "%s", err);
		return -1;
	}
	audit_sink_report(d, AUDIT_CALL_END, report);
	left_behind(d, s, call);
	*violations = ended(d, s, call);
	server_rules_settle(d, s);
	return 0;
}

void call_denied(struct daemon *d, struct server *s, const struct ev_hdr *h, const char *rule, const char *what,
		 bool stop)
{
	/* The calls the process works for get the violation in their result. */
	for (unsigned i = 0; i < h->ncalls && i < EV_MAX_CALLS; i++) {
		struct active_call *c = active_call_find(s->calls, h->calls[i]);

		if (c)
			active_call_note(c, rule, what);
	}
	/* A process limit stops the whole call, not only the process over it. */
	for (unsigned i = 0; stop && i < h->ncalls && i < EV_MAX_CALLS; i++) {
		struct active_call *c = active_call_find(s->calls, h->calls[i]);

		if (c && !c->killed)
			kill_call(d, s, c->call, rule, "process limit reached");
	}
}

void call_tidy(struct daemon *d)
{
	for (struct server *s = d->servers; s; s = s->next) {
		struct active_call *c = s->calls, *next;

		for (; c; c = next) {
			next = c->next;
			if (c->cleared) {
				if (ring_read_to(&d->ring, c->forget_after))
					active_call_remove(&s->calls, c);
				continue;
			}
			if (c->killed && !c->ended) {
				kill_call_rest(d, s, c->call);	/* what the kill's own sweeps had no time for */
				continue;
			}
			if (c->ended && !enforce_live(&d->sensor, s->id, c->call) &&
			    !(c->killed && kill_call_rest(d, s, c->call)))
				retire(d, s, c);
		}
	}
}

void call_server_gone(void *ctx, struct server *s)
{
	struct daemon *d = ctx;

	server_rules_clear(d, s);
	for (struct active_call *c = s->calls; c; c = c->next)
		if (!c->cleared)
			clear_call(d, s, c);
}
