/* call.c: a call's life from call_start to its last process: rule set, active sets in the tracked map, violations, audit records. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "daemon/calls/active_calls.h"
#include "daemon/calls/call.h"
#include "daemon/calls/call_set.h"
#include "daemon/calls/enforce.h"
#include "daemon/calls/kill.h"
#include "daemon/calls/server_rules.h"
#include "daemon/report/audit_sink.h"
#include "daemon/sensor/base_procs.h"
#include "daemon/sensor/ring.h"

struct set_edit {
	struct daemon *d;
	uint32_t server_id;
	uint64_t call;
	bool start;
	pid_t full;		/* a process that could not take the call (its EV_MAX_CALLS slots held) */
};

/* Adds or removes the call in one more process of the server's own (a wrapper's child, a worker), as the
 * lineage map has it: also one forked so lately that its record still waits in the ring buffer. */
static void edit_base(void *ctx, uint32_t pid, uint64_t start_time)
{
	struct set_edit *e = ctx;
	struct tracked t;

	/* Read again: the kept copy may be older than an exit, than the process that took the pid since, or than
	 * a track that moved it to another server. */
	if (sensor_tracked_get(&e->d->sensor, pid, &t) || t.start_time != start_time || t.server_id != e->server_id ||
	    !(t.flags & TRACKED_F_BASE))
		return;
	if (!e->start) {
		if (!call_set_remove(&t, e->call))
			sensor_tracked_update(&e->d->sensor, pid, &t);
		return;
	}
	if (call_set_has(&t, e->call))
		return;
	/* Gone since the read (ENOENT): no harm. Full, or the map refused the write: the call can't start. */
	if (call_set_add(&t, e->call) || (sensor_tracked_update(&e->d->sensor, pid, &t) && errno != ENOENT))
		e->full = e->full ?: (pid_t)pid;
}

/*
 * Adds (start) or removes the call in the active sets. The root carries the
 * call, and so does every other process of the server's own: a server started
 * through npx, uvx or `sh -c` is the root's child, and what it forks during
 * the call must carry the call (and its rules) too. The kernel's lineage map
 * says which processes those are (base_procs.h), so no record need be read first and the ack
 * does not wait for the ring buffer. A call that one of them can't take does not start: its forks would
 * run outside the call's rules. 0, or -1 and `why`.
 */
static int edit_sets(struct daemon *d, struct server *s, uint64_t call, bool start, const char **why)
{
	struct set_edit e = { .d = d, .server_id = s->id, .call = call, .start = start };
	const char *undo;
	struct tracked t;
	int walked;

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
	walked = base_procs_each(&d->base, &d->sensor, s->id, (uint32_t)s->root, edit_base, &e);
	if (!start || (!walked && !e.full))
		return 0;
	/* A walk that failed (logged) may have left a process of the server's own without the call: it does not start. */
	*why = walked ? "cannot read the BPF map 'tracked'" : "a process of the server's own can't take the call "
						"(its call slots are held, or the BPF map 'tracked' refused the write)";
	if (e.full)
		log_warnx("server %u call %llu: pid %d, of the server's own, can't take it (its %d call slots held, "
			  "or its entry not writable)", s->id, (unsigned long long)call, e.full, EV_MAX_CALLS);
	edit_sets(d, s, call, false, &undo);	/* leaving a set can't fail but for a gone root */
	return -1;
}

/* Takes a call's kernel state away: its rule set, if it had one, and its kill mark, if it was killed. */
static void clear_call(struct daemon *d, const struct server *s, const struct active_call *c)
{
	if (c->rules || c->killed)
		enforce_clear(&d->sensor, s->id, c->call);
}

struct carrier {
	uint32_t server_id;
	uint64_t call;
	bool found;
};

static void find_carrier(void *ctx, __u32 pid, const struct tracked *t)
{
	struct carrier *c = ctx;

	(void)pid;
	c->found |= t->server_id == c->server_id && call_set_has(t, c->call);
}

/*
 * Whether a process of the call lives. Its counts (sb_procs, sb_threads) say so, but where both are 0 and may lag
 * the lineage, so does a lineage entry that carries the call: after an upgrade's copy, which races the forks it
 * copies (counts_lag), and once the kernel has made entries it could not charge or hold whole (children it kills as
 * they fork, uncounted, which run under the call's rules until the kill lands). Only then is the map walked.
 */
