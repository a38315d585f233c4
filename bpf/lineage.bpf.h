/* lineage.bpf.h: which server, and which calls, each process belongs to: the `tracked` map and its only kernel-side writers. */
#ifndef MCPWARDEN_LINEAGE_BPF_H
#define MCPWARDEN_LINEAGE_BPF_H

#include "sensor.bpf.h"

#define MAX_SERVER_CGROUPS	1024
/*
 * thread_calls holds live tids only, so it fills only when this many threads carry calls at
 * once: more than kernel.pid_max allows by default (32768, or 1024 per CPU), so one server's
 * threads can't crowd out another's. 4 MiB of buckets; entries are allocated as used.
 */
#define MAX_CALL_THREADS	(1u << 18)

/*
 * Ownership (docs/ARCHITECTURE.md §4): in the kernel, only the functions of
 * this header write `tracked` and `thread_calls`, and only proc.bpf.c's fork,
 * exec, exit and seed programs call the writing ones (lineage_fork,
 * lineage_thread_start, lineage_thread_exec, lineage_exit, task_lineage).
 * Every other program only reads it (tracked_of), so no two programs race
 * to create or delete one process's entry; they use lineage_peek(), which
 * also sees a process of a server's cgroup without an entry. Userspace writes the roots
 * (register, attach, track) and the active calls of a server's root process.
 */

/*
 * Processes that belong to a server, keyed by tgid. Roots come from userspace, children from fork.
 * Userspace sizes it at load from the host's pid_max and threads-max (lineage_budget.h), so live
 * processes alone can't fill it; entries are allocated as used. Its room is shared out below.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
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

/*
 * Threads started while their process acted for calls, keyed by tid: the calls
 * they carry until they exit, as a forked child carries its calls. A thread
 * answers to these and to its process's entry in `tracked`; server_id and
 * start_time are the thread's. Threads with no calls to carry have no entry.
 * A server whose pool threads outlive a call keeps that call's rules on them:
 * stricter for later calls that reuse the thread, never looser. Threads that
 * existed before the call (the main thread, a pool, an event loop) carry
 * nothing of it: code that hands them work escapes the call's rules, which is
 * why an in-process code tool needs a server-level sandbox.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* memory per live entry; the bound is for the bucket array */
	__uint(max_entries, MAX_CALL_THREADS);
	__type(key, __u32);
	__type(value, struct tracked);
} thread_calls SEC(".maps");

/*
 * Who may use the room in `tracked` (lineage_charge). Each entry made for a process of a server is
 * charged first to that server's reserve, then to a pool all servers share; a fork that finds both
 * spent is refused (its child dies before it runs, SERR_LINEAGE_BUDGET). So a fork storm in one server
 * spends its own reserve and the pool, never another server's reserve: that server's children go on
 * being tracked. The limits (lineage_limits, events.h) are set once, at load, from the capacity alone:
 * half for reserves (LINEAGE_RESERVED_SERVERS of them), the pool a little less than the other half,
 * the rest a margin for the entries nobody is charged for (roots the daemon writes, a refused child
 * until its kill lands). How many servers there are changes nothing, so no server that comes or goes
 * can grow the pool, or shrink another's reserve.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lineage_limits);
} lineage_limits SEC(".maps");

/* One counter: entries charged to the shared pool. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __s64);
} lineage_shared SEC(".maps");

/* Server id -> entries charged to its reserve. Made at the server's first charge, so at most
 * LINEAGE_RESERVED_SERVERS servers hold a reserve at once (the others draw on the pool alone);
 * userspace removes the entries at 0 each tick (sensor_reserve_tidy), for the servers that fork next. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LINEAGE_RESERVED_SERVERS);
	__type(key, __u32);
	__type(value, __s64);
} server_reserve SEC(".maps");

/*
 * One counter: lineage entries made with TRACKED_F_BASE (a server's own processes), bumped only once the entry is
 * in the map. Userspace edits those entries at every call_start and call_end (call.c); it keeps the ones its last
 * walk of `tracked` found and walks again only when this has moved since it read it before that walk, so an
 * entry the walk missed, made after the walk passed its bucket, is always seen by the next one (base_procs.h).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} base_made SEC(".maps");

static __always_inline void base_made_bump(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&base_made, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/* Server `sid`'s reserve count, made at 0 if it has none yet; NULL when all LINEAGE_RESERVED_SERVERS are held. */
static __always_inline __s64 *reserve_of(__u32 sid)
{
	__s64 *mine = bpf_map_lookup_elem(&server_reserve, &sid), none = 0;

	if (!mine) {
		bpf_map_update_elem(&server_reserve, &sid, &none, BPF_NOEXIST);	/* another fork may make it first */
		mine = bpf_map_lookup_elem(&server_reserve, &sid);
	}
	return mine;
}

