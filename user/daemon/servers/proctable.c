/* proctable.c: a chained hash table of processes keyed by (pid, start_time). */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "daemon/servers/proctable.h"

static size_t slot(const struct proctable *t, uint32_t pid, uint64_t start_time)
{
	uint64_t k = (pid * 0x9e3779b97f4a7c15ull) ^ start_time;

	return (k ^ (k >> 29)) & (t->nbuckets - 1);
}

int proctable_init(struct proctable *t, size_t nbuckets)
{
	t->nbuckets = nbuckets;
	t->count = 0;
	t->buckets = calloc(nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		log_warn("process table: %zu buckets", nbuckets);
		return -1;
	}
	return 0;
}

void proctable_free(struct proctable *t)
{
	for (size_t i = 0; i < t->nbuckets; i++) {
		while (t->buckets[i]) {
			struct proc *p = t->buckets[i];

			t->buckets[i] = p->next;
			free(p);
		}
	}
	free(t->buckets);
	t->buckets = NULL;
	t->count = 0;
}

struct proc *proctable_find(const struct proctable *t, uint32_t pid, uint64_t start_time)
{
	struct proc *p = t->buckets[slot(t, pid, start_time)];

	while (p && (p->pid != pid || p->start_time != start_time))
		p = p->next;
	return p;
}

struct proc *proctable_find_pid(const struct proctable *t, uint32_t pid)
{
	struct proc *newest = NULL;

	for (size_t i = 0; i < t->nbuckets; i++)
		for (struct proc *p = t->buckets[i]; p; p = p->next)
			if (p->pid == pid && (!newest || p->start_time > newest->start_time))
				newest = p;
	return newest;
}

struct proc *proctable_update(struct proctable *t, const struct ev_hdr *h)
{
	struct proc *p = proctable_find(t, h->pid, h->start_time);

	if (!p) {
		size_t i = slot(t, h->pid, h->start_time);

		p = calloc(1, sizeof(*p));
		if (!p) {
			log_warn("process table: add pid %u", h->pid);
			return NULL;
		}
		p->pid = h->pid;
		p->start_time = h->start_time;
		/* Born outside any call (in the kernel's lineage): the server's own, like its root. */
		p->base = h->server_id && !h->ncalls;
		p->next = t->buckets[i];
		t->buckets[i] = p;
		t->count++;
	}
	p->ppid = h->ppid;
	p->uid = h->uid;
	p->server_id = h->server_id;
	p->cgroup_id = h->cgroup_id;
	memcpy(p->comm, h->comm, sizeof(p->comm));
	p->comm[sizeof(p->comm) - 1] = '\0';
	return p;
}

void proctable_remove(struct proctable *t, uint32_t pid, uint64_t start_time)
{
	struct proc **pp = &t->buckets[slot(t, pid, start_time)];

	while (*pp && ((*pp)->pid != pid || (*pp)->start_time != start_time))
		pp = &(*pp)->next;
	if (*pp) {
		struct proc *p = *pp;

		*pp = p->next;
		free(p);
		t->count--;
	}
}
