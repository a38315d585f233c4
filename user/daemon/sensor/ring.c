/* ring.c: the ring buffer read a bounded slice at a time, and up to where the kernel was when a request came. */
#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/sensor/ring.h"
#include "daemon/state.h"
#include "proc.skel.h"

/*
 * A BPF ring buffer map's mmap layout (kernel/bpf/ringbuf.c): the consumer position's page at offset 0, the
 * producer position's page after it, each position a 64-bit count of bytes that only grows. libbpf 1.1 has no
 * accessor for them (ring__producer_pos came in 1.3), so they are mapped here, read-only, beside libbpf's map.
 */
#define CONSUMER	0
#define PRODUCER	1

int ring_open(struct ring *r, struct sensor *s)
{
	long page = sysconf(_SC_PAGESIZE);
	void *m;

	r->pos = NULL;
	r->left = 0;
	if (page <= 0) {
		log_warn("ring buffer: page size");
		return -1;
	}
	r->page = (size_t)page;
	m = mmap(NULL, 2 * r->page, PROT_READ, MAP_SHARED, bpf_map__fd(s->proc->maps.events), 0);
	if (m == MAP_FAILED) {
		log_warn("ring buffer: map its consumer and producer positions (map events)");
		return -1;
	}
	r->pos = m;
	return 0;
}

void ring_close(struct ring *r)
{
	if (r->pos)
		munmap((void *)r->pos, 2 * r->page);
	r->pos = NULL;
}

static uint64_t position(const struct ring *r, int which)
{
	return __atomic_load_n(&r->pos[which * r->page / sizeof(*r->pos)], __ATOMIC_ACQUIRE);
}

uint64_t ring_sent(const struct ring *r)
{
	return position(r, PRODUCER);
}

bool ring_read_to(const struct ring *r, uint64_t sent)
{
	return position(r, CONSUMER) >= sent;
}

bool ring_slice_spent(struct ring *r)
{
	return r->left && !--r->left;
}

int ring_slice(struct daemon *d, unsigned max)
{
	int more;

	d->ring.left = max;
	more = sensor_consume(&d->sensor);
	d->ring.left = 0;
	return more;
}

int ring_catch_up(struct daemon *d)
{
	uint64_t sent = ring_sent(&d->ring);
	int more = 1;

	while (more > 0 && !ring_read_to(&d->ring, sent))
		more = ring_slice(d, RING_SLICE);
	return more < 0 ? -1 : 0;
}
