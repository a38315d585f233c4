/* sandbox.bpf.h: the kernel's sandbox state (rule sets, files, process counts, kill marks) and the steps proc.bpf.c runs at fork, exec and exit. */
#ifndef MCPWARDEN_SANDBOX_BPF_H
#define MCPWARDEN_SANDBOX_BPF_H

#include "lineage.bpf.h"
#include "sandbox.h"

#define SIGKILL		9
#define EPERM		1
#define EAGAIN		11
#define CLONE_THREAD	0x00010000

/*
 * A tracked process answers to its server's rule set (call 0) and to the rule
 * set of every call it carries (the calls active in its server when it, or an
 * ancestor, was forked; for the server process itself, those active now). A
 * thread started during a call also answers to the sets of the calls it
 * carries of its own (lineage.bpf.h, struct acting). An action must pass
 * every one of them. Userspace (user/daemon/calls/enforce.c) fills
 * the maps from the policy's sandbox blocks.
 *
 * The fork, exec and exit steps run inside proc.bpf.c's programs, after the
 * lineage step and the record: one program per hook, so the order is fixed and
 * only lineage.bpf.h writes `tracked`. enforce.bpf.c holds the hooks of their
 * own (LSM exec check, cgroup sock_addr) and only reads the lineage.
 */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SB_MAX_RULE_SETS);
	__type(key, struct sb_key);
	__type(value, struct sb_rules);
} sb_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SB_MAX_EXEC_FILES);
	__type(key, struct sb_exec_key);
	__type(value, __u8);
} sb_exec SEC(".maps");

/* network.unix entries by (rule set, address): SB_FILE_ALLOW or SB_FILE_DENY (include/sandbox.h). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SB_MAX_UNIX_ENTRIES);
	__type(key, struct sb_unix_key);
	__type(value, __u8);
} sb_unix SEC(".maps");

/* The socket files network.unix entries name, by identity (sb_exec's key), where they exist when the rules go
 * in: what sandbox_unix_connected finds. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SB_MAX_UNIX_ENTRIES);
	__type(key, struct sb_exec_key);
	__type(value, __u8);
} sb_sock_files SEC(".maps");

/* Live processes per rule set: what max_processes is checked against, and what keeps a call's rules alive. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SB_MAX_RULE_SETS);
	__type(key, struct sb_key);
	__type(value, __u32);
} sb_procs SEC(".maps");

/* Live threads that carry a call's rule set of their own (thread_calls): they keep its rules alive too,
 * but are not processes, so max_processes does not count them. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SB_MAX_RULE_SETS);
	__type(key, struct sb_key);
	__type(value, __u32);
} sb_threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* sized as `tracked` (lineage.bpf.h) */
	__uint(max_entries, MAX_TRACKED);
	__type(key, __u32);
	__type(value, struct sb_counted);
} sb_counted SEC(".maps");

/* Calls being killed (the daemon's call kill): a process forked while the daemon sweeps dies before it runs. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SB_MAX_RULE_SETS);
	__type(key, struct sb_key);
	__type(value, __u8);
} sb_doomed SEC(".maps");

#ifndef bpf_ksym_exists	/* libbpf before 1.2 */
#define bpf_ksym_exists(sym) (!!(sym))
#endif

/* Kernel 6.13+. Without it, kill_unborn() marks the child in `unborn` and proc.bpf.c's fexit on schedule_tail,
 * which every new task runs in its own context before its first instruction, kills it there. */
extern int bpf_send_signal_task(struct task_struct *task, int sig, enum pid_type type, __u64 value) __ksym __weak;

/* Children to kill at their first run, where bpf_send_signal_task is missing: a mark in the child's own task
 * storage, set at the fork tracepoint and read by unborn_run in the child's schedule_tail. It has no capacity
 * to fill and goes with the task, so no mark can outlive its child or meet a later task with the same tid.
 * The mark is the enum deny_rule of the kill, for the record unborn_run makes if its signal fails; or: */
#define UNBORN_SWEPT	0xff	/* a child of a call being killed: the daemon's sweep of that call finds it */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u8);
} unborn SEC(".maps");

