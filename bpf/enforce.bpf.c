// SPDX-License-Identifier: GPL-2.0
/* enforce.bpf.c: sandbox hooks of their own: egress denies (cgroup sock_addr) and, where BPF LSM loads, exec and fork denies. */
#include "sandbox.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET		2
#define AF_INET6	10

/* Where BPF LSM loads (userspace probes it and enables this program): the exec fails with EPERM. */
SEC("lsm/bprm_check_security")
int BPF_PROG(enforce_bprm, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct tracked scratch, merged;
	struct acting a = lineage_acting(task->pid, lineage_peek(task, &scratch), &merged);

	return a.proc && check_exec(task, &a, bprm, 1) ? -EPERM : 0;
}

#define PTRACE_MODE_READ	0x01	/* include/linux/ptrace.h */
#define PTRACE_MODE_ATTACH	0x02
#define PTRACE_MODE_NOAUDIT	0x04

/* Whether `b` (a->proc not NULL) carries call `c`: its process's calls, or its thread's own. */
static __always_inline bool acting_carries(const struct acting *b, __u64 c)
{
	return calls_has(b->proc, c) || (b->thread && calls_has(b->thread, c));
}

/* Whether every call `a` acts for is carried by `b`; its process's calls only with `proc_calls`. */
static __always_inline bool carries_all(const struct acting *a, const struct acting *b, bool proc_calls)
{
	for (__u32 i = 0; i < EV_MAX_CALLS; i++) {
		if (proc_calls && i < a->proc->ncalls && !acting_carries(b, a->proc->calls[i]))
			return false;
		if (a->thread && i < a->thread->ncalls && !acting_carries(b, a->thread->calls[i]))
			return false;
	}
	return true;
}

/*
 * Where BPF LSM loads: a process acting for calls may reach into another process (ptrace attach, and what
 * asks the same: /proc/PID/mem, process_vm_readv/writev, pidfd_getfd; or read it: /proc/PID/fd/N, environ,
 * cwd, root, kcmp, perf events) only if that one is a call's process of its server that carries every call it
 * acts for: its own children in the call. The quiet probes of /proc/PID/stat (PTRACE_MODE_NOAUDIT) pass. So a call's code can't
 * rewrite its server (whose calls are granted, not inherited: TRACKED_F_BASE), whose rules are not the
 * call's, nor another call's processes, the shim or the daemon, even as root. A server's own process acts
 * for calls only through threads it started in one (an in-process tool); otherwise it is not held back.
 * Without BPF LSM nothing stops it (status: call_isolation none).
 */
SEC("lsm/ptrace_access_check")
int BPF_PROG(enforce_ptrace, struct task_struct *child, unsigned int mode, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct tracked s1, m1, s2, m2;
	struct acting a, b;
	struct ev_deny *e;
	bool own;

	if (ret || !(mode & (PTRACE_MODE_READ | PTRACE_MODE_ATTACH)) || (mode & PTRACE_MODE_NOAUDIT))
		return ret;
	a = lineage_acting(task->pid, lineage_peek(task, &s1), &m1);
	if (!a.proc)
		return 0;
	own = a.proc->flags & TRACKED_F_BASE;
	if (own ? !a.thread : !a.proc->ncalls && !a.thread)
		return 0;
	b = lineage_acting(child->pid, lineage_peek(child, &s2), &m2);
	if (b.proc && b.proc->server_id == a.proc->server_id && !(b.proc->flags & TRACKED_F_BASE) &&
	    carries_all(&a, &b, !own))
		return 0;
	if ((e = deny_event(task, acting_rec(&a), DENY_PTRACE, DR_CALL_ISOLATION, 0))) {
		e->lsm = 1;
		e->limit = child->tgid;
		deny_submit(e);
	}
	return -EPERM;
}

/* Where BPF LSM loads, with enforce_bprm: a new process over a call's max_processes, or forked by a call being
 * killed, is refused with EAGAIN before it exists (threads are not processes: max_processes does not count them). */
