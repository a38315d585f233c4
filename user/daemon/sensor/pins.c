/* pins.c: the pin root in bpffs: its lock, this build's generation, the maps and links pinned in it, and their removal. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/magic.h>

#include "common/log.h"
#include "common/sha256.h"
#include "daemon/sensor/pins.h"

#define PINS_MAX_OWNERS	4096	/* cgroup servers at once whose shim can resume them */

/* root/gen[/sub[/name]] into out. 0, or -1 when it does not fit (logged). */
static int pin_path(const struct pins *p, const char *gen, const char *sub, const char *name, char *out,
		    size_t size)
{
	int n = snprintf(out, size, "%s/%s%s%s%s%s", p->root, gen, sub ? "/" : "", sub ? sub : "", name ? "/" : "",
			 name ? name : "");

	if (n < 0 || (size_t)n >= size) {
		log_warnx("pin path %s/%s/%s/%s: too long", p->root, gen, sub ? sub : "", name ? name : "");
		return -1;
	}
	return 0;
}

/* Opens the pinned object at `path`: its fd, or -1 (errno ENOENT when nothing is pinned there, not logged). */
static int pin_get(const char *path)
{
	int fd = bpf_obj_get(path);

	if (fd < 0 && errno != ENOENT)
		log_warn("bpffs: open pinned %s", path);
	return fd;
}

/* A pin root another user made where anyone may (bpffs's own mount is mode 1777 unless systemd mounted it):
 * moved aside, so that a user can't keep the daemon from starting by taking its name. 0 when moved. */
static int move_foreign(const char *root, const struct stat *st)
{
	char aside[PATH_MAX];

	if (st->st_uid == 0 || snprintf(aside, sizeof(aside), "%s-foreign%u-%lu", root, st->st_uid,
					(unsigned long)st->st_ino) >= (int)sizeof(aside))
		return -1;
	if (rename(root, aside)) {
		log_warn("pin root %s: uid %u made it; move it aside to %s", root, st->st_uid, aside);
		return -1;
	}
	log_warnx("pin root %s: uid %u made it before the daemon did; moved aside to %s", root, st->st_uid, aside);
	return 0;
}

/* Opens and locks `root`, which must be a bpffs directory of root's, mode 0700 (with `make`, made, or a foreign
 * one moved aside first). The fd, or -1 (logged; *gone set, and nothing logged, when `root` was removed or
 * replaced between the open and the lock: --stop-enforcement held it meanwhile). */
static int open_root_once(const char *root, bool make, bool *gone)
{
	struct statfs fs;
	struct stat st, now;
	int fd;

	if (make && mkdir(root, 0700) && errno != EEXIST) {
		if (errno == EPERM && strchr(strrchr(root, '/') ? strrchr(root, '/') : root, '.'))
			log_warnx("pin root %s: bpffs takes no '.' in a name", root);
		else
			log_warn("pin root %s: mkdir", root);
		return -1;
	}
	fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		log_warn("pin root %s: open (a directory, not a link)", root);
		return -1;
	}
	if (make && !fstat(fd, &st) && !move_foreign(root, &st)) {
		close(fd);
		if (mkdir(root, 0700) && errno != EEXIST) {
			log_warn("pin root %s: mkdir", root);
			return -1;
		}
		return open_root_once(root, false, gone);	/* taken again meanwhile: refused, not moved again */
	}
	if (fstatfs(fd, &fs) || fstat(fd, &st)) {
		log_warn("pin root %s: stat", root);
	} else if (fs.f_type != BPF_FS_MAGIC) {
		log_warnx("pin root %s: not on bpffs: pins there would not hold BPF objects", root);
	} else if (st.st_uid != 0 || (st.st_mode & 077)) {
		log_warnx("pin root %s: owned by uid %u with mode %03o; it must be root's with mode 0700, since whoever "
			  "can write it can unpin the sandbox", root, st.st_uid, st.st_mode & 0777);
	} else if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno == EWOULDBLOCK)
			log_warnx("pin root %s: another mcpwarden daemon holds it (one daemon per host)", root);
		else
			log_warn("pin root %s: flock", root);
	} else if (stat(root, &now) || now.st_dev != st.st_dev || now.st_ino != st.st_ino) {
		*gone = true;	/* pins made in it would be in no directory anyone can find */
	} else {
		return fd;
	}
	close(fd);
	return -1;
}

/* open_root_once, again while `root` goes away under it (a few times: then it is refused). */
static int open_root(const char *root, bool make)
{
	bool gone = false;
	int fd;

	for (int tries = 0; tries < 3; tries++) {
		fd = open_root_once(root, make, &gone);
		if (fd >= 0 || !gone)
			return fd;
		gone = false;
	}
	log_warnx("pin root %s: removed or replaced each time it was locked", root);
	return -1;
}

