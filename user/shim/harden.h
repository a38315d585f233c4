/* harden.h: what the server's process tree can never do (no_new_privs, capability bounding set, seccomp), and the shim's own guard. */
#ifndef MCPWARDEN_HARDEN_H
#define MCPWARDEN_HARDEN_H

#include <stddef.h>
#include <stdint.h>

#include <seccomp.h>

/*
 * The hardened start (docs/ARCHITECTURE.md §10). Set in the shim's child just
 * before it execs the server, so the server and everything it ever runs inherit
 * it, and nothing in the tree can undo it:
 * - no_new_privs: no setuid, setgid or file capability raises privileges again;
 * - for a root server, its own mount view (shim/mount_view.h): kernel settings
 *   and /sys read-only, a /dev of harmless devices;
 * - no ambient capabilities, for any uid;
 * - a root server loses from its capability bounding set (and inheritable and
 *   ambient sets) what code tools never need: CAP_SYS_PTRACE, CAP_SYS_ADMIN,
 *   CAP_BPF, CAP_PERFMON, CAP_SYS_MODULE, CAP_NET_ADMIN, CAP_NET_RAW and
 *   CAP_SYS_RAWIO, less those the policy keeps (sandbox.capabilities.keep);
 * - a seccomp filter, anchored on Docker's default profile, that fails with
 *   EPERM: ptrace, process_vm_readv/writev, pidfd_getfd, kcmp; bpf,
 *   perf_event_open; the module, kexec, mount and swap families, reboot;
 *   setns, unshare and clone with a namespace flag (clone3, whose flags the
 *   filter can't read, fails with ENOSYS, so libc falls back to clone); the
 *   keyring calls; open_by_handle_at, name_to_handle_at, userfaultfd; io_uring
 *   (its IORING_OP_SOCKET would create sockets past the socket filter); socket
 *   and socketpair of any family but AF_INET, AF_INET6, AF_UNIX and
 *   AF_NETLINK with NETLINK_ROUTE (glibc's resolver), and raw or packet
 *   sockets of the inet families; personality() with READ_IMPLIES_EXEC or
 *   ADDR_NO_RANDOMIZE. The policy adds to the list
 *   (sandbox.syscalls.deny). A syscall of another architecture (32-bit
 *   compat entries) kills the process.
 * The shim itself is made non-dumpable, so a process of its own uid that lacks
 * CAP_SYS_PTRACE can neither ptrace it, nor read or write /proc/PID/mem, nor
 * take its descriptors with pidfd_getfd.
 */
struct harden {
	scmp_filter_ctx filter;
	uint64_t drop_caps;	/* bits by capability number */
};

/* Builds the filter and the capability list in the shim, before the fork. deny and keep are
 * syscall and capability names from the policy (either may be NULL). 0, or -1 with `why`
 * naming the entry ("sandbox.syscalls.deny[2]: no syscall 'frob' on this architecture"). */
int harden_init(struct harden *h, char *const *deny, size_t ndeny, char *const *keep, size_t nkeep,
		char *why, size_t size);
/* In the forked child, last before exec: no_new_privs, capabilities (when root), seccomp.
 * 0, or -1 with errno set. */
int harden_apply(const struct harden *h);
void harden_free(struct harden *h);
/* Makes the calling process (the shim) non-dumpable. 0 or -1 (logged). */
int harden_self(void);

#endif
