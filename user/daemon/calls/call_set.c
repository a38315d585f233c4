/* call_set.c: adds and removes call ids in a tracked process's bounded active-call set. */
#include "daemon/calls/call_set.h"

static int find(const struct tracked *t, uint64_t call)
{
	for (unsigned i = 0; i < t->ncalls && i < EV_MAX_CALLS; i++)
		if (t->calls[i] == call)
			return i;
	return -1;
}

bool call_set_has(const struct tracked *t, uint64_t call)
{
	return find(t, call) >= 0;
}

int call_set_add(struct tracked *t, uint64_t call)
{
	if (find(t, call) >= 0)
		return 0;
	if (t->ncalls >= EV_MAX_CALLS)
		return -1;
	t->calls[t->ncalls++] = call;
	return 0;
}

int call_set_remove(struct tracked *t, uint64_t call)
{
	int i = find(t, call);

	if (i < 0)
		return -1;
	/* Keep the set dense and in start order. */
	for (unsigned j = i; j + 1 < t->ncalls; j++)
		t->calls[j] = t->calls[j + 1];
	t->calls[--t->ncalls] = 0;
	return 0;
}