/*
 * SIGKILLs the current task's process. False when the kernel would not send it (EBUSY: this CPU's irq_work
 * is taken, when interrupts are off; EPERM: an exiting task, or no user address space to return to),
 * counted: the caller's deny record then asks the daemon to kill it (DENY_F_DAEMON_KILL). With CFG_FAIL_SIGNALS
 * (test only) every signal fails.
 */
static __always_inline bool kill_current(void)
{
	if (!(config_flags() & CFG_FAIL_SIGNALS) && !(int)bpf_send_signal(SIGKILL))
		return true;
	count_error(SERR_SIGNAL_FAILED);
	return false;
}

/* The rule sets of a process: set 0 is the server's, sets 1.. its calls'. */
static __always_inline void set_key(struct sb_key *k, const struct tracked *t, __u32 i)
{
	k->server_id = t->server_id;
	k->pad = 0;
	k->call = i == 0 ? 0 : t->calls[(i - 1) & (EV_MAX_CALLS - 1)];
}

static __always_inline __u32 nsets(const struct tracked *t)
{
	return 1 + (t->ncalls < EV_MAX_CALLS ? t->ncalls : EV_MAX_CALLS);
}

/* Rule sets a thread answers to, at most: its process's, and one per call of its own. */
#define ACTING_MAX_SETS	(SB_MAX_SETS + EV_MAX_CALLS)

/* Sets *k to the i-th rule set of `a` (a->proc not NULL); false past the last. A call both carry is checked twice. */
static __always_inline bool acting_key(struct sb_key *k, const struct acting *a, __u32 i)
{
	__u32 n = nsets(a->proc);

	if (i < n) {
		set_key(k, a->proc, i);
		return true;
	}
	i -= n;
	if (!a->thread || i >= a->thread->ncalls || i >= EV_MAX_CALLS)
		return false;
	k->server_id = a->thread->server_id;
	k->pad = 0;
	k->call = a->thread->calls[i & (EV_MAX_CALLS - 1)];
	return true;
}

/*
 * Each process may report DENY_BURST denials a second: a snippet looping on a denied
 * connect must not flood the daemon (whose answers the shim waits for). The denials
 * themselves all hold; the records beyond the budget are counted (status).
 */
#define DENY_BURST	64

struct deny_budget {
	__u64 window;		/* start of the current second */
	__u32 n;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct deny_budget);
} deny_budget SEC(".maps");

static __always_inline bool deny_budget_take(__u32 tgid)
{
	struct deny_budget *b = bpf_map_lookup_elem(&deny_budget, &tgid), nb = { .n = 1 };
	__u64 now = bpf_ktime_get_ns();

	if (!b || now - b->window > 1000000000ull) {
		nb.window = now;
		bpf_map_update_elem(&deny_budget, &tgid, &nb, BPF_ANY);
		return true;
	}
	if (b->n >= DENY_BURST) {
		count_error(SERR_DENY_SUPPRESSED);
		return false;
	}
	b->n++;
	return true;
}

/* The record of a denial by `task` (record lineage `t`) against rule set `call`, to fill, or NULL (a ring drop). */
static __always_inline struct ev_deny *deny_record(struct task_struct *task, const struct tracked *t,
						  __u16 op, __u16 rule, __u64 call)
{
	struct ev_deny *e;

	e = event_reserve(sizeof(*e), EV_DENY);
	if (!e)
		return NULL;
	fill_hdr(&e->h, EV_DENY, sizeof(*e), task, t);
	e->op = op;
	e->rule = rule;
	e->protocol = 0;
	e->lsm = 0;
	e->call = call;
	e->limit = 0;
	e->flags = 0;
	__builtin_memset(&e->addr, 0, sizeof(e->addr));
	e->filename[0] = '\0';
	return e;
}

/* deny_record() within the process's budget: NULL beyond it. A record that asks the daemon to kill (a kill
 * the kernel would not make) goes to deny_record() straight: it carries more than the news. */
static __always_inline struct ev_deny *deny_event(struct task_struct *task, const struct tracked *t,
						  __u16 op, __u16 rule, __u64 call)
{
	return deny_budget_take(task->tgid) ? deny_record(task, t, op, rule, call) : NULL;
}

/* Denials are rare and the shim waits on them at call end: wake the daemon at once. */
static __always_inline void deny_submit(struct ev_deny *e)
{
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
}

/* ---- exec ---- */

