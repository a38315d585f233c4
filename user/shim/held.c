/* held.c: tools/call lines held back, first in first out, until the server may run another call. */
#include <stdlib.h>
#include <string.h>

#include "shim/held.h"

bool held_add(struct held *h, const cJSON *id, const char *line, size_t len)
{
	struct held_line l = { .id = cJSON_Duplicate(id, 1), .line = malloc(len ? len : 1), .len = len };

	if (!l.id || !l.line || jsonrpc_id_key(id, l.key) < 0)
		goto oom;
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 16;
		struct held_line *v = reallocarray(h->v, cap, sizeof(*v));

		if (!v)
			goto oom;
		h->v = v;
		h->cap = cap;
	}
	memcpy(l.line, line, len);
	h->v[h->n++] = l;
	return true;
oom:
	held_line_free(&l);
	return false;
}

/* Takes line i out, keeping the order of the others. */
static void take_at(struct held *h, size_t i, struct held_line *out)
{
	*out = h->v[i];
	memmove(h->v + i, h->v + i + 1, (h->n - i - 1) * sizeof(*h->v));
	h->n--;
}

bool held_take(struct held *h, struct held_line *out)
{
	if (!h->n)
		return false;
	take_at(h, 0, out);
	return true;
}

bool held_take_key(struct held *h, const char *key, struct held_line *out)
{
	for (size_t i = 0; i < h->n; i++)
		if (!strcmp(h->v[i].key, key)) {
			take_at(h, i, out);
			return true;
		}
	return false;
}

void held_line_free(struct held_line *l)
{
	cJSON_Delete(l->id);
	free(l->line);
	l->id = NULL;
	l->line = NULL;
}

void held_free(struct held *h)
{
	for (size_t i = 0; i < h->n; i++)
		held_line_free(&h->v[i]);
	free(h->v);
	*h = (struct held){ 0 };
}
