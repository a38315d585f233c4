/* harden.c: the server's hardened start (no_new_privs, capability bounding set, seccomp through libseccomp) and the shim's own guard. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "shim/harden.h"
#include "shim/mount_view.h"

/* Fail with EPERM, as Docker's default profile does. */
static const char *const denied[] = {
	"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
	"bpf", "perf_event_open",
	"init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
	"mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount",
	"fspick", "mount_setattr", "swapon", "swapoff", "reboot", "acct",
	"setns", "unshare",
	"add_key", "request_key", "keyctl",
	"open_by_handle_at", "name_to_handle_at", "userfaultfd",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	NULL,
};

static const int namespace_flags[] = {
	CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP,
};

static const scmp_datum_t personality_flags[] = { READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE };

static const cap_value_t dropped[] = {
	CAP_SYS_PTRACE, CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON, CAP_SYS_MODULE, CAP_NET_ADMIN, CAP_NET_RAW,
	CAP_SYS_RAWIO,
};

#define SOCK_TYPE_MASK	0xf

__attribute__((format(printf, 3, 4)))
static int fail(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -1;
}

static int deny(scmp_filter_ctx f, int nr, unsigned n, const struct scmp_arg_cmp *cmp)
{
	return seccomp_rule_add_array(f, SCMP_ACT_ERRNO(EPERM), nr, n, cmp);
}

static bool family_allowed(int fam)
{
	return fam == AF_UNIX || fam == AF_INET || fam == AF_INET6 || fam == AF_NETLINK;
}

/*
 * socket() and socketpair(): only AF_INET, AF_INET6, AF_UNIX and NETLINK_ROUTE, and no raw or packet inet sockets.
 * Families below AF_NETLINK are denied in aligned blocks ((A0 & ~(n-1)) == first: 0, 3, 4-7, 8-9, 11, 12-15),
 * six rules, not thirteen: each socket() call walks them all. A0 with any of its upper 32 bits set (the kernel
 * reads an int) is above AF_NETLINK, so `beyond` refuses it.
 */
static int socket_rules(scmp_filter_ctx f, int nr)
{
	struct scmp_arg_cmp beyond = SCMP_A0(SCMP_CMP_GT, AF_NETLINK);	/* the highest family allowed */
	struct scmp_arg_cmp nl[2] = { SCMP_A0(SCMP_CMP_EQ, AF_NETLINK), SCMP_A2(SCMP_CMP_NE, NETLINK_ROUTE) };

	for (int fam = 0, n; fam < AF_NETLINK; fam += n) {
		struct scmp_arg_cmp a0;

		n = 1;
		if (family_allowed(fam))
			continue;
		/* The largest aligned block from fam that holds only denied families. */
		for (bool ok = true; ok && fam % (2 * n) == 0 && fam + 2 * n <= AF_NETLINK; ) {
			for (int i = fam + n; i < fam + 2 * n; i++)
				ok = ok && !family_allowed(i);
			if (ok)
				n *= 2;
		}
		a0 = (struct scmp_arg_cmp)SCMP_A0(SCMP_CMP_MASKED_EQ, ~(scmp_datum_t)(n - 1), (scmp_datum_t)fam);
		if (deny(f, nr, 1, &a0))
			return -1;
	}
	if (deny(f, nr, 1, &beyond) || deny(f, nr, 2, nl))
		return -1;
	for (int fam = 0; fam < 2; fam++) {
		scmp_datum_t af = fam ? AF_INET6 : AF_INET;
		struct scmp_arg_cmp raw[2] = { SCMP_A0(SCMP_CMP_EQ, af), SCMP_A1(SCMP_CMP_MASKED_EQ, SOCK_TYPE_MASK, SOCK_RAW) };
		struct scmp_arg_cmp pkt[2] = { SCMP_A0(SCMP_CMP_EQ, af),
					       SCMP_A1(SCMP_CMP_MASKED_EQ, SOCK_TYPE_MASK, SOCK_PACKET) };

		if (deny(f, nr, 2, raw) || deny(f, nr, 2, pkt))
			return -1;
	}
	return 0;
}

