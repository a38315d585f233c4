/* server_rules.c: a server's own rule set (call 0): put into the kernel through enforce.c, noted on the server, taken out again. */
#include "daemon/calls/enforce.h"
#include "daemon/calls/server_rules.h"

int server_rules_set(struct daemon *d, struct server *s, const cJSON *sandbox, char *why, size_t size)
{
	if (enforce_set(&d->sensor, s->id, 0, sandbox, why, size))
		return -1;
	s->rules = true;
	return 0;
}

void server_rules_clear(struct daemon *d, struct server *s)
{
	if (s->rules)
		enforce_clear(&d->sensor, s->id, 0);
	s->rules = false;
}