SEC("lsm/task_alloc")
int BPF_PROG(enforce_task_alloc, struct task_struct *child, unsigned long clone_flags)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct tracked scratch, merged;
	struct ev_deny *e;
	struct acting a;

	if (clone_flags & CLONE_THREAD)
		return 0;
	a = lineage_acting(task->pid, lineage_peek(task, &scratch), &merged);
	if (!a.proc)
		return 0;
	/* Its server has spent its room in the lineage map: the fork would be refused its lineage. */
	if (lineage_spent(a.proc->server_id)) {
		count_error(SERR_LINEAGE_BUDGET);
		if ((e = deny_event(task, acting_rec(&a), DENY_FORK, DR_LINEAGE_BUDGET, 0))) {
			e->lsm = 1;
			deny_submit(e);
		}
		return -EAGAIN;
	}
	return fork_refused(task, &a) ? -EAGAIN : 0;
}

/* ---- network ---- */

static __always_inline bool prefix_match(const __u8 *rule, const __u8 *addr, int prefix)
{
	for (int j = 0; j < 16; j++) {
		int bits = prefix - j * 8;
		__u8 mask;

		if (bits <= 0)
			return true;
		mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));
		if ((rule[j] ^ addr[j]) & mask)
			return false;
	}
	return true;
}

/* A destination as the network rules judge it. */
struct net_dest {
	struct sb_key set;	/* the rule set to judge it by */
	__u8 addr[16];		/* IPv4 in the first 4 bytes */
	__u32 family;
	__u32 port;
};

/*
 * 0 when rule set d->set lets the destination through, else DR_NET_DENY or DR_NET_EGRESS.
 * A global function, like every loop over rules below: the verifier walks it once, not once
 * for each rule set on each path through its caller, which keeps every program far below
 * the 1M-instruction limit on any kernel (tests/integration/test_verifier_budget.sh).
 */
__noinline int net_verdict(const struct net_dest *d)
{
	struct sb_key k;
	struct sb_rules *r;

	if (!d)
		return 0;
	k = d->set;	/* a key from the stack: older verifiers take no other */
	r = bpf_map_lookup_elem(&sb_rules, &k);
	if (!r)
		return 0;
	for (int i = 0; i < SB_MAX_NET_RULES; i++) {
		struct sb_net_rule *nr = &r->net[i];

		if (i >= r->nnet)
			break;
		if (nr->family != d->family || (nr->port && nr->port != d->port) ||
		    !prefix_match(nr->addr, d->addr, nr->prefix))
			continue;
		return nr->allow ? 0 : DR_NET_DENY;
	}
	return (r->flags & SB_EGRESS_DENY) ? DR_NET_EGRESS : 0;
}

/* The unspecified address (0.0.0.0, ::) reaches loopback: the kernel rewrites it after this hook. */
static __always_inline void unspecified_is_loopback(struct net_dest *d)
{
	__u64 hi, lo;

	__builtin_memcpy(&hi, d->addr, 8);
	__builtin_memcpy(&lo, d->addr + 8, 8);
	if (hi || lo)
		return;
	if (d->family == AF_INET)
		d->addr[0] = 127, d->addr[3] = 1;
	else
		d->addr[15] = 1;
}

#define TS_COMPAT	0x0002	/* arch/x86/include/asm/thread_info.h: in a 32-bit syscall */
#define NR_SENDTO	44	/* x86-64 syscall numbers of the sends net.bpf.c records at their exit */
#define NR_SENDMSG	46
#define NR_SENDMMSG	307

#define PF_IO_WORKER	0x00000010	/* include/linux/sched.h: an io_uring worker (io-wq, SQPOLL) */
#define ENOSYS		38

/*
 * Whether net.bpf.c will not see the send being judged. The syscall tracepoints see only a 64-bit sendto,
 * sendmsg or sendmmsg, at its exit: not a 32-bit task's syscalls (x86 skips them), nor io_uring sends. Those
 * run in io_uring_enter, in a worker (which copies its creator's registers, so its saved syscall number is
 * meaningless), or as task work on the way out of any syscall, a send's too, once its exit tracepoint has
 * run: then the saved return value is no longer the -ENOSYS the entry code puts there until the syscall
 * returns. So a send counts as seen only in a task that is no worker, inside a 64-bit send syscall.
 */