/* Charges a new entry of server `sid`: what to record in its `charge`, or TRACKED_UNCHARGED when there is no room. */
static __always_inline __u32 lineage_charge(__u32 sid)
{
	__u32 zero = 0;
	const struct lineage_limits *l = bpf_map_lookup_elem(&lineage_limits, &zero);
	__s64 *shared = bpf_map_lookup_elem(&lineage_shared, &zero), *mine;

	if (!l || !shared)
		return TRACKED_UNCHARGED;
	if ((mine = reserve_of(sid))) {
		if (__sync_fetch_and_add(mine, 1) < (__s64)l->reserve)
			return TRACKED_RESERVE;
		__sync_fetch_and_add(mine, -1);
	}
	if (__sync_fetch_and_add(shared, 1) < (__s64)l->shared_limit)
		return TRACKED_SHARED;
	__sync_fetch_and_add(shared, -1);
	return TRACKED_UNCHARGED;
}

/* Whether server `sid` has spent its reserve and the pool: its next fork will be refused (racy: the fork
 * tracepoint's charge decides). */
static __always_inline bool lineage_spent(__u32 sid)
{
	__u32 zero = 0;
	const struct lineage_limits *l = bpf_map_lookup_elem(&lineage_limits, &zero);
	__s64 *shared = bpf_map_lookup_elem(&lineage_shared, &zero), *mine = reserve_of(sid);

	return l && shared && (!mine || *mine >= (__s64)l->reserve) && *shared >= (__s64)l->shared_limit;
}

/* Gives back what `charge` took from server `sid`. */
static __always_inline void lineage_uncharge(__u32 sid, __u32 charge)
{
	__u32 zero = 0;
	__s64 *n;

	if (charge == TRACKED_RESERVE && (n = bpf_map_lookup_elem(&server_reserve, &sid)))
		__sync_fetch_and_add(n, -1);
	else if (charge == TRACKED_SHARED && (n = bpf_map_lookup_elem(&lineage_shared, &zero)))
		__sync_fetch_and_add(n, -1);
}

/* Gives back the charge of entry `t` (in the map) once, however many remove it at once: the one that swaps it
 * to TRACKED_UNCHARGED does. */
static __always_inline void tracked_uncharge(struct tracked *t)
{
	__u32 c = t->charge;

	if (c != TRACKED_UNCHARGED && __sync_val_compare_and_swap(&t->charge, c, TRACKED_UNCHARGED) == c)
		lineage_uncharge(t->charge_server, c);
}

/* Removes process `tgid`'s entry `t` (in the map) and gives back its charge. */
static __always_inline void tracked_remove(__u32 tgid, struct tracked *t)
{
	tracked_uncharge(t);
	bpf_map_delete_elem(&tracked, &tgid);
}

static __always_inline struct tracked *tracked_lookup(__u32 tgid)
{
	return bpf_map_lookup_elem(&tracked, &tgid);
}

/* Whether entry `t` is one of an earlier process that had this pid (its exit was missed): not this task's. */
static __always_inline bool tracked_stale(const struct tracked *t, struct task_struct *task)
{
	return t->start_time && t->start_time != task->group_leader->start_time;
}

/* The lineage entry of `task`'s process, or NULL: an entry of an earlier process with its pid is not it. */
static __always_inline struct tracked *tracked_of(struct task_struct *task)
{
	struct tracked *t = tracked_lookup(task->tgid);

	return t && !tracked_stale(t, task) ? t : NULL;
}

/* The calls thread `tid` carries of its own, or NULL. */
static __always_inline const struct tracked *thread_lookup(__u32 tid)
{
	return bpf_map_lookup_elem(&thread_calls, &tid);
}

/* Whether `t` carries call `c`. */
static __always_inline bool calls_has(const struct tracked *t, __u64 c)
{
	for (__u32 j = 0; j < EV_MAX_CALLS; j++)
		if (j < t->ncalls && t->calls[j] == c)
			return true;
	return false;
}

/* Adds to *t each call of `from` it lacks; false when they did not all fit (EV_MAX_CALLS). */
static __always_inline bool calls_merge(struct tracked *t, const struct tracked *from)
{
	for (__u32 i = 0; i < EV_MAX_CALLS; i++) {
		__u64 c = from->calls[i];

		if (i >= from->ncalls)
			break;
		if (calls_has(t, c))
			continue;
		if (t->ncalls >= EV_MAX_CALLS)
			return false;
		t->calls[t->ncalls & (EV_MAX_CALLS - 1)] = c;
		t->ncalls++;
	}
	return true;
}

