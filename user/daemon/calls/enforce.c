/* enforce.c: writes a policy's sandbox block (as the shim sends it) into the BPF maps of enforce.bpf.c. */
#include <errno.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/bpf.h>

#include "common/log.h"
#include "daemon/calls/enforce.h"
#include "daemon/calls/file_id.h"
#include "daemon/calls/loader_files.h"
#include "daemon/calls/set_keys.h"
#include "enforce.skel.h"
#include "policy/sandbox_wire.h"
#include "sandbox.h"

/* Where a bare program name in exec.allow/deny is looked for. */
static const char *const path_dirs[] = {
	"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", NULL,
};

/* Marks the regular files `path` (a glob) matches. 0 or -1 (why set). */
static int add_glob(const struct sb_key *k, const char *path, __u8 mark, struct set_keys *added, char *why,
		    size_t size)
{
	glob_t g;
	int r = glob(path, GLOB_NOSORT, NULL, &g);

	if (r == GLOB_NOMATCH)
		return 0;
	if (r) {
		snprintf(why, size, "exec pattern '%s': glob failed", path);
		return -1;
	}
	for (size_t j = 0; j < g.gl_pathc; j++) {
		struct sb_exec_key ek = { .set = *k };
		uint64_t dev, ino;
		mode_t type;

		if (file_id(g.gl_pathv[j], &dev, &ino, &type) || type != S_IFREG)
			continue;
		ek.dev = dev;
		ek.ino = ino;
		if (set_keys_put(added, &ek, mark)) {
			snprintf(why, size, "exec file %s: map sb_exec: %s", g.gl_pathv[j], strerror(errno));
			globfree(&g);
			return -1;
		}
	}
	globfree(&g);
	return 0;
}

/* A pattern with a '/' is a path glob; a bare name is looked up in the PATH directories. */
static int add_pattern(const struct sb_key *k, const char *pat, __u8 mark, struct set_keys *added, char *why,
		       size_t size)
{
	char full[4096];

	if (strchr(pat, '/'))
		return add_glob(k, pat, mark, added, why, size);
	for (int i = 0; path_dirs[i]; i++) {
		snprintf(full, sizeof(full), "%s/%s", path_dirs[i], pat);
		if (add_glob(k, full, mark, added, why, size))
			return -1;
	}
	return 0;
}

static int add_patterns(const struct sb_key *k, char *const *list, size_t n, __u8 mark, struct set_keys *added,
			char *why, size_t size)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(list[i], "*"))
			continue;	/* deny ["*"]: an empty allow list, set in fill_rules */
		if (add_pattern(k, list[i], mark, added, why, size))
			return -1;
	}
	return 0;
}

/*
 * `ld.so PROGRAM` runs PROGRAM without an exec of it: the exec the kernel judges is the loader's. So a
 * rule set with an exec deny list denies the dynamic loaders too (loaders.h), but for the files its
 * allow list marked already (`added` holds only allow marks when this runs).
 */