int pins_open(struct pins *p, const char *root)
{
	memset(p, 0, sizeof(*p));
	p->root_fd = p->meta_fd = p->owners_fd = -1;
	if (snprintf(p->root, sizeof(p->root), "%s", root) >= (int)sizeof(p->root)) {
		log_warnx("pin root %s: too long", root);
		return -1;
	}
	p->root_fd = open_root(root, true);
	return p->root_fd < 0 ? -1 : 0;
}

/* Notes every generation in the root but `p->gen`; a half-made one of this generation is renamed aside first,
 * so that its leftovers go once this daemon's own links are attached. 0 or -1 (logged). */
static int find_others(struct pins *p, bool own_half_made)
{
	char from[PATH_MAX], to[PATH_MAX];
	struct dirent *e;
	DIR *dir;
	int fd;

	if (own_half_made) {
		if (pin_path(p, p->gen, NULL, NULL, from, sizeof(from)) ||
		    snprintf(to, sizeof(to), "%s/%s-half%ld", p->root, p->gen, (long)getpid()) >= (int)sizeof(to))
			return -1;
		if (rename(from, to)) {
			log_warn("bpffs: move aside the half-made %s", from);
			return -1;
		}
		log_warnx("%s: a daemon died while it made it; it goes once this one is attached", from);
	}
	if ((fd = dup(p->root_fd)) < 0 || !(dir = fdopendir(fd))) {
		log_warn("pin root %s: list", p->root);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rewinddir(dir);
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, p->gen))
			continue;
		if (p->nothers == sizeof(p->others) / sizeof(p->others[0]) ||
		    strlen(e->d_name) >= sizeof(p->others[0])) {
			log_warnx("pin root %s: unexpected entry '%s'; remove it with daemon --stop-enforcement", p->root,
				  e->d_name);
			closedir(dir);
			return -1;
		}
		snprintf(p->others[p->nothers++], sizeof(p->others[0]), "%s", e->d_name);
	}
	closedir(dir);
	return 0;
}

int pins_gen(struct pins *p, const void *const *elf, const size_t *elf_sz, unsigned n, const char *choices)
{
	char all[(SHA256_HEX_LEN + 1) * 8 + 512], hex[SHA256_HEX_LEN + 1], path[PATH_MAX];
	size_t used = 0;
	bool half;
	int fd;

	if (n > 8 || strlen(choices) >= 512) {
		log_warnx("pins: %u objects, choices '%s': too many", n, choices);
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		if (sha256_hex(elf[i], elf_sz[i], hex)) {
			log_warnx("pins: hash the BPF objects");
			return -1;
		}
		used += (size_t)snprintf(all + used, sizeof(all) - used, "%s ", hex);
	}
	used += (size_t)snprintf(all + used, sizeof(all) - used, "%s", choices);
	if (sha256_hex(all, used, hex))
		return -1;
	snprintf(p->gen, sizeof(p->gen), "g%.16s", hex);
	if (pin_path(p, p->gen, NULL, "meta", path, sizeof(path)))
		return -1;
	fd = pin_get(path);
	if (fd < 0 && errno != ENOENT)
		return -1;
	p->adopted = fd >= 0;
	half = !p->adopted && !faccessat(p->root_fd, p->gen, F_OK, AT_SYMLINK_NOFOLLOW);
	if (p->adopted) {
		__u32 zero = 0;

		p->meta_fd = fd;
		if (bpf_map_lookup_elem(fd, &zero, &p->was) ||
		    pin_path(p, p->gen, NULL, "owners", path, sizeof(path)) || (p->owners_fd = pin_get(path)) < 0) {
			log_warn("bpffs: read %s/%s's meta and owners", p->root, p->gen);
			return -1;
		}
	}
	return find_others(p, half);
}

