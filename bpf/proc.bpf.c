// SPDX-License-Identifier: GPL-2.0
/* proc.bpf.c: process lifecycle (fork, exec, exit): lineage, the record, the sandbox step; plus a task iterator to seed userspace. */
#include "sandbox.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define PF_EXITING	0x00000004	/* include/linux/sched.h */
#define EEXIST		17

/*
 * What is reported: fork, exec and exit of every process (not of threads), so
 * the daemon's process table covers the whole host and can spot unpoliced
 * servers; these are rare next to syscalls. Network events (net.bpf.c) come
 * only from tracked processes unless CFG_TRACE_ALL is set.
 *
 * Lineage: a process forked by a tracked process is tracked too, with the
 * parent's server id and the calls active in the parent at that instant.
 * Threads share their process's entry (the key is the tgid), so an exec from
 * a non-leader thread, which takes over the leader's pid, keeps its lineage.
 * A thread started during a call carries that call on top, in an entry of its
 * own, until it exits (lineage.bpf.h, thread_calls); what it forks, execs or
 * connects answers to those calls' rules too.
 *
 * Each hook has one program, whose steps run in a fixed order: lineage
 * (lineage.bpf.h, the only writer of `tracked`), then the record, then the
 * sandbox (sandbox.bpf.h), which sees the lineage the record carries.
 */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	struct tracked ct;
	enum lineage_origin o;
	struct ev_fork *e;

	if (child->pid != child->tgid) {	/* a new thread, not a new process: no record */
		o = lineage_thread_start(parent, child, &ct);
		sandbox_thread_start(child, &ct, o);
		return 0;
	}
	o = lineage_fork(parent, child, &ct);
	e = event_reserve(sizeof(*e), EV_FORK);
	if (e) {
		fill_hdr(&e->h, EV_FORK, sizeof(*e), child, o == LINEAGE_NONE ? NULL : &ct);
		e->parent_start_time = parent->group_leader->start_time;
		event_submit(e);
	}
	sandbox_fork(child, &ct, o);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct stdout_watch w = { .file = (__u64)task_fd_file(task, 1), .writes = EV_STDOUT_WRITES };
	struct tracked scratch, placed;
	bool lost;
	struct tracked *t = lineage_place(task, &placed, &lost);
	/* A non-leader thread's exec took the leader's pid by now: its own calls are still under old_pid. A
	 * process of a server's cgroup that could not be given an entry answers to its server's rules all the same. */
	struct acting a = lineage_acting(old_pid, t ? t : lost ? &placed : NULL, &scratch);
	unsigned long arg_start, arg_end;
	__u32 tgid = task->tgid;
	struct ev_exec *e;
	struct ev_deny *d;
	__u64 len;

	/* A new program: its first writes to stdout tell whether it speaks MCP (stdout.bpf.c). */
	if (w.file)
		bpf_map_update_elem(&stdout_budget, &tgid, &w, BPF_ANY);
	e = event_reserve(sizeof(*e), EV_EXEC);
	if (!e)
		goto sandbox;
	fill_hdr(&e->h, EV_EXEC, sizeof(*e), task, acting_rec(&a));
	e->old_tid = old_pid;
	e->argc = bprm->argc;
	if (bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), bprm->filename) < 0)
		e->filename[0] = '\0';
	arg_start = task->mm->arg_start;
	arg_end = task->mm->arg_end;
	len = arg_end > arg_start ? arg_end - arg_start : 0;
	e->args_truncated = len > EV_ARGS_LEN;
	if (len > EV_ARGS_LEN)
		len = EV_ARGS_LEN;
	barrier_var(len);	/* keep clang from reusing the unclamped value */
	if (bpf_probe_read_user(e->args, len, (void *)arg_start) < 0)
		len = 0;
	e->args_len = len;
	event_submit(e);
sandbox:
	sandbox_exec(task, &a, bprm);
	if (!lineage_thread_exec(old_pid, task->pid)) {
		/* the calls it carried can't follow it: the new image must not run */
		sandbox_thread_exit(old_pid);
		lineage_thread_exit(old_pid);
		if (!kill_current() && (d = deny_record(task, a.proc, DENY_EXEC, DR_LINEAGE_LOST, 0))) {
			d->flags = DENY_F_DAEMON_KILL;
			deny_submit(d);
		}
	}
	return 0;
}