static bool live(struct daemon *d, const struct server *s, const struct active_call *ac)
{
	struct carrier c = { .server_id = s->id, .call = ac->call };
	uint64_t errors[SERR_MAX];

	if (enforce_live(&d->sensor, s->id, ac->call))
		return true;
	if (!ac->counts_lag && !sensor_errors(&d->sensor, errors) && !errors[SERR_TRACKED_FULL] &&
	    !errors[SERR_LINEAGE_BUDGET])
		return false;
	return sensor_tracked_each(&d->sensor, find_carrier, &c) || c.found;	/* unreadable: assume it lives */
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
	if (!c->killed && (!c->rules || !live(d, s, c)))
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
		clear_call(d, s, c);	/* it never ran: no process or record of it, so nothing waits to name it */
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
	if (ring_catch_up(d))	/* the call ends anyway: kept in the active sets, it would hold one of the root's slots */
		log_warnx("server %u call %llu: the ring buffer could not be read: its violations may be incomplete",
			  server_id, (unsigned long long)call);
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

/* A rule set or kill mark the kernel holds for one of the resumed server's calls. */
static void held(void *ctx, uint64_t call, bool rules, bool doomed)
{
	struct server *s = ctx;
	struct active_call *c;

	if (!call) {
		s->rules |= rules;	/* the server's own set (server_rules.c) */
		return;
	}
	if (!(c = active_call_find(s->calls, call))) {
		if (!(c = active_call_add(&s->calls, call, NULL)))
			return;
		c->ended = true;	/* not running: the shim did not name it */
	}
	c->rules |= rules;
	c->killed |= doomed;
}

static bool named(const cJSON *running, uint64_t call)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, running)
		if ((uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "call")) == call)
			return true;
	return false;
}

int call_resume(struct daemon *d, struct server *s, const cJSON *running, char *why, size_t size)
{
	const cJSON *r;
	char err[200];

	/* A call this daemon started that the shim does not name never ran: its ack reached no one (the shim
	 * gave up on a slow daemon, and refused the call). It ends now. */
	for (struct active_call *c = s->calls; c; c = c->next) {
		cJSON *rec;

		if (c->ended || named(running, c->call))
			continue;
		c->ended = true;
		if ((rec = cJSON_CreateObject())) {
			cJSON_AddNumberToObject(rec, "server_id", s->id);
			cJSON_AddNumberToObject(rec, "call", (double)c->call);
			cJSON_AddStringToObject(rec, "tool", c->tool);
			cJSON_AddStringToObject(rec, "outcome", "its ack reached no shim: the call was refused there");
			audit_sink_add(d, AUDIT_CALL_END, rec);
		}
	}

	cJSON_ArrayForEach(r, running) {
		uint64_t call = (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "call"));
		const cJSON *sandbox = cJSON_GetObjectItemCaseSensitive(r, "sandbox");
		struct active_call *c = active_call_find(s->calls, call);

		if (!c && !(c = active_call_add(&s->calls, call, cJSON_GetStringValue(
							cJSON_GetObjectItemCaseSensitive(r, "tool"))))) {
			snprintf(why, size, "out of memory");
			return -1;
		}
		c->kill_on_end = !strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sandbox, "on_end")) ?: "",
					 "kill");
		c->ended = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ended"));
	}
	if (enforce_held(&d->sensor, s->id, held, s)) {
		snprintf(why, size, "cannot read the rule sets the kernel holds for server %u", s->id);
		return -1;
	}
	for (struct active_call *c = s->calls; c; c = c->next)
		c->counts_lag = d->pins.previous[0];	/* an upgrade copied their counts */
	/* A running call whose rule set the kernel lost (a layout that could not carry it over) gets it again; one
	 * that ended meanwhile ends now, with what on_end: kill leaves. */
	cJSON_ArrayForEach(r, running) {
		uint64_t call = (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "call"));
		const cJSON *sandbox = cJSON_GetObjectItemCaseSensitive(r, "sandbox");
		struct active_call *c = active_call_find(s->calls, call);

		if (c->ended) {
			cJSON *rec = cJSON_CreateObject();

			cJSON_AddNumberToObject(rec, "server_id", s->id);
			cJSON_AddNumberToObject(rec, "call", (double)call);
			cJSON_AddStringToObject(rec, "tool", c->tool);
			cJSON_AddStringToObject(rec, "outcome", "ended while no daemon ran");
			audit_sink_add(d, AUDIT_CALL_END, rec);
			continue;	/* what it left running dies once the root is known (call_resume_root) */
		}
		if (c->rules || !sandbox)
			continue;
		if (enforce_set(&d->sensor, s->id, call, sandbox, err, sizeof(err))) {
			snprintf(why, size, "call %llu: sandbox: %s", (unsigned long long)call, err);
			return -1;
		}
		c->rules = true;
	}
	return 0;
}

