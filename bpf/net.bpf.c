// SPDX-License-Identifier: GPL-2.0
/* net.bpf.c: socket syscalls (connect, bind, listen, accept, sendto, sendmsg, sendmmsg) with address and result, and TCP state changes. */
#include "sandbox.bpf.h"

char LICENSE[] SEC("license") = "GPL";


#define AF_INET		2
#define AF_INET6	10
#define EINPROGRESS	115
#define SIN6_LEN_RFC2133	24	/* sockaddr_in6 without sin6_scope_id */
#define O_NONBLOCK	04000
#define PF_IO_WORKER	0x00000010
#define PF_KTHREAD	0x00200000
#define MAX_SCHEDULE_TIMEOUT	((long)(~0UL >> 1))

/*
 * Each socket syscall is seen once, at its exit: the arguments are still in the
 * registers saved at entry, so no enter program runs and nothing is kept
 * between the two. On x86 they are the ones the syscall used, after any seccomp
 * or ptrace change. On arm64 x0 holds the result by then; the first argument
 * is orig_x0, as the task entered.
 */
#if defined(__TARGET_ARCH_x86)
#define NR_CONNECT	42
#define SYSCALL_NR(r)	((r)->orig_ax)
#define ARG1(r)		((r)->di)
#define ARG2(r)		((r)->si)
#define ARG3(r)		((r)->dx)
#define ARG5(r)		((r)->r8)
#define ARG6(r)		((r)->r9)
#elif defined(__TARGET_ARCH_arm64)
#define NR_CONNECT	203
#define SYSCALL_NR(r)	((r)->syscallno)
#define ARG1(r)		((r)->orig_x0)
#define ARG2(r)		((r)->regs[1])
#define ARG3(r)		((r)->regs[2])
#define ARG5(r)		((r)->regs[4])
#define ARG6(r)		((r)->regs[5])
#else
#error "net.bpf.c: syscall registers known for x86 and arm64 only"
#endif

/*
 * Owner of a TCP socket, in the socket's storage (freed with the socket): the
 * header as it was when the socket left CLOSE in the owner's context. Type 0:
 * the socket went back to CLOSE and has no owner.
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ev_hdr);
} sock_owner SEC(".maps");

static __always_inline struct pt_regs *syscall_regs(struct task_struct *task)
{
	return (struct pt_regs *)bpf_task_pt_regs(task);
}

/*
 * Whether `task`'s network events are reported; sets *t to its thread's lineage for records
 * (lineage_acting, in *scratch when the thread carries calls of its own), or NULL.
 * Only tracked processes are reported (every process with CFG_TRACE_ALL), except
 * listen(2), which is rare and tells the daemon of HTTP servers nobody polices.
 * sendto/sendmsg are reported only when they name a destination: sends on a
 * connected socket were already seen at connect or accept.
 */
static __always_inline bool wanted(struct task_struct *task, const struct tracked **t, struct tracked *scratch)
{
	struct acting a = lineage_acting(task->pid, tracked_of(task), scratch);

	*t = acting_rec(&a);
	return *t || (config_flags() & CFG_TRACE_ALL);
}

/* Copies a user sockaddr of `len` bytes into `a`; leaves family 0 when it cannot be read. */
static __always_inline void read_sockaddr(struct ev_addr *a, __u64 uaddr, __u32 len)
{
	union {
		__u16 family;
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	} u = {};
	/* The kernel takes 24 bytes of an IPv6 address (no sin6_scope_id): so must the sensor, or it goes unseen. */
	__u64 n = len, path;

	__builtin_memset(a, 0, sizeof(*a));
	if (n > SIN6_LEN_RFC2133)
		n = SIN6_LEN_RFC2133;
	barrier_var(n);	/* keep clang from reusing the unclamped value */
	if (!uaddr || n < sizeof(u.family) || bpf_probe_read_user(&u, n, (void *)uaddr))
		return;
	if (u.family == AF_INET && len >= sizeof(u.sin)) {
		a->port = bpf_ntohs(u.sin.sin_port);
		__builtin_memcpy(a->addr, &u.sin.sin_addr, 4);
	} else if (u.family == AF_INET6 && len >= SIN6_LEN_RFC2133) {
		a->port = bpf_ntohs(u.sin6.sin6_port);
		__builtin_memcpy(a->addr, &u.sin6.sin6_addr, 16);
	} else if (u.family == AF_UNIX) {
		path = len - sizeof(u.family);
		if (path > sizeof(a->path) - 1)
			path = sizeof(a->path) - 1;
		barrier_var(path);
		if (bpf_probe_read_user(a->path, path, (void *)(uaddr + sizeof(u.family))))
			return;
		if (path && !a->path[0])
			a->path[0] = '@';	/* abstract name */
	} else {
		return;
	}
	a->family = u.family;
}