/* 0 when rule set `k` lets file (dev, ino) run, else the enum deny_rule that stops it. */
static __always_inline __u16 exec_verdict(const struct sb_key *k, __u64 dev, __u64 ino)
{
	struct sb_exec_key ek = { .set = *k, .dev = dev, .ino = ino };
	struct sb_rules *r = bpf_map_lookup_elem(&sb_rules, k);
	__u8 *mark;

	if (!r)
		return 0;
	mark = bpf_map_lookup_elem(&sb_exec, &ek);
	if (mark && *mark == SB_FILE_DENY)
		return DR_EXEC_DENY;
	if ((r->flags & SB_EXEC_ALLOWLIST) && !(mark && *mark == SB_FILE_ALLOW))
		return (r->flags & SB_EXEC_DENY_ALL) ? DR_EXEC_DENY : DR_EXEC_ALLOW;
	return 0;
}

/* Checks the file an exec by thread `a` is about to run; reports and returns nonzero when a rule set forbids it.
 * Without `lsm` (the exec went through, its new image has not run an instruction) it kills the process first. */
static __always_inline int check_exec(struct task_struct *task, const struct acting *a,
				      struct linux_binprm *bprm, __u16 lsm)
{
	struct inode *inode;
	struct ev_deny *e;
	struct sb_key k;
	__u64 dev, ino;
	__u16 rule = 0;
	bool killed;
	__u32 i;

	if (!a->proc)
		return 0;
	inode = BPF_CORE_READ(bprm, file, f_inode);
	dev = BPF_CORE_READ(inode, i_sb, s_dev);
	ino = BPF_CORE_READ(inode, i_ino);
	for (i = 0; i < ACTING_MAX_SETS; i++) {
		if (!acting_key(&k, a, i))
			break;
		rule = exec_verdict(&k, dev, ino);
		if (rule)
			break;
	}
	if (!rule)
		return 0;
	killed = lsm || kill_current();
	e = killed ? deny_event(task, acting_rec(a), DENY_EXEC, rule, k.call) :
		     deny_record(task, acting_rec(a), DENY_EXEC, rule, k.call);
	if (e) {
		e->lsm = lsm;
		e->flags = killed ? 0 : DENY_F_DAEMON_KILL;
		if (bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename)) < 0)
			e->filename[0] = '\0';
		deny_submit(e);
	}
	return 1;
}

/* Counts one more live process (in sb_procs) or thread (sb_threads) against rule set `k`; returns the
 * new count (approximate under races). */
static __always_inline __u32 count_up(void *counts, const struct sb_key *k)
{
	__u32 zero = 0, *n = bpf_map_lookup_elem(counts, k);

	if (!n) {
		bpf_map_update_elem(counts, k, &zero, BPF_NOEXIST);
		n = bpf_map_lookup_elem(counts, k);
		if (!n)
			return 0;
	}
	__sync_fetch_and_add(n, 1);
	return *n;
}

/*
 * One process fewer, saturating at 0: a compare-and-swap, retried while other exits
 * race it, so two exits that both read 1 can't both decrement and wrap the count
 * (which would then stop every later fork of the set). A set already cleared by
 * userspace stays cleared. After COUNT_DOWN_TRIES lost races the count stays one
 * high: stricter, never looser. Needs BPF atomics (-mcpu=v3, kernel 5.12+).
 */
#define COUNT_DOWN_TRIES	16

static __always_inline void count_down(void *counts, const struct sb_key *k)
{
	__u32 *n = bpf_map_lookup_elem(counts, k), old;

	if (!n)
		return;
	for (int i = 0; i < COUNT_DOWN_TRIES; i++) {
		old = *(volatile __u32 *)n;
		if (!old || __sync_val_compare_and_swap(n, old, old - 1) == old)
			return;
	}
}

/*
 * SIGKILLs a child at fork, for `rule` (enum deny_rule, or UNBORN_SWEPT): it has not run yet, so it dies before
 * its first instruction. Where the kernel can't signal another task, the child is marked for its own first run
 * (`unborn`, when unborn_run is attached). False when neither could be done (the signal failed, no unborn_run,
 * or no memory for the mark, counted): the child will run, and its deny record asks the daemon to kill it
 * (DENY_F_DAEMON_KILL). The forker is never killed in its place: it may be a server that forked for another call.
 */