static __always_inline bool send_unseen(struct task_struct *task)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	long nr = BPF_CORE_READ(regs, orig_ax), ax = BPF_CORE_READ(regs, ax);

	return (task->flags & PF_IO_WORKER) || (BPF_CORE_READ(task, thread_info.status) & TS_COMPAT) ||
	       (nr != NR_SENDTO && nr != NR_SENDMSG && nr != NR_SENDMMSG) || ax != -ENOSYS;
}

/* Records a send to `given` (the address as the caller gave it) that send_unseen() says has no other record. */
static __always_inline void record_hooked_send(struct task_struct *task, const struct acting *a,
					       const struct net_dest *d, const __u8 *given)
{
	struct ev_net *e = event_reserve(sizeof(*e), EV_NET);

	if (!e)
		return;
	fill_hdr(&e->h, EV_NET, sizeof(*e), task, acting_rec(a));
	e->op = NET_SEND_HOOKED;
	e->pad = 0;
	e->pad2 = 0;
	e->fd = -1;
	e->result = 0;
	__builtin_memset(&e->addr, 0, sizeof(e->addr));
	e->addr.family = d->family;
	e->addr.port = d->port;
	__builtin_memcpy(e->addr.addr, given, 16);
	event_submit(e);
}

/* 1 (let it through) or 0 (EPERM) for a connect or send to ctx's address by the current thread. */
static __always_inline int sock_verdict(struct bpf_sock_addr *ctx, __u16 op, bool v6)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct tracked *t = tracked_of(task), scratch;
	struct net_dest d = { .family = v6 ? AF_INET6 : AF_INET, .port = bpf_ntohs((__u16)ctx->user_port) };
	__u8 given[16];
	struct ev_deny *e;
	struct acting a;
	__u16 rule = 0;
	__u32 i;

	if (!t)
		return 1;
	a = lineage_acting(task->pid, t, &scratch);
	if (!v6) {	/* the verifier lets each program read only its own family's fields */
		__u32 ip4 = ctx->user_ip4;

		__builtin_memcpy(d.addr, &ip4, 4);
	} else {
		__u32 ip6[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3] };

		__builtin_memcpy(d.addr, ip6, 16);
		/* ::ffff:a.b.c.d on a dual-stack socket goes out as IPv4: judge it so. */
		if (!ip6[0] && !ip6[1] && ip6[2] == bpf_htonl(0xffff)) {
			d.family = AF_INET;
			__builtin_memset(d.addr, 0, 16);
			__builtin_memcpy(d.addr, &ip6[3], 4);
		}
	}
	__builtin_memcpy(given, d.addr, 16);	/* the record tells what the caller gave */
	unspecified_is_loopback(&d);
	for (i = 0; i < ACTING_MAX_SETS; i++) {
		if (!acting_key(&d.set, &a, i))
			break;
		rule = net_verdict(&d);
		if (rule)
			break;
	}
	if (!rule) {
		if (op == DENY_SENDMSG && send_unseen(task))
			record_hooked_send(task, &a, &d, given);
		return 1;
	}
	e = deny_event(task, acting_rec(&a), op, rule, d.set.call);
	if (e) {
		e->protocol = ctx->protocol;
		e->addr.family = d.family;
		e->addr.port = d.port;
		__builtin_memcpy(e->addr.addr, given, 16);
		deny_submit(e);
	}
	return 0;
}

SEC("cgroup/connect4")
int enforce_connect4(struct bpf_sock_addr *ctx)
{
	return sock_verdict(ctx, DENY_CONNECT, false);
}

SEC("cgroup/connect6")
int enforce_connect6(struct bpf_sock_addr *ctx)
{
	return sock_verdict(ctx, DENY_CONNECT, true);
}

SEC("cgroup/sendmsg4")
int enforce_sendmsg4(struct bpf_sock_addr *ctx)
{
	return sock_verdict(ctx, DENY_SENDMSG, false);
}

SEC("cgroup/sendmsg6")
int enforce_sendmsg6(struct bpf_sock_addr *ctx)
{
	return sock_verdict(ctx, DENY_SENDMSG, true);
}

/* ---- unix sockets: network.unix, by address (Linux 6.7+; the daemon leaves these out where the hooks are missing) ---- */


#define SUN_PATH_OFF	2	/* offsetof(struct sockaddr_un, sun_path) */