/* The peer's address of socket `sk` (its own with `local`) into the 16 bytes at `out`: IPv4 in the first 4. */
static __always_inline void sock_addr(const struct sock *sk, __u16 family, bool local, __u8 *out)
{
	__builtin_memset(out, 0, 16);
	if (family == AF_INET6 && local)
		BPF_CORE_READ_INTO((struct in6_addr *)out, sk, __sk_common.skc_v6_rcv_saddr);
	else if (family == AF_INET6)
		BPF_CORE_READ_INTO((struct in6_addr *)out, sk, __sk_common.skc_v6_daddr);
	else if (local)
		BPF_CORE_READ_INTO((__u32 *)out, sk, __sk_common.skc_rcv_saddr);
	else
		BPF_CORE_READ_INTO((__u32 *)out, sk, __sk_common.skc_daddr);
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
	sock_addr(sk, e->family, true, e->saddr);
	sock_addr(sk, e->family, false, e->daddr);
	event_submit(e);
}

/*
 * A record of socket syscall `op` of `task` (lineage entry `t`) on `fd`, which
 * returned `ret`; the address is `len` bytes at user address `uaddr` (none when
 * 0). Reserved, not yet submitted; NULL when the ring buffer is full (counted).
 */
static __always_inline struct ev_net *record(struct task_struct *task, const struct tracked *t, __u16 op, long ret,
					     long fd, __u64 uaddr, __u32 len)
{
	struct ev_net *e = event_reserve(sizeof(*e), EV_NET);

	if (!e)
		return NULL;
	fill_hdr(&e->h, EV_NET, sizeof(*e), task, t);
	e->op = op;
	e->pad = 0;
	e->pad2 = 0;
	e->fd = fd;
	e->result = ret;
	read_sockaddr(&e->addr, uaddr, len);
	return e;
}

/* Reports socket syscall `op` as record() describes it. */
static __always_inline int report(struct task_struct *task, const struct tracked *t, __u16 op, long ret, long fd,
				  __u64 uaddr, __u32 len)
{
	struct ev_net *e = record(task, t, op, ret, fd, uaddr, len);

	if (e)
		event_submit(e);
	return 0;
}

/*
 * Puts the peer of inet socket `fd` of `task`, as the kernel holds it, in `a`.
 * The user's sockaddr is read after the syscall: another thread may have
 * rewritten it since the kernel took its copy. Leaves `a` alone when `fd` is no
 * longer an inet socket (a racing dup2).
 */
static __always_inline void kernel_peer(struct ev_addr *a, struct task_struct *task, long fd)
{
	struct file *f = task_fd_file(task, fd);
	struct socket *sock;
	struct sock *sk;
	__u16 family;

	if (!f)
		return;
	sock = BPF_CORE_READ(f, private_data);
	if (!sock || BPF_CORE_READ(sock, file) != f || !(sk = BPF_CORE_READ(sock, sk)))
		return;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return;
	sock_addr(sk, family, false, a->addr);
	a->family = family;
	a->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
}

