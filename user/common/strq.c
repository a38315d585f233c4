/* strq.c: a bounded FIFO of heap strings in a ring array. */
#include <stdlib.h>

#include "common/log.h"
#include "common/strq.h"

int strq_init(struct strq *q, size_t cap)
{
	q->cap = cap;
	q->head = q->len = 0;
	q->items = calloc(cap, sizeof(*q->items));
	if (!q->items) {
		log_warn("queue of %zu strings", cap);
		return -1;
	}
	return 0;
}

void strq_free(struct strq *q)
{
	char *s;

	while ((s = strq_pop(q)))
		free(s);
	free(q->items);
	q->items = NULL;
}

bool strq_push(struct strq *q, char *s)
{
	if (q->len == q->cap)
		return false;
	q->items[(q->head + q->len++) % q->cap] = s;
	return true;
}

char *strq_pop(struct strq *q)
{
	char *s;

	if (!q->len)
		return NULL;
	s = q->items[q->head];
	q->head = (q->head + 1) % q->cap;
	q->len--;
	return s;
}

const char *strq_at(const struct strq *q, size_t i)
{
	return i < q->len ? q->items[(q->head + i) % q->cap] : NULL;
}
