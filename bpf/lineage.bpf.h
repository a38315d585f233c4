/* lineage.bpf.h: which server, and which calls, each process belongs to: the `tracked` map and its only kernel-side writers. */
#ifndef MCPWARDEN_LINEAGE_BPF_H
#define MCPWARDEN_LINEAGE_BPF_H

#include "sensor.bpf.h"

#define MAX_SERVER_CGROUPS	1024

/*
 * Ownership (docs/ARCHITECTURE.md §4): in the kernel, only the functions of
 * this header write `tracked`, and only proc.bpf.c's fork, exit and seed
 * programs call the writing ones (lineage_fork, lineage_exit, task_lineage).
 * Every other program only reads it (tracked_lookup), so no two programs race
 * to create or delete one process's entry; they use lineage_peek(), which
 * also sees a process of a server's cgroup without an entry. Userspace writes the roots
 * (register, attach, track) and the active calls of a server's root process.
 */

/* Processes that belong to a server, keyed by tgid. Roots come from userspace, children from fork. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_TRACKED);
	__type(key, __u32);
	__type(value, struct tracked);
} tracked SEC(".maps");

/* Cgroup v2 id of a server's cgroup (made by the daemon at register) -> server id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_SERVER_CGROUPS);
	__type(key, __u64);
	__type(value, __u32);
} server_cgroups SEC(".maps");

static __always_inline struct tracked *tracked_lookup(__u32 tgid)
{
	return bpf_map_lookup_elem(&tracked, &tgid);
}

/*
 * Read-only: the lineage of `task`'s process, or, for a process in a server's
 * cgroup that has no entry yet, an entry with that server and no calls, built
 * in *scratch. NULL when it belongs to no server. For the programs that must
 * not write `tracked` (the LSM exec check, the stdout record).
 */
static __always_inline const struct tracked *lineage_peek(struct task_struct *task, struct tracked *scratch)
{
	struct tracked *t = tracked_lookup(task->tgid);
	__u64 cgid;
	__u32 *sid;

	if (t)
		return t;
	cgid = task->cgroups->dfl_cgrp->kn->id;
	sid = bpf_map_lookup_elem(&server_cgroups, &cgid);
	if (!sid)
		return NULL;
	__builtin_memset(scratch, 0, sizeof(*scratch));
	scratch->server_id = *sid;
	scratch->start_time = task->group_leader->start_time;
	return scratch;
}

/*
 * The lineage entry of `task`'s process. An untracked process that sits in a
 * server's cgroup (started there with clone3(CLONE_INTO_CGROUP) by an untracked
 * shim, or adopted from a previous daemon) gets an entry now, with no active
 * calls. NULL when the process belongs to no server.
 * For fork, exec, exit and the seed walk. These see every process that enters
 * a server's cgroup, so the hot socket paths use tracked_lookup() alone and
 * spare every other process on the host the cgroup walk and second lookup.
 */
static __always_inline struct tracked *task_lineage(struct task_struct *task)
{
	__u32 tgid = task->tgid;
	struct tracked nt;
	const struct tracked *t = lineage_peek(task, &nt);

	if (t != &nt)
		return (struct tracked *)t;	/* found, or no server's */
	if (bpf_map_update_elem(&tracked, &tgid, &nt, BPF_NOEXIST))
		count_error(SERR_TRACKED_FULL);
	return tracked_lookup(tgid);
}

enum lineage_origin {
	LINEAGE_NONE,		/* the child belongs to no server */
	LINEAGE_CGROUP,		/* an untracked parent (the shim) started it straight in a server's cgroup */
	LINEAGE_INHERITED,	/* a child of a tracked process: it carries the parent's server and calls */
	LINEAGE_LOST,		/* as INHERITED, but the map could not hold it (SERR_TRACKED_FULL) */
};

/*
 * A new process `child` of `parent`. A child of a tracked process inherits its
 * server id and the calls active in it at this instant. *out is the child's
 * entry (unless LINEAGE_NONE), filled even when the map could not hold it: a
 * LINEAGE_LOST child would escape every rule, so the caller must not let it run.
 */
static __always_inline enum lineage_origin lineage_fork(struct task_struct *parent, struct task_struct *child,
							struct tracked *out)
{
	__u32 tgid = child->tgid;
	struct tracked *t = task_lineage(parent);

	if (!t) {
		t = task_lineage(child);
		if (!t)
			return LINEAGE_NONE;
		*out = *t;
		return LINEAGE_CGROUP;
	}
	*out = *t;
	out->start_time = child->start_time;
	if (bpf_map_update_elem(&tracked, &tgid, out, BPF_ANY)) {
		count_error(SERR_TRACKED_FULL);
		return LINEAGE_LOST;
	}
	return LINEAGE_INHERITED;
}

/* The process `tgid` is gone: so is its lineage. */
static __always_inline void lineage_exit(__u32 tgid)
{
	bpf_map_delete_elem(&tracked, &tgid);
}

#endif
