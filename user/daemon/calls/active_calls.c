/* active_calls.c: a server's calls as the daemon knows them: tool, rule set, and the violations to report at call end. */
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "daemon/calls/active_calls.h"

struct active_call *active_call_find(struct active_call *list, uint64_t call)
{
	while (list && list->call != call)
		list = list->next;
	return list;
}

bool active_calls_running(const struct active_call *list)
{
	while (list && list->ended)
		list = list->next;
	return list != NULL;
}

struct active_call *active_call_add(struct active_call **list, uint64_t call, const char *tool)
{
	struct active_call *c = calloc(1, sizeof(*c));

	if (!c || !(c->violations = cJSON_CreateArray())) {
		log_warn("call %llu: record", (unsigned long long)call);
		free(c);
		return NULL;
	}
	c->call = call;
	snprintf(c->tool, sizeof(c->tool), "%s", tool ? tool : "?");
	c->next = *list;
	*list = c;
	return c;
}

void active_call_note(struct active_call *c, const char *rule, const char *what)
{
	cJSON *v;

	if (cJSON_GetArraySize(c->violations) >= ACTIVE_CALL_MAX_VIOLATIONS || !(v = cJSON_CreateObject())) {
		c->more++;
		return;
	}
	cJSON_AddStringToObject(v, "rule", rule);
	cJSON_AddStringToObject(v, "what", what);
	cJSON_AddItemToArray(c->violations, v);
}

cJSON *active_call_take(struct active_call *c)
{
	cJSON *out = c->violations, *fresh = cJSON_CreateArray();

	if (!fresh)
		return NULL;
	if (c->more) {
		char what[64];
		cJSON *v = cJSON_CreateObject();

		snprintf(what, sizeof(what), "%u more violations", c->more);
		cJSON_AddStringToObject(v, "rule", "(more)");
		cJSON_AddStringToObject(v, "what", what);
		cJSON_AddItemToArray(out, v);
		c->more = 0;
	}
	c->violations = fresh;
	return out;
}

void active_call_remove(struct active_call **list, struct active_call *c)
{
	for (struct active_call **pp = list; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			cJSON_Delete(c->violations);
			free(c);
			return;
		}
	}
}

void active_calls_free(struct active_call **list)
{
	while (*list)
		active_call_remove(list, *list);
}