/* connect: (fd, addr, addrlen). One that went or is going through names the peer the socket holds. */
SEC("tp/syscalls/sys_exit_connect")
int exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct tracked scratch;
	struct acting a = lineage_acting(task->pid, tracked_of(task), &scratch);
	struct pt_regs *r;
	struct ev_net *e;

	if (!a.proc && !(config_flags() & CFG_TRACE_ALL))
		return 0;
	r = syscall_regs(task);
	e = record(task, acting_rec(&a), NET_CONNECT, ctx->ret, ARG1(r), ARG2(r), ARG3(r));
	if (e) {
		if ((ctx->ret == 0 || ctx->ret == -EINPROGRESS) &&
		    (e->addr.family == AF_INET || e->addr.family == AF_INET6))
			kernel_peer(&e->addr, task, ARG1(r));
		event_submit(e);
	}
	if (!ctx->ret && a.proc)
		sandbox_unix_connected(task, &a, ARG1(r));	/* sandbox step, after the record */
	return 0;
}

/* bind: (fd, addr, addrlen). */
SEC("tp/syscalls/sys_exit_bind")
int exit_bind(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct tracked *t;
	struct tracked scratch;
	struct pt_regs *r;

	if (!wanted(task, &t, &scratch))
		return 0;
	r = syscall_regs(task);
	return report(task, t, NET_BIND, ctx->ret, ARG1(r), ARG2(r), ARG3(r));
}

SEC("tp/syscalls/sys_exit_listen")
int exit_listen(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct tracked scratch;
	struct acting a = lineage_acting(task->pid, tracked_of(task), &scratch);

	return report(task, acting_rec(&a), NET_LISTEN, ctx->ret, ARG1(syscall_regs(task)), 0, 0);
}

/* accept and accept4: (fd, addr, addrlen pointer); the kernel wrote the peer's address and its length. */
static __always_inline int accept_call(long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct tracked *t;
	struct tracked scratch;
	struct pt_regs *r;
	__u32 len = 0;
	__u64 ulenp;

	if (!wanted(task, &t, &scratch))
		return 0;
	r = syscall_regs(task);
	ulenp = ARG3(r);
	if (ret < 0 || !ulenp || bpf_probe_read_user(&len, sizeof(len), (void *)ulenp))
		len = 0;
	return report(task, t, NET_ACCEPT, ret, ARG1(r), ARG2(r), len);
}

SEC("tp/syscalls/sys_exit_accept")
int exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	return accept_call(ctx->ret);
}

SEC("tp/syscalls/sys_exit_accept4")
int exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	return accept_call(ctx->ret);
}

/* sendto: (fd, buf, len, flags, dest_addr, addrlen). */
SEC("tp/syscalls/sys_exit_sendto")
int exit_sendto(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *r = syscall_regs(task);
	__u64 dest = ARG5(r);
	const struct tracked *t;
	struct tracked scratch;

	if (!dest || !wanted(task, &t, &scratch))
		return 0;
	return report(task, t, NET_SENDTO, ctx->ret, ARG1(r), dest, ARG6(r));
}

/* sendmsg: (fd, msghdr, flags); the destination is msg_name. */
SEC("tp/syscalls/sys_exit_sendmsg")
int exit_sendmsg(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct user_msghdr msg;
	const struct tracked *t;
	struct tracked scratch;
	struct pt_regs *r;

	if (!wanted(task, &t, &scratch))
		return 0;
	r = syscall_regs(task);
	if (bpf_probe_read_user(&msg, sizeof(msg), (void *)ARG2(r)) || !msg.msg_name)
		return 0;
	return report(task, t, NET_SENDMSG, ctx->ret, ARG1(r), (__u64)msg.msg_name, msg.msg_namelen);
}

/*
 * sendmmsg: (fd, mmsghdr vector, vlen, flags), which returns how many messages
 * went. Each one that names a destination is a record with its byte count; a
 * failed call (nothing sent) reports its first message with the error.
 */