/* The kernel's sock_addr context, relocated by CO-RE (uaddrlen is 6.7+), so this builds on older headers. */
struct bpf_sock_addr_kern___unix {
	struct sockaddr *uaddr;
	__u32 uaddrlen;
} __attribute__((preserve_access_index));

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym __weak;

/*
 * Reads the unix address the caller gave (the kernel's copy: a struct sockaddr of `n` bytes at kernel
 * address `uaddr`) into path[EV_UNIX_PATH_LEN], in the form of include/sandbox.h: an abstract name with
 * '@' for its leading NUL, every byte of its length kept; a path cut at its first NUL; the rest zero.
 * Returns false when the address is one no entry can name for sure (path then
 * holds what could be read, for the record): not absolute, with an empty, "." or ".."
 * component, under /proc (whose links lead anywhere), or 108 bytes with no NUL
 * (policy/unix_rule.h). An abstract name's length goes in out->len.
 * No step compares against the length: the verifier walks each loop once, not once per length.
 * A global function (see net_verdict): out->path is the buffer; raw, on its own stack, the scratch.
 */
__noinline int unix_address(__u64 uaddr, __u32 n, struct sb_unix_key *out)
{
	char raw[EV_UNIX_PATH_LEN], *path;
	bool bad = false;
	long len;

	if (!out)
		return 0;
	path = out->path;

	n = n > SUN_PATH_OFF ? n - SUN_PATH_OFF : 0;
	if (n > EV_UNIX_PATH_LEN)
		n = EV_UNIX_PATH_LEN;
	barrier_var(n);
	__builtin_memset(raw, 0, EV_UNIX_PATH_LEN);
	__builtin_memset(path, 0, EV_UNIX_PATH_LEN);
	out->len = 0;
	if (!n || bpf_probe_read_kernel(raw, n, (char *)uaddr + SUN_PATH_OFF))
		return false;
	if (!raw[0]) {
		bpf_probe_read_kernel(path, EV_UNIX_PATH_LEN, raw);	/* a copy (not inlined: the stack is tight) */
		path[0] = '@';
		out->len = n;	/* "\0name" and "\0name\0" are two sockets to the kernel */
		return true;
	}
	/* Up to the first NUL, into the zeroed path: what follows it (garbage a caller may add) is left out. */
	len = bpf_probe_read_kernel_str(path, EV_UNIX_PATH_LEN, raw);
	if (len < 0 || path[0] != '/' || (len == EV_UNIX_PATH_LEN && raw[EV_UNIX_PATH_LEN - 1]))
		return false;
	/*
	 * No component may be empty, "." or "..": looked for as "//", "/./", "/../" where its
	 * end counts as a '/'. A window over the bytes, with no counters: each step's state is
	 * the same whatever came before, which keeps the verifier's walk short.
	 */
	char p1 = '/', p2 = 0, p3 = 0;

	for (__u32 i = 1; i <= EV_UNIX_PATH_LEN; i++) {
		char c = i < EV_UNIX_PATH_LEN ? path[i] : 0;

		if (!c || c == '/') {
			if (p1 == '/' || (p1 == '.' && p2 == '/') || (p1 == '.' && p2 == '.' && p3 == '/'))
				bad = true;
			if (!c)
				break;
		}
		p3 = p2;
		p2 = p1;
		p1 = c;
	}
	/* /proc/self/root/..., /proc/self/fd/N, /proc/PID/cwd/...: names that lead anywhere. */
	if (path[1] == 'p' && path[2] == 'r' && path[3] == 'o' && path[4] == 'c' && (path[5] == '/' || !path[5]))
		bad = true;
	return !bad;
}

/* 1 (let it through) or 0 (EPERM) for a connect or send by the current thread to the unix address of `n` bytes at
 * kernel address `uaddr`. */
