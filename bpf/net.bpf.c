// SPDX-License-Identifier: GPL-2.0
/* net.bpf.c: socket syscalls (connect, bind, listen, accept, sendto, sendmsg) with address and result, and TCP state changes. */
#include "sensor.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_UNIX		1
#define AF_INET		2
#define AF_INET6	10

/*
 * Only tracked processes are reported (every process with CFG_TRACE_ALL).
 * sendto/sendmsg are reported only when they name a destination: sends on a
 * connected socket were already seen at connect or accept.
 */

/* A syscall between enter and exit, keyed by pid_tgid (the thread). */
struct inflight {
	__u64 uaddr;		/* user sockaddr */
	__u64 ulenp;		/* accept: user pointer to the address length, read at exit */
	__u32 len;		/* address length when known at enter */
	__s32 fd;
	__u16 op;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct inflight);
} inflight SEC(".maps");

/* Whether the current process's network events are reported. */
static __always_inline bool wanted(void)
{
	return task_lineage(bpf_get_current_task_btf()) || (config_flags() & CFG_TRACE_ALL);
}

static __always_inline int enter(__u16 op, long fd, __u64 uaddr, __u32 len, __u64 ulenp)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct inflight f = { .uaddr = uaddr, .ulenp = ulenp, .len = len, .fd = fd, .op = op };

	if (wanted())
		bpf_map_update_elem(&inflight, &id, &f, BPF_ANY);
	return 0;
}

/* Copies a user sockaddr of `len` bytes into `a`; leaves family 0 when it cannot be read. */
static __always_inline void read_sockaddr(struct ev_addr *a, __u64 uaddr, __u32 len)
{
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;
	__u16 family;
	__u64 n;

	__builtin_memset(a, 0, sizeof(*a));
	if (!uaddr || len < sizeof(family) || bpf_probe_read_user(&family, sizeof(family), (void *)uaddr))
		return;
	if (family == AF_INET && len >= sizeof(sin)) {
		if (bpf_probe_read_user(&sin, sizeof(sin), (void *)uaddr))
			return;
		a->port = bpf_ntohs(sin.sin_port);
		__builtin_memcpy(a->addr, &sin.sin_addr, 4);
	} else if (family == AF_INET6 && len >= sizeof(sin6)) {
		if (bpf_probe_read_user(&sin6, sizeof(sin6), (void *)uaddr))
			return;
		a->port = bpf_ntohs(sin6.sin6_port);
		__builtin_memcpy(a->addr, &sin6.sin6_addr, 16);
	} else if (family == AF_UNIX) {
		n = len - sizeof(family);
		if (n > sizeof(a->path) - 1)
			n = sizeof(a->path) - 1;
		barrier_var(n);	/* keep clang from reusing the unclamped value */
		if (bpf_probe_read_user(a->path, n, (void *)(uaddr + sizeof(family))))
			return;
		if (n && !a->path[0])
			a->path[0] = '@';	/* abstract name */
	} else {
		return;
	}
	a->family = family;
}

static __always_inline int leave(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct inflight *f = bpf_map_lookup_elem(&inflight, &id);
	struct task_struct *task;
	struct ev_net *e;
	__u32 len;

	if (!f)
		return 0;
	e = event_reserve(sizeof(*e), EV_NET);
	if (!e)
		goto out;
	task = bpf_get_current_task_btf();
	fill_hdr(&e->h, EV_NET, sizeof(*e), task, tracked_lookup(id >> 32));
	e->op = f->op;
	e->pad = 0;
	e->pad2 = 0;
	e->fd = f->fd;
	e->result = ret;
	len = f->len;
	if (f->ulenp && (ret < 0 || bpf_probe_read_user(&len, sizeof(len), (void *)f->ulenp)))
		len = 0;
	read_sockaddr(&e->addr, f->uaddr, len);
	event_submit(e);
out:
	bpf_map_delete_elem(&inflight, &id);
	return 0;
}

SEC("tp/syscalls/sys_enter_connect")
int enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	return enter(NET_CONNECT, ctx->args[0], ctx->args[1], ctx->args[2], 0);
}

SEC("tp/syscalls/sys_enter_bind")
int enter_bind(struct trace_event_raw_sys_enter *ctx)
{
	return enter(NET_BIND, ctx->args[0], ctx->args[1], ctx->args[2], 0);
}

