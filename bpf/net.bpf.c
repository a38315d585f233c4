// SPDX-License-Identifier: GPL-2.0
/* net.bpf.c: socket syscalls (connect, bind, listen, accept, sendto, sendmsg) with address and result, and TCP state changes. */
#include "sensor.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_UNIX		1
#define AF_INET		2
#define AF_INET6	10
#define EINPROGRESS	115
#define SIN6_LEN_RFC2133	24	/* sockaddr_in6 without sin6_scope_id */

/*
 * Only tracked processes are reported (every process with CFG_TRACE_ALL),
 * except listen(2), which is rare and tells the daemon of HTTP servers nobody polices.
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
	__u64 sk;		/* connect: the TCP socket it moved out of CLOSE, 0 if none */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct inflight);
} inflight SEC(".maps");

/* Owner of a TCP socket: the header as it was when the socket left CLOSE in the owner's context. */
struct sock_owner {
	struct ev_hdr h;
	__u32 quiet;		/* its connect syscall's event tells the outcome: no state changes reported */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);		/* struct sock address */
	__type(value, struct sock_owner);
} sock_owner SEC(".maps");

/* Whether the current process's network events are reported. */
static __always_inline bool wanted(void)
{
	return task_lineage(bpf_get_current_task_btf()) || (config_flags() & CFG_TRACE_ALL);
}

static __always_inline int enter_any(__u16 op, long fd, __u64 uaddr, __u32 len, __u64 ulenp)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct inflight f = { .uaddr = uaddr, .ulenp = ulenp, .len = len, .fd = fd, .op = op };

	bpf_map_update_elem(&inflight, &id, &f, BPF_ANY);
	return 0;
}

static __always_inline int enter(__u16 op, long fd, __u64 uaddr, __u32 len, __u64 ulenp)
{
	return wanted() ? enter_any(op, fd, uaddr, len, ulenp) : 0;
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
	} else if (family == AF_INET6 && len >= SIN6_LEN_RFC2133) {
		/* The kernel takes 24 bytes (no sin6_scope_id): so must the sensor, or the address goes unseen. */
		if (bpf_probe_read_user(&sin6, SIN6_LEN_RFC2133, (void *)uaddr))
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

/* Reports socket `sk` (owned by `owner`) going from `oldstate` to `newstate`; addresses read from the socket. */
static __always_inline void emit_state(const struct ev_hdr *owner, int oldstate, int newstate, struct sock *sk)
{
	struct ev_sock_state *e = event_reserve(sizeof(*e), EV_SOCK_STATE);

	if (!e)
		return;
	e->h = *owner;
	e->h.ts_ns = bpf_ktime_get_ns();
	e->oldstate = oldstate;
	e->newstate = newstate;
	e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->protocol = BPF_CORE_READ(sk, sk_protocol);
	e->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	__builtin_memset(e->saddr, 0, 16);
	__builtin_memset(e->daddr, 0, 16);
	if (e->family == AF_INET6) {
		BPF_CORE_READ_INTO(&e->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&e->daddr, sk, __sk_common.skc_v6_daddr);
	} else {
		BPF_CORE_READ_INTO((__u32 *)e->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)e->daddr, sk, __sk_common.skc_daddr);
	}
	event_submit(e);
}

/*
 * End of a connect syscall that moved TCP socket `sk` out of CLOSE: its net
 * event says how it went, unless it is still in progress (-EINPROGRESS): then
 * state changes are reported again, and one that already happened (in the
 * syscall's own softirq or backlog processing) is reported now.
 */
static __always_inline void connect_done(__u64 sk, long ret)
{
	struct sock_owner *o = bpf_map_lookup_elem(&sock_owner, &sk);
	struct sock *s = (struct sock *)sk;
	int state;

	if (!o || ret != -EINPROGRESS)
		return;
	o->quiet = 0;
	state = BPF_CORE_READ(s, __sk_common.skc_state);
	if (state != TCP_SYN_SENT)
		emit_state(&o->h, TCP_SYN_SENT, state, s);
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
	if (f->sk)
		connect_done(f->sk, ret);
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
	return enter_any(NET_LISTEN, ctx->args[0], 0, 0, 0);
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
 * TCP state changes of sockets owned by wanted processes: catches connects made
 * without a syscall (io_uring IORING_OP_CONNECT, inline or from an io-wq worker
 * thread, which shares the process's tgid). Leaving CLOSE (to SYN_SENT or
 * LISTEN) happens in the owner's own context, so that is where the owner is
 * recorded; later changes often run in softirq context, where `current` is
 * any task, so they are attributed through sock_owner instead.
 * A socket connected by the connect syscall is reported by that syscall's
 * event alone (see connect_done): a blocking connect costs one record, not four.
 */
SEC("tp/sock/inet_sock_set_state")
int handle_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 sk = (__u64)ctx->skaddr, id;
	struct sock_owner *owner = bpf_map_lookup_elem(&sock_owner, &sk), o;
	struct task_struct *task;
	struct inflight *f;

	if (!owner) {
		if (ctx->oldstate != TCP_CLOSE || !wanted())
			return 0;
		task = bpf_get_current_task_btf();
		fill_hdr(&o.h, EV_SOCK_STATE, sizeof(struct ev_sock_state), task, task_lineage(task));
		id = bpf_get_current_pid_tgid();
		f = bpf_map_lookup_elem(&inflight, &id);
		o.quiet = f && f->op == NET_CONNECT;
		o.pad = 0;
		if (o.quiet)
			f->sk = sk;
		bpf_map_update_elem(&sock_owner, &sk, &o, BPF_ANY);
		owner = &o;
	}
	if (ctx->newstate == TCP_CLOSE) {
		o = *owner;	/* the entry goes now; its copy fills the record */
		owner = &o;
		bpf_map_delete_elem(&sock_owner, &sk);
	}
	if (!owner->quiet)
		emit_state(&owner->h, ctx->oldstate, ctx->newstate, (struct sock *)sk);
	return 0;
}
