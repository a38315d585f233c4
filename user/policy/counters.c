/* counters.c: fixed-window counters for rate limits and state, kept across policy reloads. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/counters.h"

struct slot {
	char *key;
	time_t window_start;
	double value;
};

struct counters {
	struct slot *slots;
	size_t cap, used;	/* cap is a power of two */
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

struct counters *counters_new(void)
{
	struct counters *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cap = 64;
	c->slots = calloc(c->cap, sizeof(*c->slots));
	if (!c->slots) {
		free(c);
		return NULL;
	}
	return c;
}

void counters_free(struct counters *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->cap; i++)
		free(c->slots[i].key);
	free(c->slots);
	free(c);
}

static struct slot *find(struct slot *slots, size_t cap, const char *key)
{
	size_t i = hash(key) & (cap - 1);

	while (slots[i].key && strcmp(slots[i].key, key))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow(struct counters *c)
{
	size_t cap = c->cap * 2;
	struct slot *ns = calloc(cap, sizeof(*ns));

	if (!ns)
		return -1;
	for (size_t i = 0; i < c->cap; i++)
		if (c->slots[i].key)
			*find(ns, cap, c->slots[i].key) = c->slots[i];
	free(c->slots);
	c->slots = ns;
	c->cap = cap;
	return 0;
}

double counters_get(struct counters *c, const char *key, long window_s, time_t now)
{
	struct slot *s = find(c->slots, c->cap, key);

	if (!s->key || s->window_start != now - now % window_s)
		return 0;
	return s->value;
}

int counters_add(struct counters *c, const char *key, long window_s, time_t now, double delta,
		 struct counter_add **undo)
{
	time_t start = now - now % window_s;
	struct slot *s;

	if ((c->used + 1) * 10 > c->cap * 7 && grow(c) < 0)
		return -1;
	s = find(c->slots, c->cap, key);
	if (!s->key) {
		s->key = strdup(key);
		if (!s->key)
			return -1;
		c->used++;
		s->window_start = start;
		s->value = 0;
	} else if (s->window_start != start) {
		s->window_start = start;
		s->value = 0;
	}
	s->value += delta;
	if (undo) {
		struct counter_add *a = malloc(sizeof(*a) + strlen(key) + 1);

		if (a) {
			a->next = *undo;
			a->window_s = window_s;
			a->window_start = start;
			a->delta = delta;
			strcpy(a->key, key);
			*undo = a;
		}
	}
	return 0;
}

void counters_undo(struct counters *c, struct counter_add *adds)
{
	for (struct counter_add *a = adds; a; a = a->next) {
		struct slot *s = find(c->slots, c->cap, a->key);

		if (s->key && s->window_start == a->window_start)
			s->value -= a->delta;
	}
	counter_adds_free(adds);
}

void counter_adds_free(struct counter_add *adds)
{
	while (adds) {
		struct counter_add *next = adds->next;

		free(adds);
		adds = next;
	}
}