static __always_inline bool kill_unborn(struct task_struct *child, __u8 rule)
{
	__u32 flags = config_flags();
	__u8 *mark;

	if (bpf_ksym_exists(bpf_send_signal_task) && !(flags & CFG_NO_SIGNAL_TASK)) {
		if (!(flags & CFG_FAIL_SIGNALS) && !bpf_send_signal_task(child, SIGKILL, PIDTYPE_TGID, 0))
			return true;
		count_error(SERR_SIGNAL_FAILED);
		return false;
	}
	if (!(flags & CFG_UNBORN_RUN))
		return false;
	mark = bpf_task_storage_get(&unborn, child, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!mark) {
		count_error(SERR_UNBORN_UNMARKED);
		return false;
	}
	*mark = rule;
	return true;
}

/* A child (process or thread) whose lineage could not be kept whole (lineage `t`, as far as it got), or whose
 * server's room in `tracked` is spent (`o`), dies before it runs, and the daemon is told why. */
static __always_inline void kill_lost(struct task_struct *child, const struct tracked *t, enum lineage_origin o)
{
	__u16 rule = o == LINEAGE_BUDGET ? DR_LINEAGE_BUDGET : DR_LINEAGE_LOST;
	bool killed = kill_unborn(child, rule);
	struct ev_deny *e;

	e = killed ? deny_event(child, t, DENY_FORK, rule, 0) : deny_record(child, t, DENY_FORK, rule, 0);
	if (!e)
		return;
	e->flags = killed ? 0 : DENY_F_DAEMON_KILL;
	deny_submit(e);
}

/*
 * Fork step, after lineage_fork() placed `child` (origin `o`, entry `t`): a child the
 * lineage map could not hold does not get to run; a child of a tracked process counts
 * against every rule set it answers to, and dies if one is over its max_processes or
 * being killed. (A child the shim started in a server's cgroup is the server itself.)
 */
static __always_inline void sandbox_fork(struct task_struct *child, const struct tracked *t,
					 enum lineage_origin o)
{
	struct sb_counted c = {};
	__u32 tgid = child->tgid, i, n, limit = 0;
	struct sb_rules *r;
	struct ev_deny *e;
	struct sb_key k;
	__u64 over = 0;
	bool hit = false, killed;

	if (o != LINEAGE_INHERITED) {
		if (o == LINEAGE_LOST || o == LINEAGE_BUDGET)
			kill_lost(child, t, o);
		return;
	}
	c.server_id = t->server_id;
	for (i = 0; i < SB_MAX_SETS; i++) {
		if (i >= nsets(t))
			break;
		set_key(&k, t, i);
		if (k.call && bpf_map_lookup_elem(&sb_doomed, &k)) {
			kill_unborn(child, UNBORN_SWEPT);
			break;	/* the sets counted so far get their count back when it exits */
		}
		r = bpf_map_lookup_elem(&sb_rules, &k);
		if (!r)
			continue;
		n = count_up(&sb_procs, &k);
		if (c.nsets < SB_MAX_SETS)
			c.calls[c.nsets++] = k.call;
		if (r->max_processes && n > r->max_processes && !hit) {
			hit = true;
			over = k.call;
			limit = r->max_processes;
		}
	}
	if (c.nsets)
		bpf_map_update_elem(&sb_counted, &tgid, &c, BPF_ANY);
	if (!hit)
		return;
	killed = kill_unborn(child, DR_MAX_PROCESSES);
	e = killed ? deny_event(child, t, DENY_FORK, DR_MAX_PROCESSES, over) :
		     deny_record(child, t, DENY_FORK, DR_MAX_PROCESSES, over);
	if (e) {
		e->limit = limit;
		e->flags = killed ? 0 : DENY_F_DAEMON_KILL;
		deny_submit(e);
	}
}

/*
 * Fork check where BPF LSM loads (enforce.bpf.c, lsm/task_alloc), before the child exists: true when
 * `task`'s new process must not be made, because a call it acts for (`a`, a->proc not NULL) is being
 * killed, or already has max_processes live processes (then the record says refused). sandbox_fork
 * still counts and judges every child: two forks passing here at once can take a count one over,
 * and that child is killed as without LSM.
 */
