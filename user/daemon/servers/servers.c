/* servers.c: a short list of known servers, keyed by server id. */
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "daemon/servers/servers.h"

struct server *servers_find(struct server *list, uint32_t id)
{
	while (list && list->id != id)
		list = list->next;
	return list;
}

struct server *servers_add(struct server **list, uint32_t id, pid_t root, pid_t owner, const char *name)
{
	struct server *s = servers_find(*list, id);

	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s) {
			log_warn("server %u (pid %d)", id, root);
			return NULL;
		}
		s->id = id;
		s->next = *list;
		*list = s;
	}
	s->root = root;
	s->owner = owner;
	if (name)
		snprintf(s->name, sizeof(s->name), "%s", name);
	return s;
}

void servers_forget_root(struct server **list, pid_t pid, server_gone_fn gone, void *ctx)
{
	for (struct server *s = *list; s; s = s->next)
		if (s->root == pid)
			s->root = 0;
	servers_prune(list, gone, ctx);
}

static void server_free(struct server *s)
{
	active_calls_free(&s->calls);
	cJSON_Delete(s->staged_rules);
	free(s);
}

void servers_prune(struct server **list, server_gone_fn gone, void *ctx)
{
	struct server **pp = list;

	while (*pp) {
		struct server *s = *pp;

		if (!s->root && !s->cgroup[0]) {
			*pp = s->next;
			gone(ctx, s);
			server_free(s);
		} else {
			pp = &s->next;
		}
	}
}

void servers_free(struct server **list)
{
	while (*list) {
		struct server *s = *list;

		*list = s->next;
		server_free(s);
	}
}