struct strip {
	struct daemon *d;
	struct server *s;
};

/* Takes out of one of the server's own processes every call that is not running: one that ended while no daemon
 * ran, or that its shim did not name. */
static void strip_ended(void *ctx, uint32_t pid, uint64_t start_time)
{
	struct strip *st = ctx;
	struct active_call *c;
	uint64_t ids[EV_MAX_CALLS];
	unsigned n, gone = 0;
	struct tracked t;

	if (sensor_tracked_get(&st->d->sensor, pid, &t) || t.start_time != start_time || t.server_id != st->s->id)
		return;
	n = t.ncalls < EV_MAX_CALLS ? t.ncalls : EV_MAX_CALLS;
	memcpy(ids, t.calls, n * sizeof(ids[0]));
	for (unsigned i = 0; i < n; i++)
		if ((!(c = active_call_find(st->s->calls, ids[i])) || c->ended) && !call_set_remove(&t, ids[i]))
			gone++;
	if (gone && sensor_tracked_update(&st->d->sensor, pid, &t))
		log_warnx("server %u: pid %u keeps %u calls that ended while no daemon ran (it may have exited)",
			  st->s->id, pid, gone);
}

void call_resume_root(struct daemon *d, struct server *s)
{
	struct strip st = { .d = d, .s = s };
	struct active_call *c;
	struct tracked t;

	if (!s->root || sensor_tracked_get(&d->sensor, s->root, &t))
		return;
	strip_ended(&st, (uint32_t)s->root, t.start_time);
	if (base_procs_each(&d->base, &d->sensor, s->id, (uint32_t)s->root, strip_ended, &st))
		log_warnx("server %u: its own processes may keep calls that ended while no daemon ran", s->id);
	for (c = s->calls; c; c = c->next)
		if (c->ended)
			left_behind(d, s, c->call);	/* its on_end: kill, which no daemon ran at its end */
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
			if (c->ended && !live(d, s, c) &&
			    !(c->killed && kill_call_rest(d, s, c->call)))
				retire(d, s, c);
		}
	}
}

/* The sets the kernel holds for a server going away, gathered before any is removed (removals would send a
 * key walk back to its start). */
struct held_sets {
	uint64_t calls[64];
	unsigned n;
	bool more;
};

static void gather_held(void *ctx, uint64_t call, bool rules, bool doomed)
{
	struct held_sets *h = ctx;

	(void)rules;
	(void)doomed;
	if (h->n < sizeof(h->calls) / sizeof(h->calls[0]))
		h->calls[h->n++] = call;
	else
		h->more = true;
}

void call_server_gone(void *ctx, struct server *s)
{
	struct daemon *d = ctx;
	struct held_sets h;

	server_rules_clear(d, s);
	pins_owner_del(&d->pins, s->id);
	for (struct active_call *c = s->calls; c; c = c->next)
		if (!c->cleared)
			clear_call(d, s, c);
	/* And what the kernel holds that this daemon never knew of: a server a previous daemon left that no shim
	 * resumed. */
	for (int round = 0; round < 32; round++) {	/* 64 a round; a map holds at most SB_MAX_RULE_SETS */
		h = (struct held_sets){ 0 };
		if (enforce_held(&d->sensor, s->id, gather_held, &h))
			return;
		for (unsigned i = 0; i < h.n; i++)
			enforce_clear(&d->sensor, s->id, h.calls[i]);
		if (!h.more)
			break;
	}
}
