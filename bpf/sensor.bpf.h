/* sensor.bpf.h: maps shared by every sensor program (one ring buffer, drop counters, config) and the record header filler. */
#ifndef MCPWARDEN_SENSOR_BPF_H
#define MCPWARDEN_SENSOR_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#include "events.h"

#define MAX_TRACKED	16384

/*
 * Each skeleton declares these maps; userspace loads proc.bpf.c first and makes
 * the other skeletons reuse its maps by name (bpf_map__reuse_fd), so every
 * program writes to one ring buffer and events stay in global order.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

/* Indexed by enum ev_type: records lost because the ring buffer was full. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EV_TYPE_MAX);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Indexed by enum sensor_error. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SERR_MAX);
	__type(key, __u32);
	__type(value, __u64);
} sensor_errors SEC(".maps");

static __always_inline void count_errors(__u32 err, __u64 by)
{
	__u64 *n = bpf_map_lookup_elem(&sensor_errors, &err);

	if (n)
		*n += by;
}

static __always_inline void count_error(__u32 err)
{
	count_errors(err, 1);
}

/* One entry: CFG_* flags, written by userspace at any time. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} sensor_config SEC(".maps");

static __always_inline __u32 config_flags(void)
{
	__u32 zero = 0, *flags = bpf_map_lookup_elem(&sensor_config, &zero);

	return flags ? *flags : 0;
}

/* A new program's stdout: the file fd 1 held at exec, and how many writes to it are left to inspect. */
struct stdout_watch {
	__u64 file;			/* struct file address: found again under another fd after a dup */
	__u32 writes;
	__u32 pad;
};

/* Keyed by tgid: set at exec, gone when spent or at exit (stdout.bpf.c). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_TRACKED);
	__type(key, __u32);
	__type(value, struct stdout_watch);
} stdout_budget SEC(".maps");

/* The file open as descriptor `fd` of `task`, or NULL. */
static __always_inline struct file *task_fd_file(struct task_struct *task, __u32 fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *f = NULL;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (!fds || bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]))
		return NULL;
	return f;
}

/* Reserves a record of `size` bytes, or counts a drop for `type` and returns NULL. */
static __always_inline void *event_reserve(__u32 size, __u32 type)
{
	void *e = bpf_ringbuf_reserve(&events, size, 0);
	__u64 *n;

	if (!e) {
		n = bpf_map_lookup_elem(&drops, &type);
		if (n)
			*n += 1;
	}
	return e;
}

/*
 * Submits a reserved record. The daemon is woken only once WAKEUP_BYTES are
 * waiting: a wakeup per record would cost the traced process more than the
 * record itself. The daemon also drains the ring on its timer (every 100 ms),
 * which bounds the latency of a quiet stream.
 */
#define WAKEUP_BYTES	(256 << 10)

static __always_inline void event_submit(void *e)
{
	bool wake = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= WAKEUP_BYTES;

	bpf_ringbuf_submit(e, wake ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/*
 * Fills the header for process `task` (any thread of it); `t` is its lineage entry or NULL.
 * `task` is a BTF pointer (tp_btf arguments, bpf_get_current_task_btf, iterators): its fields
 * are read with direct loads, several times cheaper than a bpf_probe_read_kernel per hop, and
 * this runs on every connect and accept of a tracked process.
 */
static __always_inline void fill_hdr(struct ev_hdr *h, __u16 type, __u32 size,
				     struct task_struct *task, const struct tracked *t)
{
	h->type = type;
	h->version = EV_VERSION;
	h->size = size;
	h->ts_ns = bpf_ktime_get_ns();
	h->pid = task->tgid;
	h->tid = task->pid;
	h->ppid = task->real_parent->tgid;
	h->uid = task->cred->uid.val;
	h->start_time = task->group_leader->start_time;
	h->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	__builtin_memcpy(h->comm, task->comm, sizeof(h->comm));
	if (t) {
		h->server_id = t->server_id;
		h->ncalls = t->ncalls;
		__builtin_memcpy(h->calls, t->calls, sizeof(h->calls));
	} else {
		h->server_id = 0;
		h->ncalls = 0;
		__builtin_memset(h->calls, 0, sizeof(h->calls));
	}
}

#endif