static int baseline(scmp_filter_ctx f)
{
	for (size_t i = 0; denied[i]; i++) {
		int nr = seccomp_syscall_resolve_name(denied[i]);

		if (nr != __NR_SCMP_ERROR && deny(f, nr, 0, NULL))
			return -1;
	}
	for (size_t i = 0; i < sizeof(namespace_flags) / sizeof(namespace_flags[0]); i++) {
		struct scmp_arg_cmp a0 = SCMP_A0(SCMP_CMP_MASKED_EQ, (scmp_datum_t)namespace_flags[i],
						 (scmp_datum_t)namespace_flags[i]);

		if (deny(f, SCMP_SYS(clone), 1, &a0))
			return -1;
	}
	if (seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0))
		return -1;
	/* personality(): not READ_IMPLIES_EXEC nor ADDR_NO_RANDOMIZE, which would ease exploits (Docker allows a few values). */
	for (size_t i = 0; i < sizeof(personality_flags) / sizeof(personality_flags[0]); i++) {
		struct scmp_arg_cmp a0 = SCMP_A0(SCMP_CMP_MASKED_EQ, personality_flags[i], personality_flags[i]);

		if (deny(f, SCMP_SYS(personality), 1, &a0))
			return -1;
	}
	return socket_rules(f, SCMP_SYS(socket)) || socket_rules(f, SCMP_SYS(socketpair)) ? -1 : 0;
}

int harden_init(struct harden *h, char *const *deny_names, size_t ndeny, char *const *keep, size_t nkeep,
		char *why, size_t size)
{
	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
		h->drop_caps |= 1ull << dropped[i];
	for (size_t i = 0; i < nkeep; i++) {
		cap_value_t cap;

		if (cap_from_name(keep[i], &cap) || cap < 0 || cap >= 64)
			return fail(why, size, "sandbox.capabilities.keep[%zu]: no capability '%s'", i, keep[i]);
		h->drop_caps &= ~(1ull << cap);
	}
	h->filter = seccomp_init(SCMP_ACT_ALLOW);
	if (!h->filter)
		return fail(why, size, "seccomp_init: out of memory");
	/* A binary tree of syscall numbers: every syscall of the tree pays log(n) checks, not n. */
	seccomp_attr_set(h->filter, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (baseline(h->filter)) {
		harden_free(h);
		return fail(why, size, "seccomp: the baseline filter could not be built");
	}
	for (size_t i = 0; i < ndeny; i++) {
		int nr = seccomp_syscall_resolve_name(deny_names[i]);

		if (nr == __NR_SCMP_ERROR) {
			harden_free(h);
			return fail(why, size, "sandbox.syscalls.deny[%zu]: no syscall '%s' on this architecture", i,
				    deny_names[i]);
		}
		if (deny(h->filter, nr, 0, NULL)) {
			harden_free(h);
			return fail(why, size, "sandbox.syscalls.deny[%zu]: '%s' can't be added to the filter", i,
				    deny_names[i]);
		}
	}
	return 0;
}

/* The ambient set is emptied; for a root server the dropped capabilities also leave the bounding and inheritable
 * sets, so no exec gets them back. */
static int drop_caps(uint64_t drop)
{
	cap_t caps;
	int rc = 0;

	/* Ambient capabilities would survive exec for any uid: none go through. */
	if (cap_reset_ambient() && errno != EINVAL)
		return -1;
	if (geteuid() != 0 || !drop)
		return 0;
	caps = cap_get_proc();
	if (!caps)
		return -1;
	for (cap_value_t c = 0; c < 64 && !rc; c++) {
		if (!(drop & (1ull << c)) || !CAP_IS_SUPPORTED(c))
			continue;
		if (cap_drop_bound(c) || cap_set_flag(caps, CAP_INHERITABLE, 1, &c, CAP_CLEAR))
			rc = -1;
	}
	if (!rc && cap_set_proc(caps))
		rc = -1;
	cap_free(caps);
	return rc;
}

int harden_apply(const struct harden *h)
{
	int rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || (geteuid() == 0 && mount_view_apply()) || drop_caps(h->drop_caps))
		return -1;
	if ((rc = seccomp_load(h->filter))) {
		errno = -rc;
		return -1;
	}
	return 0;
}

void harden_free(struct harden *h)
{
	if (h->filter)
		seccomp_release(h->filter);
	h->filter = NULL;
}

int harden_self(void)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		log_warn("prctl(PR_SET_DUMPABLE, 0)");
		return -1;
	}
	return 0;
}