/* Exit step of thread `task`; `group_dead`: it is the last of its process. */
static __always_inline void exit_step(struct task_struct *task, bool group_dead)
{
	__u32 tgid = task->tgid;
	struct ev_exit *e;

	sandbox_thread_exit(task->pid);
	lineage_thread_exit(task->pid);
	if (!group_dead)
		return;	/* other threads of the process live on */
	e = event_reserve(sizeof(*e), EV_EXIT);
	if (e) {
		fill_hdr(&e->h, EV_EXIT, sizeof(*e), task, task_lineage(task));
		e->exit_code = task->exit_code;
		e->pad = 0;
		event_submit(e);
	}
	sandbox_exit(tgid);
	lineage_exit(tgid);
	bpf_map_delete_elem(&stdout_budget, &tgid);
}

/* Kernels whose tracepoint passes group_dead (6.16 and later): userspace loads this one or handle_exit_live. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *task, bool group_dead)
{
	exit_step(task, group_dead);
	return 0;
}

/* A process whose last thread's exit was handled: (tgid, leader start time) -> 1, from that exit until the
 * process's leader is freed, after every thread of it is gone (handle_free). */
struct exit_key {
	__u32 tgid;
	__u32 pad;
	__u64 start_time;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* sized as `tracked` (lineage.bpf.h) */
	__uint(max_entries, MAX_TRACKED);
	__type(key, struct exit_key);
	__type(value, __u8);
} exit_claims SEC(".maps");

/*
 * Older kernels: the tracepoint has only the task. do_exit() has already taken the thread off
 * signal->live, so a count of 0 means no thread of the process is left, but two threads exiting
 * together can both see 0: the first to claim the process in exit_claims handles its death. A claim
 * that can't be made (the map full: that many dead processes not yet reaped) is counted, and the death
 * handled anyway: its steps give counts back once, and at worst a second exit record is made.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit_live, struct task_struct *task)
{
	struct exit_key k = { .tgid = task->tgid, .start_time = task->group_leader->start_time };
	bool group_dead = !BPF_CORE_READ(task, signal, live.counter);
	__u8 one = 1;
	int err;	/* an int: before 6.4 a map op's error comes back in the low 32 bits only */

	if (group_dead && (err = (int)bpf_map_update_elem(&exit_claims, &k, &one, BPF_NOEXIST))) {
		if (err == -EEXIST)
			group_dead = false;	/* claimed by another thread */
		else
			count_error(SERR_EXIT_UNCLAIMED);
	}
	exit_step(task, group_dead);
	return 0;
}

/* With handle_exit_live: a process's leader is freed once all its threads are gone; its claim goes. */
SEC("tp_btf/sched_process_free")
int BPF_PROG(handle_free, struct task_struct *task)
{
	struct exit_key k = { .tgid = task->tgid, .start_time = task->start_time };

	if (task->pid == task->tgid)
		bpf_map_delete_elem(&exit_claims, &k);
	return 0;
}

/*
 * Where bpf_send_signal_task is missing (before 6.13; userspace loads this then): every new task runs
 * schedule_tail() in its own context on its way out of fork, before its first instruction. A child that
 * kill_unborn() marked gets its SIGKILL here (for a thread: its whole process, as with a task signal).
 */
SEC("fexit/schedule_tail")
int BPF_PROG(unborn_run)
{
	struct task_struct *task = bpf_get_current_task_btf();

	__u8 *mark = bpf_task_storage_get(&unborn, task, 0, 0), rule;
	struct ev_deny *e;

	if (!mark)
		return 0;
	rule = *mark;
	bpf_task_storage_delete(&unborn, task);
	if (kill_current() || rule == UNBORN_SWEPT)
		return 0;
	/* The fork's record said killed: this one says it was not, and asks the daemon to. */
	if ((e = deny_record(task, tracked_of(task), DENY_FORK, rule, 0))) {
		e->flags = DENY_F_DAEMON_KILL;
		deny_submit(e);
	}
	return 0;
}

/*
 * Writes one bare ev_hdr (type EV_SEED) per process alive now; read by the daemon
 * at startup, after it mapped the server cgroups a previous daemon left: the walk
 * gives the processes already in them their lineage entries.
 */
SEC("iter/task")
int seed_tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct ev_hdr h;

	if (!task || task->pid != task->tgid || task->exit_state || (task->flags & PF_EXITING))
		return 0;	/* a thread, or a process whose exit may already have gone by: no entry for it */
	fill_hdr(&h, EV_SEED, sizeof(h), task, task_lineage(task));
	bpf_seq_write(ctx->meta->seq, &h, sizeof(h));
	return 0;
}
