/* server_rules.c: a server's own rule set (call 0): put into the kernel through enforce.c, or kept waiting while calls run; noted on the server, taken out again. */
#include <stdio.h>

#include "common/log.h"
#include "daemon/calls/enforce.h"
#include "daemon/calls/server_rules.h"
#include "policy/sandbox_wire.h"

/* Takes s's rule set out of the kernel, if it has one. */
static void take_out(struct daemon *d, struct server *s)
{
	if (s->rules)
		enforce_clear(&d->sensor, s->id, 0);
	s->rules = false;
}

/* Puts `sandbox` (NULL: none) into the kernel as s's rule set. 0, or -1 with `why` set (nothing changed). */
static int install(struct daemon *d, struct server *s, const cJSON *sandbox, char *why, size_t size)
{
	if (!sandbox) {
		take_out(d, s);
		return 0;
	}
	if (enforce_set(&d->sensor, s->id, 0, sandbox, why, size))
		return -1;
	s->rules = true;
	return 0;
}

/* Forgets the rules a reload left waiting. */
static void unstage(struct server *s)
{
	cJSON_Delete(s->staged_rules);
	s->staged_rules = NULL;
	s->staged = false;
}

int server_rules_replace(struct daemon *d, struct server *s, const cJSON *sandbox, char *why, size_t size)
{
	struct sandbox sb;
	cJSON *copy = NULL;

	if (!active_calls_running(s->calls)) {
		if (install(d, s, sandbox, why, size))
			return -1;
		unstage(s);
		return 0;
	}
	/* Checked now, so the peer hears of a fault; the kernel gets them once the calls ended. */
	if (sandbox) {
		if (sandbox_wire_decode(sandbox, &sb, why, size))
			return -1;
		sandbox_free(&sb);
		if (!(copy = cJSON_Duplicate(sandbox, true))) {
			snprintf(why, size, "out of memory");
			return -1;
		}
	}
	unstage(s);
	s->staged_rules = copy;
	s->staged = true;
	log_warnx("server %u '%s': new server-level rules wait until its running calls end", s->id, s->name);
	return 1;
}

void server_rules_settle(struct daemon *d, struct server *s)
{
	char why[200];

	if (!s->staged || active_calls_running(s->calls))
		return;
	if (install(d, s, s->staged_rules, why, sizeof(why)))
		log_warnx("server %u '%s': the server-level rules that waited for its calls: %s; the previous ones stay",
			  s->id, s->name, why);
	else
		log_warnx("server %u '%s': its calls ended: the new server-level rules are in force", s->id, s->name);
	unstage(s);
}

void server_rules_clear(struct daemon *d, struct server *s)
{
	take_out(d, s);
	unstage(s);
}
