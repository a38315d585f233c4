/* strq.h: a bounded FIFO of heap strings (a control client's output queue). */
#ifndef MCPWARDEN_STRQ_H
#define MCPWARDEN_STRQ_H

#include <stdbool.h>
#include <stddef.h>

struct strq {
	char **items;
	size_t cap, head, len;
};

int strq_init(struct strq *q, size_t cap);
/* Frees the queue and every string left in it. */
void strq_free(struct strq *q);
/* Takes ownership of `s`; false (and `s` untouched) when the queue is full. */
bool strq_push(struct strq *q, char *s);
/* Removes and returns the oldest string (the caller frees it), or NULL when empty. */
char *strq_pop(struct strq *q);
/* The i-th oldest string, still owned by the queue. */
const char *strq_at(const struct strq *q, size_t i);

#endif
