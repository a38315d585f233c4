/* base_procs.c: the servers' own processes, from the last walk of the lineage map while the kernel made no new one. */
#include <stdlib.h>

#include "common/log.h"
#include "daemon/sensor/base_procs.h"
#include "proc.skel.h"

static void keep(void *ctx, __u32 pid, const struct tracked *t)
{
	struct base_procs *b = ctx;
	struct base_proc *v;

	if (!(t->flags & TRACKED_F_BASE) || !b->valid)
		return;
	if (b->n == b->cap) {
		v = reallocarray(b->v, b->cap ? 2 * b->cap : 64, sizeof(*v));
		if (!v) {
			log_warn("base processes: keep %zu", b->cap ? 2 * b->cap : 64);
			b->valid = false;
			return;
		}
		b->v = v;
		b->cap = b->cap ? 2 * b->cap : 64;
	}
	b->v[b->n++] = (struct base_proc){ .pid = pid, .server_id = t->server_id, .start_time = t->start_time };
}

/* Walks the map again where base_made moved since the kept list was made. 0 or -1 (logged). */
static int refresh(struct base_procs *b, struct sensor *s)
{
	__u32 zero = 0;
	__u64 made;

	if (bpf_map__lookup_elem(s->proc->maps.base_made, &zero, sizeof(zero), &made, sizeof(made), 0)) {
		log_warn("map base_made: read");
		b->valid = false;
		return -1;
	}
	if (b->valid && made == b->made)
		return 0;
	b->n = 0;
	b->valid = true;
	if (sensor_tracked_each(s, keep, b) || !b->valid) {
		b->valid = false;
		return -1;
	}
	b->made = made;
	return 0;
}

int base_procs_each(struct base_procs *b, struct sensor *s, uint32_t server_id, uint32_t root,
		    void (*fn)(void *ctx, uint32_t pid, uint64_t start_time), void *ctx)
{
	if (refresh(b, s))
		return -1;
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].server_id == server_id && b->v[i].pid != root)
			fn(ctx, b->v[i].pid, b->v[i].start_time);
	return 0;
}

void base_procs_forget(struct base_procs *b)
{
	b->valid = false;
}

void base_procs_free(struct base_procs *b)
{
	free(b->v);
	*b = (struct base_procs){ 0 };
}