static __always_inline int unix_verdict(__u64 uaddr, __u32 n, __u16 op)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct tracked *t = tracked_of(task), scratch;
	struct sb_unix_key addr;
	struct sb_rules *r;
	struct ev_deny *e;
	struct acting a;
	struct sb_key k;
	__u16 rule = 0;
	int clear = -1;	/* unread */
	__u8 acc;

	if (!t)
		return 1;
	a = lineage_acting(task->pid, t, &scratch);
	for (__u32 i = 0; i < ACTING_MAX_SETS; i++) {
		if (!acting_key(&k, &a, i))
			break;
		r = bpf_map_lookup_elem(&sb_rules, &k);
		if (!r || !(r->flags & SB_UNIX_RULES))
			continue;
		if (clear < 0)
			clear = unix_address(uaddr, n, &addr);
		if (!clear) {
			rule = DR_UNIX_UNCLEAR;
			break;
		}
		acc = unix_marks(&k, &addr);
		if (acc & SB_FILE_DENY)
			rule = DR_UNIX_DENY;
		else if ((r->flags & SB_UNIX_ALLOWLIST) && !(acc & SB_FILE_ALLOW))
			rule = DR_UNIX_ALLOW;
		if (rule)
			break;
	}
	if (!rule)
		return 1;
	e = deny_event(task, acting_rec(&a), op, rule, k.call);
	if (e) {
		e->addr.family = AF_UNIX;
		bpf_probe_read_kernel(e->addr.path, EV_UNIX_PATH_LEN, addr.path);
		deny_submit(e);
	}
	return 0;
}

/* The kernel address the pointer at `pp` holds, as a plain number: a global function takes no pointer to kernel
 * memory, and the verifier keeps a pointer's type through a cast. */
static __always_inline __u64 kaddr(const void *pp)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), pp);
	return v;
}

/* The cgroup hooks' verdict on the address in their context. */
static __always_inline int unix_ctx_verdict(struct bpf_sock_addr *ctx, __u16 op)
{
	struct bpf_sock_addr_kern___unix *sa = bpf_cast_to_kern_ctx(ctx);

	return unix_verdict(kaddr(&sa->uaddr), sa->uaddrlen, op);
}

/* Loaded with the expected attach type BPF_CGROUP_UNIX_CONNECT (the section names an older type libbpf 1.1 knows). */
SEC("cgroup/connect4")
int enforce_connect_unix(struct bpf_sock_addr *ctx)
{
	return unix_ctx_verdict(ctx, DENY_CONNECT);
}

/* Loaded with the expected attach type BPF_CGROUP_UNIX_SENDMSG. */
SEC("cgroup/sendmsg4")
int enforce_sendmsg_unix(struct bpf_sock_addr *ctx)
{
	return unix_ctx_verdict(ctx, DENY_SENDMSG);
}

/*
 * Kernels without those cgroup hooks (before 6.7) but with BPF LSM active (Debian 12's 6.1): the same verdict from
 * the LSM hooks, which see the kernel's copy of the address before the protocol does. Only a unix socket's calls
 * are judged; an address of another family on one is the protocol's to refuse (EINVAL) or take as a disconnect.
 */
static __always_inline int unix_lsm_verdict(struct socket *sock, __u64 addr, int n, __u16 op)
{
	__u16 family = 0;

	/* Shorter than a family: sendto() with an address of length 0 leaves msg_name at an unset buffer, and the
	 * kernel ignores it (or, for 1 byte, refuses it with EINVAL). */
	if (!addr || n < SUN_PATH_OFF || BPF_CORE_READ(sock, sk, __sk_common.skc_family) != AF_UNIX ||
	    bpf_probe_read_kernel(&family, sizeof(family), (void *)addr) || family != AF_UNIX)
		return 0;
	return unix_verdict(addr, n, op) ? 0 : -EPERM;
}

SEC("lsm/socket_connect")
int BPF_PROG(enforce_lsm_connect_unix, struct socket *sock, struct sockaddr *address, int addrlen)
{
	return unix_lsm_verdict(sock, kaddr(&address), addrlen, DENY_CONNECT);
}

/* A send with an address (msg_name, the kernel's copy); a send on a connected socket was judged at its connect. */
SEC("lsm/socket_sendmsg")
int BPF_PROG(enforce_lsm_sendmsg_unix, struct socket *sock, struct msghdr *msg, int size)
{
	return unix_lsm_verdict(sock, (__u64)BPF_CORE_READ(msg, msg_name), BPF_CORE_READ(msg, msg_namelen),
				DENY_SENDMSG);
}
