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

static int push(struct set_keys *l, const void *key)
{
	unsigned char *grown;

	if (l->n == l->cap) {
		grown = reallocarray(l->v, l->cap ? 2 * l->cap : 16, l->size);
		if (!grown)
			return -1;
		l->v = grown;
		l->cap = l->cap ? 2 * l->cap : 16;
	}
	memcpy(l->v + l->n++ * l->size, key, l->size);
	return 0;
}

bool set_keys_has(const struct set_keys *l, const void *key)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (!memcmp(l->v + i * l->size, key, l->size))
			return true;
	return false;
}

void set_keys_of(struct set_keys *l, const struct sb_key *k)
{
	int fd = bpf_map__fd(l->map);
	unsigned char cur[l->size], next[l->size];
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		if (!memcmp(next, k, sizeof(*k)) && push(l, next)) {
			log_warn("map %s: keys of server %u call %llu", bpf_map__name(l->map), k->server_id,
				 (unsigned long long)k->call);
			break;
		}
		memcpy(cur, next, l->size);
		prev = cur;
	}
}

int set_keys_put(struct set_keys *l, const void *key, __u8 mark)
{
	if (bpf_map__update_elem(l->map, key, l->size, &mark, sizeof(mark), BPF_ANY))
		return -1;
	if (push(l, key)) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
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
	l->v = NULL;
	l->n = l->cap = 0;
}