static __always_inline bool fork_refused(struct task_struct *task, const struct acting *a)
{
	struct sb_rules *r;
	struct ev_deny *e;
	struct sb_key k;
	__u32 *n;

	for (__u32 i = 0; i < ACTING_MAX_SETS; i++) {
		if (!acting_key(&k, a, i))
			break;
		if (k.call && bpf_map_lookup_elem(&sb_doomed, &k))
			return true;
		r = bpf_map_lookup_elem(&sb_rules, &k);
		if (!r || !r->max_processes)
			continue;
		n = bpf_map_lookup_elem(&sb_procs, &k);
		if (!n || *n < r->max_processes)
			continue;
		e = deny_event(task, acting_rec(a), DENY_FORK, DR_MAX_PROCESSES, k.call);
		if (e) {
			e->lsm = 1;
			e->limit = r->max_processes;
			deny_submit(e);
		}
		return true;
	}
	return false;
}

/* Exit step: process `tgid` gives its count back to the rule sets it was counted against. */
static __always_inline void sandbox_exit(__u32 tgid)
{
	struct sb_counted *p = bpf_map_lookup_elem(&sb_counted, &tgid), c;
	struct sb_key k = {};
	__u32 i;

	if (!p)
		return;
	c = *p;
	if (bpf_map_delete_elem(&sb_counted, &tgid))
		return;	/* another exit step of the process took it first: the counts go back once */
	k.server_id = c.server_id;
	for (i = 0; i < SB_MAX_SETS; i++) {
		if (i >= c.nsets)
			break;
		k.call = c.calls[i];
		count_down(&sb_procs, &k);
	}
}

/*
 * Thread-start step, after lineage_thread_start() gave `child` its calls (entry `t`,
 * origin `o`): a thread whose calls could not all be kept does not get to run, and
 * since a signal can't end one thread alone, its process (the server) dies with it:
 * fail closed. Each of its calls with a rule set counts it in sb_threads.
 */
static __always_inline void sandbox_thread_start(struct task_struct *child, const struct tracked *t,
						 enum lineage_origin o)
{
	struct sb_key k = {};

	if (o != LINEAGE_INHERITED) {
		if (o == LINEAGE_LOST)
			kill_lost(child, t, o);	/* a thread: its process with it */
		return;
	}
	k.server_id = t->server_id;
	for (__u32 i = 0; i < EV_MAX_CALLS; i++) {
		if (i >= t->ncalls)
			break;
		k.call = t->calls[i];
		if (bpf_map_lookup_elem(&sb_rules, &k))
			count_up(&sb_threads, &k);
	}
}

/* Thread-exit step: thread `tid` gives back the counts its own calls took (before lineage_thread_exit). */
static __always_inline void sandbox_thread_exit(__u32 tid)
{
	const struct tracked *th = thread_lookup(tid);
	struct sb_key k = {};

	if (!th)
		return;
	k.server_id = th->server_id;
	for (__u32 i = 0; i < EV_MAX_CALLS; i++) {
		if (i >= th->ncalls)
			break;
		k.call = th->calls[i];
		count_down(&sb_threads, &k);	/* a set it was not counted in has no count: nothing happens */
	}
}

/* Exec step without BPF LSM: the exec went through, but the new image has not run an instruction; SIGKILL ends it first. */
static __always_inline void sandbox_exec(struct task_struct *task, const struct acting *a, struct linux_binprm *bprm)
{
	check_exec(task, a, bprm, 0);
}


/* ---- unix sockets ---- */

#define AF_UNIX		1

/* The unix socket `f` is connected to: its bound file's identity into *k (dev, ino), and its peer. NULL when none. */
static __always_inline struct sock *unix_peer_file(struct file *f, struct sb_exec_key *k)
{
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct inode *inode;
	struct sock *sk, *peer;

	if (!sock || BPF_CORE_READ(sock, file) != f || !(sk = BPF_CORE_READ(sock, sk)) ||
	    BPF_CORE_READ(sk, __sk_common.skc_family) != AF_UNIX)
		return NULL;
	peer = BPF_CORE_READ((struct unix_sock *)sk, peer);
	if (!peer || !(inode = BPF_CORE_READ((struct unix_sock *)peer, path.dentry, d_inode)))
		return NULL;	/* an abstract or unbound peer: the connect_unix hook judged its name */
	k->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	k->ino = BPF_CORE_READ(inode, i_ino);
	return peer;
}

