// SPDX-License-Identifier: GPL-2.0
/* enforce.bpf.c: sandbox hooks of their own: egress denies (cgroup sock_addr) and, where BPF LSM loads, exec denies. */
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

/* 0 when rule set `k` lets the destination through, else DR_NET_DENY or DR_NET_EGRESS. */
static __always_inline __u16 net_verdict(const struct sb_key *k, __u8 family, const __u8 *addr, __u16 port)
{
	struct sb_rules *r = bpf_map_lookup_elem(&sb_rules, k);

	if (!r)
		return 0;
	for (int i = 0; i < SB_MAX_NET_RULES; i++) {
		struct sb_net_rule *nr = &r->net[i];

		if (i >= r->nnet)
			break;
		if (nr->family != family || (nr->port && nr->port != port) || !prefix_match(nr->addr, addr, nr->prefix))
			continue;
		return nr->allow ? 0 : DR_NET_DENY;
	}
	return (r->flags & SB_EGRESS_DENY) ? DR_NET_EGRESS : 0;
}

/* 1 (let it through) or 0 (EPERM) for a connect or send to ctx's address by the current process. */
static __always_inline int sock_verdict(struct bpf_sock_addr *ctx, __u16 op, bool v6)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct tracked *t = tracked_lookup(task->tgid), scratch;
	__u8 addr[16] = {}, family = v6 ? AF_INET6 : AF_INET;
	__u16 port = bpf_ntohs((__u16)ctx->user_port), rule = 0;
	struct ev_deny *e;
	struct acting a;
	struct sb_key k;
	__u32 i;

	if (!t)
		return 1;
	a = lineage_acting(task->pid, t, &scratch);
	if (!v6) {	/* the verifier lets each program read only its own family's fields */
		__u32 ip4 = ctx->user_ip4;

		__builtin_memcpy(addr, &ip4, 4);
	} else {
		__u32 ip6[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3] };

		__builtin_memcpy(addr, ip6, 16);
		/* ::ffff:a.b.c.d on a dual-stack socket goes out as IPv4: judge it so. */
		if (!ip6[0] && !ip6[1] && ip6[2] == bpf_htonl(0xffff)) {
			family = AF_INET;
			__builtin_memset(addr, 0, 16);
			__builtin_memcpy(addr, &ip6[3], 4);
		}
	}
	for (i = 0; i < ACTING_MAX_SETS; i++) {
		if (!acting_key(&k, &a, i))
			break;
		rule = net_verdict(&k, family, addr, port);
		if (rule)
			break;
	}
	if (!rule)
		return 1;
	e = deny_event(task, a.rec, op, rule, k.call);
	if (e) {
		e->protocol = ctx->protocol;
		e->addr.family = family;
		e->addr.port = port;
		__builtin_memcpy(e->addr.addr, addr, 16);
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
