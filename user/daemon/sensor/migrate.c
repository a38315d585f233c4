/* migrate.c: copies the maps that carry enforcement from an older pinned generation into newly loaded ones, layout checked by BTF. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "common/log.h"
#include "daemon/sensor/migrate.h"
#include "events.h"

/* The maps carried over, in this order (a rule set before the lineage that names it). */
static const char *const carried[] = {
	"sb_rules", "sb_exec", "sb_unix", "sb_sock_files", "sb_procs", "sb_threads", "sb_counted", "sb_doomed",
	"server_cgroups", "thread_calls", "tracked",
};

#define BATCH	256

/* Appends the layout of BTF type `id` to out: names, offsets and sizes of members, recursively. */
static void layout(const struct btf *btf, __u32 id, char *out, size_t size, int depth)
{
	int resolved = btf__resolve_type(btf, id);	/* past typedefs and qualifiers */
	const struct btf_type *t = btf__type_by_id(btf, resolved >= 0 ? (__u32)resolved : id);
	size_t used = strlen(out);

	if (!t || depth > 8 || used + 64 >= size)
		return;
	if (btf_is_composite(t)) {
		const struct btf_member *m = btf_members(t);

		snprintf(out + used, size - used, "{%u:", t->size);
		for (__u16 i = 0; i < btf_vlen(t); i++) {
			used = strlen(out);
			snprintf(out + used, size - used, "%s@%u=", btf__name_by_offset(btf, m[i].name_off),
				 btf_member_bit_offset(t, i));
			layout(btf, m[i].type, out, size, depth + 1);
		}
		used = strlen(out);
		snprintf(out + used, size - used, "}");
	} else if (btf_is_array(t)) {
		snprintf(out + used, size - used, "[%u]", btf_array(t)->nelems);
		layout(btf, btf_array(t)->type, out, size, depth + 1);
	} else {
		snprintf(out + used, size - used, "k%u:%lld", btf_kind(t), (long long)btf__resolve_size(btf, id));
	}
}

/* The key and value layout of map `fd` into out. 0 or -1. */
static int map_layout(int fd, char *out, size_t size)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	struct btf *btf;

	out[0] = '\0';
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	snprintf(out, size, "t%u k%u v%u f%#x ", info.type, info.key_size, info.value_size,
		 info.map_flags & ~BPF_F_NO_PREALLOC);
	if (!info.btf_id)
		return 0;
	if (!(btf = btf__load_from_kernel_by_id(info.btf_id)))
		return -1;
	if (info.btf_key_type_id)
		layout(btf, info.btf_key_type_id, out, size, 0);
	strncat(out, " => ", size - strlen(out) - 1);
	layout(btf, info.btf_value_type_id, out, size, 0);
	btf__free(btf);
	return 0;
}

/* Copies every entry of `from` into `to` (entries `to` holds stay); tracked entries come over uncharged. */
static int copy_entries(int from, int to, const char *name, __u32 ksz, __u32 vsz, char *why, size_t size)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	char *keys = calloc(BATCH, ksz), *vals = calloc(BATCH, vsz);
	__u64 in, out;		/* a hash map's batch token: a bucket index (u32) */
	void *pos = NULL;
	__u32 n;
	int err;

	if (!keys || !vals) {
		snprintf(why, size, "map %s: no memory to copy it", name);
		err = -1;
		goto out;
	}
	do {
		n = BATCH;
		err = bpf_map_lookup_batch(from, pos, &out, keys, vals, &n, &opts);
		if (err && errno != ENOENT) {
			snprintf(why, size, "map %s: read the old generation's entries: %s", name, strerror(errno));
			goto out;
		}
		if (!strcmp(name, "tracked"))
			for (__u32 i = 0; i < n; i++) {
				struct tracked *t = (struct tracked *)(vals + (size_t)i * vsz);

				t->charge_server = 0;
				t->charge = TRACKED_UNCHARGED;
			}
		/* One at a time: a batch update stops at the first entry the new map holds already. */
		for (__u32 i = 0; i < n; i++)
			if (bpf_map_update_elem(to, keys + (size_t)i * ksz, vals + (size_t)i * vsz, BPF_NOEXIST) &&
			    errno != EEXIST) {
				snprintf(why, size, "map %s: write an entry: %s", name, strerror(errno));
				err = -1;
				goto out;
			}
		in = out;
		pos = &in;
	} while (!err);
	err = 0;
out:
	free(keys);
	free(vals);
	return err;
}

int migrate_maps(struct bpf_object *const *objs, unsigned nobjs, const char *dir, bool again, char *why, size_t size)
{
	char path[4096], was[2048], now[2048];
	struct bpf_map *m = NULL;
	int fd, r;

	for (size_t i = 0; i < sizeof(carried) / sizeof(carried[0]); i++) {
		if (again && strcmp(carried[i], "tracked") && strcmp(carried[i], "thread_calls") &&
		    strcmp(carried[i], "sb_counted"))
			continue;	/* only the kernel adds to these three: the rest came once */
		for (unsigned o = 0; o < nobjs && !(m = bpf_object__find_map_by_name(objs[o], carried[i])); o++)
			;
		snprintf(path, sizeof(path), "%s/maps/%s", dir, carried[i]);
		if ((fd = bpf_obj_get(path)) < 0) {
			if (errno == ENOENT && !m)
				continue;
			snprintf(why, size, "map %s: the old generation has %s: %s", carried[i], m ? "none" : "it, this one not",
				 strerror(errno));
			return -1;
		}
		if (!m || map_layout(fd, was, sizeof(was)) || map_layout(bpf_map__fd(m), now, sizeof(now))) {
			snprintf(why, size, "map %s: %s", carried[i], m ? "its layout can't be read" : "this build has none");
			close(fd);
			return -1;
		}
		if (strcmp(was, now)) {
			snprintf(why, size, "map %s: its layout changed (%.300s, now %.300s)", carried[i], was, now);
			close(fd);
			return -1;
		}
		r = copy_entries(fd, bpf_map__fd(m), carried[i], bpf_map__key_size(m), bpf_map__value_size(m), why, size);
		close(fd);
		if (r)
			return -1;
	}
	return 0;
}
