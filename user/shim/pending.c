/* pending.c: requests in flight in either direction, keyed by their JSON-RPC id. */
#include <stdlib.h>
#include <string.h>

#include "shim/pending.h"

struct pending *pending_find(struct pending_table *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].key, key))
			return &t->v[i];
	return NULL;
}

struct pending *pending_add(struct pending_table *t, const char *key, const cJSON *id,
			    enum pending_kind kind)
{
	struct pending *p;

	if (pending_find(t, key))
		return NULL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct pending *nv = realloc(t->v, cap * sizeof(*nv));

		if (!nv)
			return NULL;
		t->v = nv;
		t->cap = cap;
	}
	p = &t->v[t->n];
	memset(p, 0, sizeof(*p));
	strcpy(p->key, key);
	p->kind = kind;
	p->id = cJSON_Duplicate(id, 1);
	if (!p->id)
		return NULL;
	t->n++;
	return p;
}

void pending_remove(struct pending_table *t, struct pending *p)
{
	cJSON_Delete(p->id);
	free(p->tool);
	counter_adds_free(p->added);
	*p = t->v[--t->n];
}

uint64_t pending_next_deadline(const struct pending_table *t)
{
	uint64_t best = 0;

	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].deadline_ns && !t->v[i].timed_out &&
		    (!best || t->v[i].deadline_ns < best))
			best = t->v[i].deadline_ns;
	return best;
}

void pending_clear(struct pending_table *t)
{
	while (t->n)
		pending_remove(t, &t->v[t->n - 1]);
	free(t->v);
	t->v = NULL;
	t->cap = 0;
}