/*
 * The SB_FILE_ALLOW and SB_FILE_DENY bits of the entries of rule set `set` that match
 * the address in addr->path: the exact entry, and every directory entry ("DIR/", "@")
 * the address is under. The key is built on this function's own stack (older verifiers
 * take a map key from the stack or a map value only, not from a pointer argument): the
 * address is copied in, then cut back from the end a byte a step, and looked up again
 * whenever what is left ends in '/' (or is "@"). A global function: the verifier walks
 * it once, not once per rule set of every path through the caller.
 */
__noinline int unix_marks(const struct sb_key *set, const struct sb_unix_key *addr)
{
	struct sb_unix_key u;
	__u8 acc = 0, *mark;

	if (!set || !addr)
		return 0;
	u.set = *set;
	__builtin_memcpy(u.path, addr->path, EV_UNIX_PATH_LEN);
	u.len = addr->len;	/* the exact entry of an abstract name is the one of its length */
	mark = bpf_map_lookup_elem(&sb_unix, &u);
	acc |= mark ? *mark : 0;
	u.len = 0;		/* prefixes: any length */
	for (__u32 j = EV_UNIX_PATH_LEN - 1; j > 0; j--) {
		char last;

		u.path[j] = 0;
		last = u.path[j - 1];
		if (last != '/' && !(j == 1 && last == '@'))
			continue;
		mark = bpf_map_lookup_elem(&sb_unix, &u);
		acc |= mark ? *mark : 0;
	}
	return acc;
}

/*
 * Connect step (net.bpf.c, sys_exit_connect, after the record): the unix socket a connect
 * reached is judged again by what it is, not by the name the caller gave: by its file (the
 * entries whose sockets existed when the rules went in, sb_sock_files) and by the path its
 * listener bound. A name that led elsewhere (a symlink or hard link under a listed directory,
 * a listed path swapped for a link, /proc/self/root/...) fails here, and the process dies
 * before connect returns. The connection was made, so a thread sharing the descriptor could
 * use it in between; a datagram sent without connecting is judged by its name only.
 */
static __always_inline void sandbox_unix_connected(struct task_struct *task, const struct acting *a, long fd)
{
	struct file *f = task_fd_file(task, fd);
	struct sb_unix_key name = {};
	struct sb_exec_key fk = {};
	struct unix_address *ua;
	struct sb_rules *r;
	struct ev_deny *e;
	struct sock *peer;
	__u16 rule = 0;
	bool killed;
	struct sb_key k;
	__u8 acc, *mark;

	if (!f || !(peer = unix_peer_file(f, &fk)) || !(ua = BPF_CORE_READ((struct unix_sock *)peer, addr)) ||
	    bpf_probe_read_kernel_str(name.path, sizeof(name.path), &ua->name[0].sun_path) < 0)
		return;	/* an abstract or unbound peer: no link leads there, its name was judged */
	for (__u32 i = 0; i < ACTING_MAX_SETS; i++) {
		if (!acting_key(&k, a, i))
			break;
		r = bpf_map_lookup_elem(&sb_rules, &k);
		if (!r || !(r->flags & SB_UNIX_RULES))
			continue;
		fk.set = k;
		mark = bpf_map_lookup_elem(&sb_sock_files, &fk);
		acc = unix_marks(&k, &name) | (mark ? *mark : 0);
		if ((acc & SB_FILE_DENY) || ((r->flags & SB_UNIX_ALLOWLIST) && !(acc & SB_FILE_ALLOW))) {
			rule = DR_UNIX_FILE;
			break;
		}
	}
	if (!rule)
		return;
	killed = kill_current();
	e = killed ? deny_event(task, acting_rec(a), DENY_CONNECT, rule, k.call) :
		     deny_record(task, acting_rec(a), DENY_CONNECT, rule, k.call);
	if (!e)
		return;
	e->flags = killed ? 0 : DENY_F_DAEMON_KILL;
	e->addr.family = AF_UNIX;
	__builtin_memcpy(e->addr.path, name.path, sizeof(e->addr.path));
	deny_submit(e);
}

#endif