/* What a thread acts under. The checks of sandbox.bpf.h read proc and thread and miss no call. */
struct acting {
	const struct tracked *proc;	/* its process's entry; NULL when the process belongs to no server */
	const struct tracked *thread;	/* the calls the thread carries of its own, or NULL */
	const struct tracked *merged;	/* proc with as many of thread's calls as fit (EV_MAX_CALLS),
					   for records: read it through acting_rec() */
};

/* The acting lineage of thread `tid` of a process whose entry is `t`; *scratch holds the merged one. */
static __always_inline struct acting lineage_acting(__u32 tid, const struct tracked *t, struct tracked *scratch)
{
	struct acting a = { .proc = t, .merged = t };

	if (!t || !(a.thread = thread_lookup(tid)))
		return a;
	*scratch = *t;
	calls_merge(scratch, a.thread);
	a.merged = scratch;
	return a;
}

/*
 * The lineage a record about the thread carries. A record that can't name all its calls
 * is counted here, where a record is made, not at each check: the checks do without it,
 * and a flag kept in struct acting would double the states the verifier walks through them.
 */
static __always_inline const struct tracked *acting_rec(const struct acting *a)
{
	if (a->thread && a->merged->ncalls >= EV_MAX_CALLS)	/* full: a call of the thread's not in it is left out */
		for (__u32 i = 0; i < EV_MAX_CALLS; i++)
			if (i < a->thread->ncalls && !calls_has(a->merged, a->thread->calls[i])) {
				count_error(SERR_CALLS_UNREPORTED);
				break;
			}
	return a->merged;
}

/*
 * Read-only: the lineage of `task`'s process, or, for a process in a server's
 * cgroup that has no entry yet, an entry with that server and no calls, built
 * in *scratch. NULL when it belongs to no server. For the programs that must
 * not write `tracked` (the LSM exec check, the stdout record).
 */
