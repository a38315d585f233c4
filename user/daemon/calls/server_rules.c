/* server_rules.c: a server's and its calls' rule sets over their lives: installed at register and call start, kept while the call's processes live. */
#include <stdio.h>

#include "common/log.h"
#include "daemon/daemon.h"
#include "daemon/calls/enforce.h"

int daemon_rules_set(struct daemon *d, struct server *s, struct active_call *c, const cJSON *sandbox, char *why,
		     size_t size)
{
	if (enforce_set(&d->sensor, s->id, c ? c->call : 0, sandbox, why, size))
		return -1;
	if (c)
		c->rules = true;
	else
		s->rules = true;
	return 0;
}

void daemon_rules_clear(struct daemon *d, struct server *s)
{
	if (s->rules)
		enforce_clear(&d->sensor, s->id, 0);
	s->rules = false;
}

/* Takes a call's kernel state away: its rule set, if it had one, and its kill mark, if it was killed. */
static void clear_call(struct daemon *d, const struct server *s, const struct active_call *c)
{
	if (c->rules || c->killed)
		enforce_clear(&d->sensor, s->id, c->call);
}

cJSON *daemon_call_ended(struct daemon *d, struct server *s, uint64_t call)
{
	struct active_call *c = active_call_find(s->calls, call);
	cJSON *v;

	if (!c)
		return cJSON_CreateArray();
	v = active_call_take(c);
	c->ended = true;
	/* Processes the call left behind (daemons, setsid escapees) stay under its rules until they exit. */
	if (!c->rules || !enforce_live(&d->sensor, s->id, call)) {
		clear_call(d, s, c);
		active_call_remove(&s->calls, c);
	}
	return v;
}

void daemon_tidy_calls(struct daemon *d)
{
	for (struct server *s = d->servers; s; s = s->next) {
		struct active_call *c = s->calls, *next;

		for (; c; c = next) {
			next = c->next;
			if (c->ended && !enforce_live(&d->sensor, s->id, c->call)) {
				clear_call(d, s, c);
				active_call_remove(&s->calls, c);
			}
		}
	}
}

void daemon_server_gone(void *ctx, struct server *s)
{
	struct daemon *d = ctx;

	daemon_rules_clear(d, s);
	for (struct active_call *c = s->calls; c; c = c->next)
		clear_call(d, s, c);
}