SEC("tp/syscalls/sys_enter_listen")
int enter_listen(struct trace_event_raw_sys_enter *ctx)
{
	return enter(NET_LISTEN, ctx->args[0], 0, 0, 0);
}

SEC("tp/syscalls/sys_enter_accept")
int enter_accept(struct trace_event_raw_sys_enter *ctx)
{
	return enter(NET_ACCEPT, ctx->args[0], ctx->args[1], 0, ctx->args[2]);
}

SEC("tp/syscalls/sys_enter_accept4")
int enter_accept4(struct trace_event_raw_sys_enter *ctx)
{
	return enter(NET_ACCEPT, ctx->args[0], ctx->args[1], 0, ctx->args[2]);
}

SEC("tp/syscalls/sys_enter_sendto")
int enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	if (!ctx->args[4])
		return 0;
	return enter(NET_SENDTO, ctx->args[0], ctx->args[4], ctx->args[5], 0);
}

SEC("tp/syscalls/sys_enter_sendmsg")
int enter_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	struct user_msghdr msg;

	if (bpf_probe_read_user(&msg, sizeof(msg), (void *)ctx->args[1]) || !msg.msg_name)
		return 0;
	return enter(NET_SENDMSG, ctx->args[0], (__u64)msg.msg_name, msg.msg_namelen, 0);
}

/* Every exit does the same: pair with the enter and report the result. */
#define EXIT_PROG(call)							\
SEC("tp/syscalls/sys_exit_" #call)					\
int exit_##call(struct trace_event_raw_sys_exit *ctx)			\
{									\
	return leave(ctx->ret);						\
}

EXIT_PROG(connect)
EXIT_PROG(bind)
EXIT_PROG(listen)
EXIT_PROG(accept)
EXIT_PROG(accept4)
EXIT_PROG(sendto)
EXIT_PROG(sendmsg)

/*
 * Owner of each TCP socket a wanted process connected or listened on, keyed
 * by the struct sock address: the header as it was at that moment.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ev_hdr);
} sock_owner SEC(".maps");

/*
 * TCP state changes of sockets owned by wanted processes: catches connects made
 * without a syscall (io_uring IORING_OP_CONNECT, inline or from an io-wq worker
 * thread, which shares the process's tgid). Leaving CLOSE (to SYN_SENT or
 * LISTEN) happens in the owner's own context, so that is where the owner is
 * recorded; later changes often run in softirq context, where `current` is
 * any task, so they are attributed through sock_owner instead.
 */
SEC("tp/sock/inet_sock_set_state")
int handle_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 sk = (__u64)ctx->skaddr;
	struct ev_hdr *owner = bpf_map_lookup_elem(&sock_owner, &sk), h;
	struct ev_sock_state *e;
	struct task_struct *task;

	if (!owner) {
		if (ctx->oldstate != TCP_CLOSE || !wanted())
			return 0;
		task = bpf_get_current_task_btf();
		fill_hdr(&h, EV_SOCK_STATE, sizeof(*e), task, task_lineage(task));
		bpf_map_update_elem(&sock_owner, &sk, &h, BPF_ANY);
		owner = &h;
	}
	if (ctx->newstate == TCP_CLOSE) {
		h = *owner;	/* the entry goes now; its copy fills the record */
		owner = &h;
		bpf_map_delete_elem(&sock_owner, &sk);
	}
	e = event_reserve(sizeof(*e), EV_SOCK_STATE);
	if (!e)
		return 0;
	e->h = *owner;
	e->h.ts_ns = bpf_ktime_get_ns();
	e->oldstate = ctx->oldstate;
	e->newstate = ctx->newstate;
	e->family = ctx->family;
	e->protocol = ctx->protocol;
	e->sport = ctx->sport;
	e->dport = ctx->dport;
	/* Address arrays cannot be copied from ctx with plain loads at variable offsets. */
	__builtin_memset(e->saddr, 0, 16);
	__builtin_memset(e->daddr, 0, 16);
	if (ctx->family == AF_INET6) {
		bpf_probe_read_kernel(e->saddr, 16, ctx->saddr_v6);
		bpf_probe_read_kernel(e->daddr, 16, ctx->daddr_v6);
	} else {
		bpf_probe_read_kernel(e->saddr, 4, ctx->saddr);
		bpf_probe_read_kernel(e->daddr, 4, ctx->daddr);
	}
	event_submit(e);
	return 0;
}