SEC("tp/syscalls/sys_exit_sendmmsg")
int exit_sendmmsg(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	long ret = ctx->ret, n = ret < 0 ? 1 : ret;
	bool named = false;
	struct mmsghdr m;
	const struct tracked *t;
	struct tracked scratch;
	struct pt_regs *r;
	__u64 vec;

	if (!wanted(task, &t, &scratch))
		return 0;
	r = syscall_regs(task);
	vec = ARG2(r);
	for (int i = 0; i < SENDMMSG_REPORTED && i < n; i++) {
		if (bpf_probe_read_user(&m, sizeof(m), (void *)(vec + i * sizeof(m))))
			break;
		if (!m.msg_hdr.msg_name)
			continue;
		named = true;
		report(task, t, NET_SENDMMSG, ret < 0 ? ret : m.msg_len, ARG1(r), (__u64)m.msg_hdr.msg_name,
		       m.msg_hdr.msg_namelen);
	}
	/* The rest are counted when the reported ones named destinations (a connected socket's sends do not). */
	if (named && n > SENDMMSG_REPORTED)
		count_errors(SERR_NET_UNREPORTED, n - SENDMMSG_REPORTED);
	return 0;
}

/*
 * Whether `sk` leaves CLOSE inside the current thread's own connect syscall: the
 * saved syscall number says connect, and the syscall's fd is this socket. The
 * registers alone would also say so for io_uring work run at that syscall's
 * exit, and for an io-wq worker, whose registers are a copy of its creator's.
 */
static __always_inline bool in_connect(struct task_struct *task, const struct sock *sk)
{
	struct socket *sock = sk->sk_socket;
	struct pt_regs *r;

	if ((task->flags & (PF_IO_WORKER | PF_KTHREAD)) || !sock || !sock->file)
		return false;
	r = syscall_regs(task);
	return SYSCALL_NR(r) == NR_CONNECT && task_fd_file(task, ARG1(r)) == sock->file;
}

/*
 * Whether a connect on `sk` can only end with its outcome: a blocking socket
 * without a send timeout. Others may return -EINPROGRESS (nonblocking, or
 * SO_SNDTIMEO expiring) while the handshake goes on.
 */
static __always_inline bool connect_tells_outcome(const struct sock *sk)
{
	struct socket *sock = sk->sk_socket;
	struct file *file = sock ? sock->file : NULL;

	return file && !(file->f_flags & O_NONBLOCK) && sk->sk_sndtimeo == MAX_SCHEDULE_TIMEOUT;
}

/*
 * TCP state changes of sockets owned by wanted processes: catches connects made
 * without a syscall (io_uring IORING_OP_CONNECT, inline or from an io-wq worker
 * thread, which shares the process's tgid). Leaving CLOSE (to SYN_SENT or
 * LISTEN) happens in the owner's own context, so that is where the owner is
 * recorded; later changes often run in softirq context, where `current` is
 * any task, so they are attributed through the socket's storage instead.
 * A connect syscall's event reports the socket leaving CLOSE. A socket whose
 * connect syscall will also tell the outcome gets no owner: a blocking connect
 * costs one record, not four, and no storage. One that may return
 * -EINPROGRESS reports its later changes.
 * tp_btf, not tp: this fires about six times per TCP connection on the whole
 * host, and the raw tracepoint skips building the perf record.
 */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(handle_set_state, struct sock *sk, int oldstate, int newstate)
{
	struct ev_hdr *owner = bpf_sk_storage_get(&sock_owner, sk, 0, 0), o;
	struct task_struct *task;
	const struct tracked *t;
	struct tracked scratch;
	bool by_connect;

	if (!owner || !owner->type) {
		if (oldstate != TCP_CLOSE)
			return 0;
		task = bpf_get_current_task_btf();
		if (!wanted(task, &t, &scratch))
			return 0;
		by_connect = in_connect(task, sk);
		if (by_connect && connect_tells_outcome(sk))
			return 0;
		owner = bpf_sk_storage_get(&sock_owner, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (!owner) {
			count_error(SERR_NET_UNREPORTED);
			return 0;
		}
		fill_hdr(owner, EV_SOCK_STATE, sizeof(struct ev_sock_state), task, t);
		if (by_connect)
			return 0;	/* the connect syscall's own event tells of the SYN */
	}
	if (newstate == TCP_CLOSE) {
		o = *owner;	/* the owner goes now; its copy fills the record */
		owner->type = 0;
		owner = &o;
	}
	emit_state(owner, oldstate, newstate, sk);
	return 0;
}