static __always_inline const struct tracked *lineage_peek(struct task_struct *task, struct tracked *scratch)
{
	struct tracked *t = tracked_of(task);
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
 * calls, charged as a fork's (lineage_charge). NULL when the process belongs to
 * no server, or, with *lost set and *nt its server, when it does but its entry
 * could not be made (no room, or its server's spent). For fork, exec, exit and the seed walk. These see every process
 * that enters a server's cgroup, so the hot socket paths use tracked_of() alone
 * and spare every other process on the host the cgroup walk and second lookup.
 */
static __always_inline struct tracked *lineage_place(struct task_struct *task, struct tracked *nt, bool *lost)
{
	__u32 tgid = task->tgid;
	struct tracked *old = tracked_lookup(tgid);
	const struct tracked *t;

	*lost = false;
	if (old && tracked_stale(old, task))
		tracked_remove(tgid, old);	/* an earlier process's, whose exit was missed */
	t = lineage_peek(task, nt);
	if (t != nt)
		return (struct tracked *)t;	/* found, or no server's */
	nt->flags = TRACKED_F_BASE;	/* started in its server's cgroup by no process of it: the shim's server */
	nt->charge_server = nt->server_id;
	nt->charge = lineage_charge(nt->server_id);
	if (nt->charge == TRACKED_UNCHARGED) {
		count_error(SERR_LINEAGE_BUDGET);
		*lost = true;
		return NULL;
	}
	if (bpf_map_update_elem(&tracked, &tgid, nt, BPF_NOEXIST))
		lineage_uncharge(nt->charge_server, nt->charge);	/* another thread placed it first, or no room */
	t = tracked_lookup(tgid);
	if (!t)
		count_error(SERR_TRACKED_FULL);
	else
		base_made_bump();	/* ours, or the thread's that placed it first: one bump too many costs a walk */
	*lost = !t;
	return (struct tracked *)t;
}

/* lineage_place() for the callers that go on without an entry: the exec and exit records, the seed walk. */
static __always_inline struct tracked *task_lineage(struct task_struct *task)
{
	struct tracked nt;
	bool lost;

	return lineage_place(task, &nt, &lost);
}

enum lineage_origin {
	LINEAGE_NONE,		/* the child belongs to no server */
	LINEAGE_CGROUP,		/* an untracked parent (the shim) started it straight in a server's cgroup */
	LINEAGE_INHERITED,	/* a child of a tracked process: it carries the parent's server and calls */
	LINEAGE_LOST,		/* as INHERITED or CGROUP, but its entry could not be made whole (SERR_TRACKED_FULL) */
	LINEAGE_BUDGET,		/* as INHERITED, but its server's room in `tracked` is spent (SERR_LINEAGE_BUDGET): its
				   entry is made uncharged, for its rules to hold until it dies */
};

/*
 * A new process `child` of thread `parent`. A child of a tracked process inherits its
 * server id and the calls active in it at this instant, and those the forking
 * thread carries of its own, charged to its server (lineage_charge). *out is the
 * child's entry (unless LINEAGE_NONE), filled even when it could not be kept:
 * a LINEAGE_LOST or LINEAGE_BUDGET child would escape some rule, so the caller
 * must not let it run. So must a child whose parent sits in a server's cgroup
 * without an entry: the server's rules are its too.
 */
static __always_inline enum lineage_origin lineage_fork(struct task_struct *parent, struct task_struct *child,
							struct tracked *out)
{
	__u32 tgid = child->tgid;
	struct tracked *t, *old;
	const struct tracked *th;
	enum lineage_origin o;
	bool lost;

	t = lineage_place(parent, out, &lost);
	if (!t) {
		if (!lost)
			t = lineage_place(child, out, &lost);
		if (t) {
			*out = *t;
			return LINEAGE_CGROUP;
		}
		out->start_time = child->start_time;
		return lost ? LINEAGE_LOST : LINEAGE_NONE;
	}
	*out = *t;
	out->start_time = child->start_time;
	out->charge_server = out->server_id;
	out->charge = TRACKED_UNCHARGED;
	th = thread_lookup(parent->pid);
	/* A server's own process forking outside any call (npx's node, a pre-forked worker) makes another. */
	out->flags = (t->flags & TRACKED_F_BASE) && !t->ncalls && !th ? TRACKED_F_BASE : 0;
	if (th && !calls_merge(out, th)) {
		count_error(SERR_TRACKED_FULL);
		return LINEAGE_LOST;
	}
	/* A refused child still gets its entry, uncharged, from the margin: its rules hold until its kill lands. */
	o = (out->charge = lineage_charge(out->server_id)) ? LINEAGE_INHERITED : LINEAGE_BUDGET;
	if (o == LINEAGE_BUDGET)
		count_error(SERR_LINEAGE_BUDGET);
	if ((old = tracked_lookup(tgid)))	/* an earlier process's, whose exit was missed */
		tracked_remove(tgid, old);
	if (bpf_map_update_elem(&tracked, &tgid, out, BPF_NOEXIST)) {
		lineage_uncharge(out->charge_server, out->charge);
		count_error(SERR_TRACKED_FULL);
		return LINEAGE_LOST;
	}
	if (out->flags & TRACKED_F_BASE)
		base_made_bump();
	return o;
}

/*
 * A new thread `child` started by thread `parent` of a process. When the
 * process acts for calls (its entry's, or the starting thread's own), the new
 * thread carries them until it exits: LINEAGE_INHERITED, with its entry in
 * *out. LINEAGE_NONE when there are none to carry; LINEAGE_LOST when they could
 * not all be kept, and the thread must not run.
 */
static __always_inline enum lineage_origin lineage_thread_start(struct task_struct *parent,
								struct task_struct *child, struct tracked *out)
{
	const struct tracked *t = tracked_of(child), *th;
	__u32 tid = child->pid;

	if (!t)
		return LINEAGE_NONE;
	*out = *t;
	out->start_time = child->start_time;
	th = thread_lookup(parent->pid);
	if (th && !calls_merge(out, th)) {
		count_error(SERR_TRACKED_FULL);
		return LINEAGE_LOST;
	}
	if (!out->ncalls)
		return LINEAGE_NONE;
	if (bpf_map_update_elem(&thread_calls, &tid, out, BPF_ANY)) {
		count_error(SERR_TRACKED_FULL);
		return LINEAGE_LOST;
	}
	return LINEAGE_INHERITED;
}

/*
 * An exec by a thread other than the leader has taken the leader's pid
 * (de_thread; the other threads have exited): the calls it carried stay
 * with it under its new tid. False when they could not be moved (the map
 * is full): the entry stays under old_tid, for the caller to give back its
 * counts and drop, and the new image must not run.
 */
static __always_inline bool lineage_thread_exec(__u32 old_tid, __u32 tid)
{
	const struct tracked *th;
	struct tracked copy;

	if (old_tid == tid || !(th = thread_lookup(old_tid)))
		return true;
	copy = *th;
	if (bpf_map_update_elem(&thread_calls, &tid, &copy, BPF_ANY)) {
		count_error(SERR_TRACKED_FULL);
		return false;
	}
	bpf_map_delete_elem(&thread_calls, &old_tid);
	return true;
}

/* Thread `tid` is gone: so are the calls it carried. */
static __always_inline void lineage_thread_exit(__u32 tid)
{
	bpf_map_delete_elem(&thread_calls, &tid);
}

/* The process `tgid` is gone: so is its lineage, and its charge goes back. */
static __always_inline void lineage_exit(__u32 tgid)
{
	struct tracked *t = tracked_lookup(tgid);

	if (t)
		tracked_remove(tgid, t);
}

#endif