static int deny_loaders(const struct sb_key *k, struct set_keys *added, char *why, size_t size)
{
	const struct loader_file *f;
	size_t n;

	if (loader_files(&f, &n, why, size))
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct sb_exec_key ek = { .set = *k, .dev = f[i].dev, .ino = f[i].ino };

		if (set_keys_has(added, &ek))
			continue;
		if (set_keys_put(added, &ek, SB_FILE_DENY)) {
			snprintf(why, size, "exec file of a dynamic loader: map sb_exec: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/*
 * Writes the network.unix entries of one list (policy/unix_rule.h: valid, and shorter than the
 * key's path) into `addrs`; an entry that names a socket file that exists now is also written
 * by its identity into `files`, for the check after a connect (bpf/sandbox.bpf.h,
 * sandbox_unix_connected): a listed socket whose listener bound another name is still it.
 */
static int add_unix(const struct sb_key *k, char *const *list, size_t n, __u8 mark, struct set_keys *addrs,
		    struct set_keys *files, char *why, size_t size)
{
	for (size_t i = 0; i < n; i++) {
		struct sb_unix_key uk = { .set = *k };
		struct sb_exec_key fk = { .set = *k };
		size_t len = strlen(list[i]);
		uint64_t dev, ino;
		mode_t type;

		strncpy(uk.path, list[i], sizeof(uk.path) - 1);
		if (list[i][0] == '@' && len > 1 && list[i][len - 1] != '/')
			uk.len = (__u32)len;	/* an abstract name, not a prefix: matched at its length */
		if (set_keys_put(addrs, &uk, mark)) {
			snprintf(why, size, "network.unix entry %s: map sb_unix: %s", list[i], strerror(errno));
			return -1;
		}
		if (list[i][0] != '/' || list[i][len - 1] == '/' || file_id(list[i], &dev, &ino, &type) ||
		    type != S_IFSOCK)
			continue;
		fk.dev = dev;
		fk.ino = ino;
		if (set_keys_put(files, &fk, mark)) {
			snprintf(why, size, "network.unix entry %s: map sb_sock_files: %s", list[i], strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Appends the network entries of one list (allow or deny) to r. The decoder lets in at most
 * SB_MAX_NET_RULES entries in both lists, what r holds. */
static void add_nets(struct sb_rules *r, const struct cidr_rule *list, size_t n, __u8 allow)
{
	for (size_t i = 0; i < n; i++) {
		struct sb_net_rule *nr = &r->net[r->nnet++];

		nr->family = list[i].family;
		nr->prefix = list[i].prefix;
		nr->port = list[i].port;
		nr->allow = allow;
		memcpy(nr->addr, list[i].addr, sizeof(nr->addr));
	}
}

static void fill_rules(struct sb_rules *r, const struct sandbox *sb)
{
	memset(r, 0, sizeof(*r));
	if (sb->exec_allow)
		r->flags |= SB_EXEC_ALLOWLIST;
	for (size_t i = 0; i < sb->nexec_deny; i++)
		if (!strcmp(sb->exec_deny[i], "*"))
			r->flags |= SB_EXEC_ALLOWLIST | SB_EXEC_DENY_ALL;	/* all but what exec.allow lists */
	if (sb->egress == 0)
		r->flags |= SB_EGRESS_DENY;
	if (sb->unix_allow || sb->unix_deny)
		r->flags |= SB_UNIX_RULES;
	if (sb->unix_allow)
		r->flags |= SB_UNIX_ALLOWLIST;
	r->max_processes = (__u32)sb->max_processes;
	/* Deny entries first: the kernel takes the first match, so they win over allow entries. */
	add_nets(r, sb->net_deny, sb->nnet_deny, 0);
	add_nets(r, sb->net_allow, sb->nnet_allow, 1);
}

/* The maps that hold a rule set's entries by key, beside sb_rules: files, unix addresses, unix socket files. */
enum { KEYS_EXEC, KEYS_UNIX, KEYS_SOCK, KEYS_N };

static void keys_init(struct sensor *s, struct set_keys l[KEYS_N])
{
	set_keys_init(&l[KEYS_EXEC], s->enf->maps.sb_exec, sizeof(struct sb_exec_key));
	set_keys_init(&l[KEYS_UNIX], s->enf->maps.sb_unix, sizeof(struct sb_unix_key));
	set_keys_init(&l[KEYS_SOCK], s->enf->maps.sb_sock_files, sizeof(struct sb_exec_key));
}

static int install(struct sensor *s, const struct sb_key *k, const struct sandbox *sb, char *why, size_t size)
{
	struct set_keys old[KEYS_N], added[KEYS_N];
	struct sb_rules r;

	if ((sb->net_allow || sb->net_deny || sb->egress == 0) && !s->net_enforce) {
		snprintf(why, size, "network: this host has no cgroup v2 mount, so the cgroup connect and send hooks "
			 "that enforce network rules are not attached; mount cgroup2 and restart the daemon");
		return -1;
	}
	if ((sb->unix_allow || sb->unix_deny) && s->unix_mode == UNIX_NONE) {
		snprintf(why, size, "network.unix: this kernel has neither the cgroup connect_unix and sendmsg_unix "
			 "hooks (Linux 6.7 and later) nor BPF LSM, so unix socket rules can't be enforced (%s)",
			 s->unix_why);
		return -1;
	}
	if (sb->max_processes && !s->exec_lsm && s->unborn == UNBORN_NONE) {
		snprintf(why, size, "max_processes: this kernel can neither refuse a fork (BPF LSM) nor kill a child "
			 "before it runs (%s), so a process limit can't be enforced", s->unborn_why);
		return -1;
	}
	fill_rules(&r, sb);
	keys_init(s, old);
	keys_init(s, added);
	/*
	 * A replacement (a reload) never opens a gap: the new entries go in beside the old
	 * ones, then the rules switch, then the entries only the old set had go. On failure
	 * the old set stays as it was (the marks the new one overwrote are put back). Deny marks are
	 * written last: an entry in both lists is denied.
	 */
	for (int i = 0; i < KEYS_N; i++)
		set_keys_of(&old[i], k);
	if (add_patterns(k, sb->exec_allow, sb->nexec_allow, SB_FILE_ALLOW, &added[KEYS_EXEC], why, size) ||
	    (sb->nexec_deny && deny_loaders(k, &added[KEYS_EXEC], why, size)) ||
	    add_patterns(k, sb->exec_deny, sb->nexec_deny, SB_FILE_DENY, &added[KEYS_EXEC], why, size) ||
	    add_unix(k, sb->unix_allow, sb->nunix_allow, SB_FILE_ALLOW, &added[KEYS_UNIX], &added[KEYS_SOCK], why,
		     size) ||
	    add_unix(k, sb->unix_deny, sb->nunix_deny, SB_FILE_DENY, &added[KEYS_UNIX], &added[KEYS_SOCK], why, size))
		goto fail;
	if (bpf_map__update_elem(s->enf->maps.sb_rules, k, sizeof(*k), &r, sizeof(r), BPF_ANY)) {
		snprintf(why, size, "map sb_rules: %s", strerror(errno));
		goto fail;
	}
	for (int i = 0; i < KEYS_N; i++) {
		set_keys_drop(&old[i], &added[i]);
		set_keys_free(&added[i]);
	}
	return 0;
fail:
	for (int i = 0; i < KEYS_N; i++) {
		set_keys_drop(&added[i], &old[i]);
		set_keys_restore(&old[i]);	/* marks the new set overwrote */
		set_keys_free(&old[i]);
	}
	return -1;
}

int enforce_set(struct sensor *s, uint32_t server_id, uint64_t call, const cJSON *wire, char *why, size_t size)
{
	struct sb_key k = { .server_id = server_id, .call = call };
	struct sandbox sb;
	int r;

	if (sandbox_wire_decode(wire, &sb, why, size))
		return -1;
	r = install(s, &k, &sb, why, size);
	sandbox_free(&sb);
	return r;
}

int enforce_doom(struct sensor *s, uint32_t server_id, uint64_t call)
{
	struct sb_key k = { .server_id = server_id, .call = call };
	__u8 one = 1;

	if (bpf_map__update_elem(s->enf->maps.sb_doomed, &k, sizeof(k), &one, sizeof(one), BPF_ANY)) {
		log_warn("map sb_doomed: server %u call %llu", server_id, (unsigned long long)call);
		return -1;
	}
	return 0;
}

/* Rule sets taken out whose keys (files, unix addresses, socket files) wait for enforce_sweep(): keys without
 * their set's sb_rules entry are never read, and one walk of each map then serves every set that ended. */
static struct {
	struct sb_key *v;
	size_t n, cap;
} gone;

static bool queue_gone(const struct sb_key *k)
{
	if (gone.n == gone.cap) {
		size_t cap = gone.cap ? 2 * gone.cap : 64;
		struct sb_key *v = reallocarray(gone.v, cap, sizeof(*v));

		if (!v)
			return false;
		gone.v = v;
		gone.cap = cap;
	}
	gone.v[gone.n++] = *k;
	return true;
}

static bool is_gone(const struct sb_key *set, const void *ctx)
{
	(void)ctx;
	for (size_t i = 0; i < gone.n; i++)
		if (gone.v[i].server_id == set->server_id && gone.v[i].call == set->call)
			return true;
	return false;
}

/* A key whose rule set the kernel does not hold (a lookup that fails otherwise keeps it). */
static bool no_rules(const struct sb_key *set, const void *ctx)
{
	const struct sensor *s = ctx;
	struct sb_rules r;

	return bpf_map__lookup_elem(s->enf->maps.sb_rules, set, sizeof(*set), &r, sizeof(r), 0) && errno == ENOENT;
}

void enforce_sweep_orphans(struct sensor *s)
{
	struct set_keys keys[KEYS_N];

	keys_init(s, keys);
	for (int i = 0; i < KEYS_N; i++) {
		set_keys_where(&keys[i], no_rules, s);
		set_keys_drop(&keys[i], NULL);
	}
}

void enforce_clear(struct sensor *s, uint32_t server_id, uint64_t call)
{
	struct sb_key k = { .server_id = server_id, .call = call };
	struct set_keys keys[KEYS_N];

	bpf_map__delete_elem(s->enf->maps.sb_doomed, &k, sizeof(k), 0);
	if (bpf_map__delete_elem(s->enf->maps.sb_rules, &k, sizeof(k), 0) && errno != ENOENT)
		log_warn("map sb_rules: remove server %u call %llu", server_id, (unsigned long long)call);
	bpf_map__delete_elem(s->enf->maps.sb_procs, &k, sizeof(k), 0);
	bpf_map__delete_elem(s->enf->maps.sb_threads, &k, sizeof(k), 0);
	if (queue_gone(&k))
		return;
	keys_init(s, keys);	/* no memory to queue it: its keys go now */
	for (int i = 0; i < KEYS_N; i++) {
		set_keys_of(&keys[i], &k);
		set_keys_drop(&keys[i], NULL);
	}
}

/* Calls fn for each key of map `m` (keyed by struct sb_key) of server `server_id`. 0 or -1 (logged). */
static int held_in(struct bpf_map *m, uint32_t server_id, bool doomed,
		   void (*fn)(void *ctx, uint64_t call, bool rules, bool doomed), void *ctx)
{
	struct sb_key k, next;
	void *prev = NULL;
	int err;

	/* Only the daemon adds or removes these keys, and it does neither meanwhile: a get_next_key walk holds. */
	while (!(err = bpf_map__get_next_key(m, prev, &next, sizeof(next)))) {
		k = next;
		prev = &k;
		if (k.server_id == server_id)
			fn(ctx, k.call, !doomed, doomed);
	}
	if (errno != ENOENT) {
		log_warn("map %s: walk server %u's keys", bpf_map__name(m), server_id);
		return -1;
	}
	return 0;
}

int enforce_held(struct sensor *s, uint32_t server_id, void (*fn)(void *ctx, uint64_t call, bool rules, bool doomed),
		 void *ctx)
{
	return held_in(s->enf->maps.sb_rules, server_id, false, fn, ctx) ||
	       held_in(s->enf->maps.sb_doomed, server_id, true, fn, ctx) ? -1 : 0;
}

void enforce_sweep(struct sensor *s)
{
	struct set_keys keys[KEYS_N];
	struct sb_rules r;
	size_t kept = 0;

	/* A set installed again since owns its keys: that install dropped the ones it does not hold. */
	for (size_t i = 0; i < gone.n; i++)
		if (bpf_map__lookup_elem(s->enf->maps.sb_rules, &gone.v[i], sizeof(gone.v[i]), &r, sizeof(r), 0))
			gone.v[kept++] = gone.v[i];
	gone.n = kept;
	if (!gone.n)
		return;
	keys_init(s, keys);
	for (int i = 0; i < KEYS_N; i++) {
		set_keys_where(&keys[i], is_gone, NULL);
		set_keys_drop(&keys[i], NULL);
	}
	gone.n = 0;
}

uint32_t enforce_live(struct sensor *s, uint32_t server_id, uint64_t call)
{
	struct sb_key k = { .server_id = server_id, .call = call };
	__u32 procs = 0, threads = 0;

	if (bpf_map__lookup_elem(s->enf->maps.sb_procs, &k, sizeof(k), &procs, sizeof(procs), 0))
		procs = 0;
	if (bpf_map__lookup_elem(s->enf->maps.sb_threads, &k, sizeof(k), &threads, sizeof(threads), 0))
		threads = 0;
	return procs + threads;
}
