/* enforce.c: writes a policy's sandbox block (as the shim sends it) into the BPF maps of enforce.bpf.c. */
#include <errno.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "common/log.h"
#include "daemon/calls/enforce.h"
#include "daemon/calls/file_id.h"
#include "enforce.skel.h"
#include "policy/sandbox_wire.h"
#include "sandbox.h"

/* Where a bare program name in exec.allow/deny is looked for. */
static const char *const path_dirs[] = {
	"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", NULL,
};

/* A list of exec file keys. */
struct files {
	struct sb_exec_key *v;
	size_t n, cap;
};

static int files_push(struct files *f, const struct sb_exec_key *k)
{
	struct sb_exec_key *grown;

	if (f->n == f->cap) {
		grown = reallocarray(f->v, f->cap ? 2 * f->cap : 16, sizeof(*f->v));
		if (!grown) {
			log_warn("exec files of server %u call %llu", k->set.server_id, (unsigned long long)k->set.call);
			return -1;
		}
		f->v = grown;
		f->cap = f->cap ? 2 * f->cap : 16;
	}
	f->v[f->n++] = *k;
	return 0;
}

static bool files_has(const struct files *f, const struct sb_exec_key *k)
{
	for (size_t i = 0; f && i < f->n; i++)
		if (!memcmp(&f->v[i], k, sizeof(*k)))
			return true;
	return false;
}

/* The exec files rule set `k` has in the map now (gathered first: deleting breaks a key walk). */
static void files_of(struct sensor *s, const struct sb_key *k, struct files *out)
{
	int fd = bpf_map__fd(s->enf->maps.sb_exec);
	struct sb_exec_key cur, next;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (!memcmp(&next.set, k, sizeof(*k)) && files_push(out, &next))
			break;
		cur = next;
		prev = &cur;
	}
}

/* Deletes the files of `f` that `keep` does not hold, then frees `f`. */
static void files_drop(struct sensor *s, struct files *f, const struct files *keep)
{
	for (size_t i = 0; i < f->n; i++)
		if (!files_has(keep, &f->v[i]) &&
		    bpf_map__delete_elem(s->enf->maps.sb_exec, &f->v[i], sizeof(f->v[i]), 0) && errno != ENOENT)
			log_warn("map sb_exec: remove a file of server %u call %llu", f->v[i].set.server_id,
				 (unsigned long long)f->v[i].set.call);
	free(f->v);
	*f = (struct files){ 0 };
}

/* Marks the regular files `path` (a glob) matches. 0 or -1 (why set). */
static int add_glob(struct sensor *s, const struct sb_key *k, const char *path, __u8 mark, struct files *added,
		    char *why, size_t size)
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
		bool regular;

		if (file_id(g.gl_pathv[j], &dev, &ino, &regular) || !regular)
			continue;
		ek.dev = dev;
		ek.ino = ino;
		if (bpf_map__update_elem(s->enf->maps.sb_exec, &ek, sizeof(ek), &mark, sizeof(mark), BPF_ANY) ||
		    files_push(added, &ek)) {
			snprintf(why, size, "exec file %s: map sb_exec: %s", g.gl_pathv[j], strerror(errno));
			globfree(&g);
			return -1;
		}
	}
	globfree(&g);
	return 0;
}

/* A pattern with a '/' is a path glob; a bare name is looked up in the PATH directories. */
static int add_pattern(struct sensor *s, const struct sb_key *k, const char *pat, __u8 mark, struct files *added,
		       char *why, size_t size)
{
	char full[4096];

	if (strchr(pat, '/'))
		return add_glob(s, k, pat, mark, added, why, size);
	for (int i = 0; path_dirs[i]; i++) {
		snprintf(full, sizeof(full), "%s/%s", path_dirs[i], pat);
		if (add_glob(s, k, full, mark, added, why, size))
			return -1;
	}
	return 0;
}

static int add_patterns(struct sensor *s, const struct sb_key *k, char *const *list, size_t n, __u8 mark,
			struct files *added, char *why, size_t size)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(list[i], "*"))
			continue;	/* deny ["*"]: an empty allow list, set in fill_rules */
		if (add_pattern(s, k, list[i], mark, added, why, size))
			return -1;
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
	r->max_processes = (__u32)sb->max_processes;
	/* Deny entries first: the kernel takes the first match, so they win over allow entries. */
	add_nets(r, sb->net_deny, sb->nnet_deny, 0);
	add_nets(r, sb->net_allow, sb->nnet_allow, 1);
}

static int install(struct sensor *s, const struct sb_key *k, const struct sandbox *sb, char *why, size_t size)
{
	struct files old = { 0 }, added = { 0 };
	struct sb_rules r;

	fill_rules(&r, sb);
	/*
	 * A replacement (a reload) never opens a gap: the new files go in beside the old
	 * ones, then the rules switch, then the files only the old set had go. On failure
	 * the old set stays as it was, but for marks the new one changed.
	 */
	files_of(s, k, &old);
	if (add_patterns(s, k, sb->exec_allow, sb->nexec_allow, SB_FILE_ALLOW, &added, why, size) ||
	    add_patterns(s, k, sb->exec_deny, sb->nexec_deny, SB_FILE_DENY, &added, why, size))
		goto fail;
	if (bpf_map__update_elem(s->enf->maps.sb_rules, k, sizeof(*k), &r, sizeof(r), BPF_ANY)) {
		snprintf(why, size, "map sb_rules: %s", strerror(errno));
		goto fail;
	}
	files_drop(s, &old, &added);
	free(added.v);
	return 0;
fail:
	files_drop(s, &added, &old);
	free(old.v);
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

void enforce_clear(struct sensor *s, uint32_t server_id, uint64_t call)
{
	struct sb_key k = { .server_id = server_id, .call = call };

	struct files f = { 0 };

	bpf_map__delete_elem(s->enf->maps.sb_doomed, &k, sizeof(k), 0);
	if (bpf_map__delete_elem(s->enf->maps.sb_rules, &k, sizeof(k), 0) && errno != ENOENT)
		log_warn("map sb_rules: remove server %u call %llu", server_id, (unsigned long long)call);
	bpf_map__delete_elem(s->enf->maps.sb_procs, &k, sizeof(k), 0);
	bpf_map__delete_elem(s->enf->maps.sb_threads, &k, sizeof(k), 0);
	files_of(s, &k, &f);
	files_drop(s, &f, NULL);
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
