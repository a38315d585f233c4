/* set_keys.c: gathers, writes and drops the entries of one rule set in a map keyed by (rule set, ...). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "common/log.h"
#include "daemon/calls/set_keys.h"

void set_keys_init(struct set_keys *l, struct bpf_map *map, size_t size)
{
	*l = (struct set_keys){ .map = map, .size = size };
}

static int push(struct set_keys *l, const void *key, __u8 mark)
{
	size_t cap = l->cap ? 2 * l->cap : 16;
	unsigned char *grown;
	__u8 *marks;

	if (l->n == l->cap) {
		if (!(grown = reallocarray(l->v, cap, l->size)))
			return -1;
		l->v = grown;
		if (!(marks = reallocarray(l->marks, cap, 1)))
			return -1;
		l->marks = marks;
		l->cap = cap;
	}
	memcpy(l->v + l->n * l->size, key, l->size);
	l->marks[l->n++] = mark;
	return 0;
}

bool set_keys_has(const struct set_keys *l, const void *key)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (!memcmp(l->v + i * l->size, key, l->size))
			return true;
	return false;
}

/* Entries read per batch: a hash map's batch is whole buckets, and no bucket holds this many. */
#define KEYS_BATCH	256

void set_keys_where(struct set_keys *l, bool (*pick)(const struct sb_key *set, const void *ctx), const void *ctx)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int fd = bpf_map__fd(l->map), err;
	unsigned char *keys = malloc(KEYS_BATCH * l->size);
	__u8 marks[KEYS_BATCH];
	__u32 in, out, n;
	void *from = NULL;

	if (!keys) {
		log_warn("map %s: gather keys", bpf_map__name(l->map));
		return;
	}
	/* One syscall a batch, not two a key: a busy host's rule sets hold thousands of keys together. */
	do {
		n = KEYS_BATCH;
		err = bpf_map_lookup_batch(fd, from, &out, keys, marks, &n, &opts);
		if (err && errno != ENOENT) {
			log_warn("map %s: gather keys", bpf_map__name(l->map));
			break;
		}
		for (__u32 i = 0; i < n; i++)
			if (pick((const struct sb_key *)(keys + i * l->size), ctx) && push(l, keys + i * l->size, marks[i])) {
				log_warn("map %s: gather keys", bpf_map__name(l->map));
				err = -1;
				break;
			}
		in = out;
		from = &in;
	} while (!err);
	free(keys);
}

static bool same_set(const struct sb_key *set, const void *k)
{
	return !memcmp(set, k, sizeof(*set));
}

void set_keys_of(struct set_keys *l, const struct sb_key *k)
{
	set_keys_where(l, same_set, k);
}

int set_keys_put(struct set_keys *l, const void *key, __u8 mark)
{
	if (bpf_map__update_elem(l->map, key, l->size, &mark, sizeof(mark), BPF_ANY))
		return -1;
	if (push(l, key, mark)) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void set_keys_restore(const struct set_keys *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct sb_key *k = (const void *)(l->v + i * l->size);

		if (bpf_map__update_elem(l->map, l->v + i * l->size, l->size, &l->marks[i], 1, BPF_ANY))
			log_warn("map %s: restore a mark of server %u call %llu", bpf_map__name(l->map), k->server_id,
				 (unsigned long long)k->call);
	}
}

void set_keys_drop(struct set_keys *l, const struct set_keys *keep)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct sb_key *k = (const void *)(l->v + i * l->size);

		if (!set_keys_has(keep, l->v + i * l->size) && bpf_map__delete_elem(l->map, l->v + i * l->size, l->size, 0) &&
		    errno != ENOENT)
			log_warn("map %s: remove a key of server %u call %llu", bpf_map__name(l->map), k->server_id,
				 (unsigned long long)k->call);
	}
	set_keys_free(l);
}

void set_keys_free(struct set_keys *l)
{
	free(l->v);
	free(l->marks);
	l->v = NULL;
	l->marks = NULL;
	l->n = l->cap = 0;
}