int pins_reuse_maps(struct pins *p, struct bpf_object *obj)
{
	char path[PATH_MAX];
	struct bpf_map *m;
	int fd;

	if (!p->adopted)
		return 0;
	bpf_object__for_each_map(m, obj) {
		if (bpf_map__is_internal(m))
			continue;
		if (pin_path(p, p->gen, "maps", bpf_map__name(m), path, sizeof(path)))
			return -1;
		if ((fd = pin_get(path)) < 0) {
			if (errno == ENOENT)
				continue;
			return -1;
		}
		if (bpf_map__reuse_fd(m, fd)) {
			log_warn("bpffs: reuse pinned map %s", path);
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

struct bpf_link *pins_link(struct pins *p, const struct bpf_program *prog)
{
	char path[PATH_MAX];
	struct bpf_link *l;

	if (!p->adopted || pin_path(p, p->gen, "links", bpf_program__name(prog), path, sizeof(path)))
		return NULL;
	if (access(path, F_OK))
		return NULL;
	if (!(l = bpf_link__open(path)))
		log_warn("bpffs: open pinned link %s", path);
	return l;
}

/* Makes root/gen/sub. 0 or -1 (logged). */
static int make_dir(struct pins *p, const char *sub)
{
	char path[PATH_MAX];

	if (pin_path(p, p->gen, sub, NULL, path, sizeof(path)))
		return -1;
	if (!mkdir(path, 0700)) {
		p->made |= !sub;
		return 0;
	}
	if (errno != EEXIST) {
		log_warn("bpffs: mkdir %s", path);
		return -1;
	}
	return 0;
}

/* Pins `fd` at `path` unless something is pinned there already. 0 or -1 (logged). */
static int pin_fd(int fd, const char *path)
{
	if (bpf_obj_pin(fd, path) && errno != EEXIST) {
		log_warn("bpffs: pin %s", path);
		return -1;
	}
	return 0;
}

int pins_keep_maps(struct pins *p, struct bpf_object *obj)
{
	char path[PATH_MAX];
	struct bpf_map *m;

	if (make_dir(p, NULL) || make_dir(p, "maps") || make_dir(p, "links"))
		return -1;
	bpf_object__for_each_map(m, obj) {
		if (bpf_map__is_internal(m))
			continue;
		if (pin_path(p, p->gen, "maps", bpf_map__name(m), path, sizeof(path)) ||
		    pin_fd(bpf_map__fd(m), path))
			return -1;
	}
	return 0;
}

int pins_keep_link(struct pins *p, const struct bpf_program *prog, struct bpf_link *link)
{
	char path[PATH_MAX];

	if (pin_path(p, p->gen, "links", bpf_program__name(prog), path, sizeof(path)) ||
	    pin_fd(bpf_link__fd(link), path))
		return -1;
	/* Closing it now only drops this process's reference (a perf link would else be disabled). */
	bpf_link__disconnect(link);
	return 0;
}

/* Makes (or finds) pinned map `name` of GEN: its fd, or -1 (logged). */
static int own_map(struct pins *p, const char *name, enum bpf_map_type type, __u32 value_size, __u32 max)
{
	char path[PATH_MAX];
	int fd;

	if (pin_path(p, p->gen, NULL, name, path, sizeof(path)))
		return -1;
	if ((fd = pin_get(path)) >= 0 || errno != ENOENT)
		return fd;
	fd = bpf_map_create(type, name, sizeof(__u32), value_size, max, NULL);
	if (fd < 0) {
		log_warn("bpffs: make map %s", name);
		return -1;
	}
	if (pin_fd(fd, path)) {
		close(fd);
		return -1;
	}
	return fd;
}

int pins_inherit(struct pins *p, char *dir, size_t size)
{
	char path[PATH_MAX];
	struct pin_owner o;
	__u32 id, next, zero = 0;
	void *prev = NULL;
	int meta, owners;

	if (p->adopted)
		return 0;
	for (unsigned i = 0; i < p->nothers && !p->previous[0]; i++) {
		if (pin_path(p, p->others[i], NULL, "meta", path, sizeof(path)))
			return -1;
		if ((meta = pin_get(path)) < 0) {
			if (errno != ENOENT)
				return -1;
			continue;	/* half made: nothing to take */
		}
		if (bpf_map_lookup_elem(meta, &zero, &p->was)) {
			log_warn("bpffs: read %s", path);
			close(meta);
			return -1;
		}
		close(meta);
		snprintf(p->previous, sizeof(p->previous), "%s", p->others[i]);
	}
	if (!p->previous[0])
		return 0;
	if (pin_path(p, p->previous, NULL, NULL, dir, size) || pin_path(p, p->previous, NULL, "owners", path, sizeof(path)))
		return -1;
	if ((owners = pin_get(path)) < 0)
		return -1;
	if (make_dir(p, NULL) ||
	    (p->owners_fd = own_map(p, "owners", BPF_MAP_TYPE_HASH, sizeof(struct pin_owner), PINS_MAX_OWNERS)) < 0) {
		close(owners);
		return -1;
	}
	/* Small, and only daemons write it: a get_next_key walk holds. */
	while (!bpf_map_get_next_key(owners, prev, &next)) {
		id = next;
		prev = &id;
		if (!bpf_map_lookup_elem(owners, &id, &o) && bpf_map_update_elem(p->owners_fd, &id, &o, BPF_ANY)) {
			log_warn("bpffs: carry the owner of server %u over", id);
			close(owners);
			return -1;
		}
	}
	close(owners);
	return 1;
}

int pins_meta_write(struct pins *p, const struct pin_meta *m)
{
	__u32 zero = 0;

	if (p->meta_fd < 0)
		return 0;
	if (bpf_map_update_elem(p->meta_fd, &zero, m, BPF_ANY)) {
		log_warn("bpffs: %s/%s/meta: write", p->root, p->gen);
		return -1;
	}
	return 0;
}

int pins_save(struct pins *p, const struct pin_meta *m)
{
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd;

	if (p->owners_fd < 0 &&
	    (p->owners_fd = own_map(p, "owners", BPF_MAP_TYPE_HASH, sizeof(struct pin_owner), PINS_MAX_OWNERS)) < 0)
		return -1;
	if (p->meta_fd < 0) {
		/* Written before it is pinned: a pinned meta always says something. */
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "meta", sizeof(__u32), sizeof(*m), 1, NULL);
		if (fd < 0 || bpf_map_update_elem(fd, &zero, m, BPF_ANY)) {
			log_warn("bpffs: make map meta");
			if (fd >= 0)
				close(fd);
			return -1;
		}
		if (pin_path(p, p->gen, NULL, "meta", path, sizeof(path)) || pin_fd(fd, path)) {
			close(fd);
			return -1;
		}
		p->meta_fd = fd;
	}
	p->saved = true;
	return pins_meta_write(p, m);
}

int pins_owner_set(struct pins *p, uint32_t id, const struct pin_owner *o)
{
	if (p->owners_fd >= 0 && bpf_map_update_elem(p->owners_fd, &id, o, BPF_ANY)) {
		log_warn("bpffs: owners: server %u (pid %d)", id, o->pid);
		return -1;
	}
	return 0;
}

int pins_owner_del(struct pins *p, uint32_t id)
{
	if (p->owners_fd >= 0 && bpf_map_delete_elem(p->owners_fd, &id) && errno != ENOENT) {
		log_warn("bpffs: owners: forget server %u", id);
		return -1;
	}
	return 0;
}

int pins_owner_get(struct pins *p, uint32_t id, struct pin_owner *o)
{
	return p->owners_fd >= 0 && !bpf_map_lookup_elem(p->owners_fd, &id, o) ? 0 : -1;
}

/* Unlinks every entry of directory `path` (one level: links/ and maps/ hold pins only), then the directory.
 * Adds the pins removed to *n. 0 or -1 (logged). */
static int remove_tree(const char *path, unsigned *n)
{
	char sub[PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *dir = opendir(path);
	int r = 0;

	if (!dir) {
		log_warn("bpffs: list %s", path);
		return -1;
	}
	while ((e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= (int)sizeof(sub) || lstat(sub, &st)) {
			log_warn("bpffs: %s/%s", path, e->d_name);
			r = -1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			r |= remove_tree(sub, n);
		} else if (unlink(sub)) {
			log_warn("bpffs: unpin %s", sub);
			r = -1;
		} else {
			++*n;
		}
	}
	closedir(dir);
	if (!r && rmdir(path)) {
		log_warn("bpffs: rmdir %s", path);
		r = -1;
	}
	return r;
}

/* Links first: once they are gone nothing runs that reads the maps. */
static int remove_gen(const char *root, const char *gen, unsigned *n)
{
	char path[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s/links", root, gen) >= (int)sizeof(path)) {
		log_warnx("bpffs: %s/%s: path too long", root, gen);
		return -1;
	}
	if (!lstat(path, &st) && remove_tree(path, n))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", root, gen);
	return lstat(path, &st) ? 0 : remove_tree(path, n);
}

int pins_retire(struct pins *p, const char *gen)
{
	unsigned n = 0;
	int r = remove_gen(p->root, gen, &n);

	log_warnx("pin root %s: generation %s %s (%u pins removed)", p->root, gen, r ? "only partly removed" :
		  "removed", n);
	return r;
}

int pins_remove_all(const char *root, unsigned *nremoved)
{
	struct dirent *e;
	int fd, dfd, r = 0;
	DIR *dir;

	*nremoved = 0;
	if ((fd = open_root(root, false)) < 0)
		return -1;
	if ((dfd = dup(fd)) < 0 || !(dir = fdopendir(dfd))) {
		log_warn("pin root %s: list", root);
		if (dfd >= 0)
			close(dfd);
		close(fd);
		return -1;
	}
	while ((e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			r |= remove_gen(root, e->d_name, nremoved);
	closedir(dir);
	if (!r && rmdir(root)) {
		log_warn("pin root %s: rmdir", root);
		r = -1;
	}
	close(fd);
	return r;
}

void pins_close(struct pins *p)
{
	if (p->meta_fd >= 0)
		close(p->meta_fd);
	if (p->owners_fd >= 0)
		close(p->owners_fd);
	if (p->root_fd >= 0)
		close(p->root_fd);	/* drops the lock */
	p->root_fd = p->meta_fd = p->owners_fd = -1;
}
