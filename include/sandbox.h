/* sandbox.h: the kernel's copy of a policy's sandbox rules: map keys and values shared by enforce.bpf.c and the daemon. */
#ifndef MCPWARDEN_SANDBOX_H
#define MCPWARDEN_SANDBOX_H

#include "events.h"

#define SB_MAX_NET_RULES	16	/* network.allow + network.deny entries per rule set */
#define SB_MAX_RULE_SETS	1024	/* servers plus calls with rules of their own */
#define SB_MAX_EXEC_FILES	16384	/* exec.allow/deny files over every rule set */
#define SB_MAX_UNIX_RULES	16	/* network.unix.allow + network.unix.deny entries per rule set */
#define SB_MAX_UNIX_ENTRIES	(SB_MAX_RULE_SETS * SB_MAX_UNIX_RULES)	/* so no set's entries crowd out another's */

/* A rule set: a server's (call 0), or the tool's of one call of that server. */
struct sb_key {
	__u32 server_id;
	__u32 pad;
	__u64 call;
};

#define SB_EXEC_ALLOWLIST	(1u << 0)	/* exec.allow given: only listed files may run */
#define SB_EGRESS_DENY		(1u << 1)	/* connects and sends not matched by network.allow are refused */
#define SB_EXEC_DENY_ALL	(1u << 2)	/* exec.deny ["*"]: what exec.allow does not list is denied by exec.deny */
#define SB_UNIX_RULES		(1u << 3)	/* network.unix given: a unix address that is neither an absolute
						   canonical path nor an abstract name is refused */
#define SB_UNIX_ALLOWLIST	(1u << 4)	/* network.unix.allow given: only the sockets it lists */

struct sb_net_rule {
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 prefix;		/* bits of addr that must match */
	__u8 allow;		/* 1: network.allow, 0: network.deny */
	__u8 pad;
	__u16 port;		/* host order; 0: any */
	__u16 pad2;
	__u8 addr[16];
};

struct sb_rules {
	__u32 flags;		/* SB_* */
	__u32 max_processes;	/* 0: no limit */
	__u32 nnet;
	__u32 pad;
	struct sb_net_rule net[SB_MAX_NET_RULES];	/* deny entries first: they win */
};

/* An exec.allow/deny file of a rule set, by identity: the kernel's s_dev and inode number. */
struct sb_exec_key {
	struct sb_key set;
	__u64 dev;
	__u64 ino;
};

#define SB_FILE_ALLOW	1
#define SB_FILE_DENY	2

/*
 * A network.unix entry of a rule set (value: SB_FILE_ALLOW or SB_FILE_DENY), by the address as
 * connect(2) and sendmsg(2) name it: an absolute path, or an abstract name written with a leading
 * '@'. An entry ending in '/' (or "@" alone) covers every address that starts with it. The rest of
 * `path` is zero; user/policy/unix_rule.h says which entries are valid.
 */
struct sb_unix_key {
	struct sb_key set;
	char path[EV_UNIX_PATH_LEN];
	__u32 len;		/* an abstract name (not a prefix): its length with the '@', as the kernel
				   compares abstract names, NULs and all; 0 for paths and prefixes */
};

/* Rule sets a process answers to: its server's and one per call it carries (EV_MAX_CALLS). */
#define SB_MAX_SETS		5

/* Processes counted against a rule set with max_processes, keyed by tgid: what their exit gives back. */
struct sb_counted {
	__u32 server_id;
	__u32 nsets;
	__u64 calls[SB_MAX_SETS];	/* call ids whose count holds this process; 0 stands for the server's */
};

_Static_assert(SB_MAX_SETS == EV_MAX_CALLS + 1, "one set per call, plus the server's");
_Static_assert(sizeof(struct sb_rules) == 16 + 24 * SB_MAX_NET_RULES, "sb_rules layout");
_Static_assert(sizeof(struct sb_unix_key) == 16 + EV_UNIX_PATH_LEN + 4, "sb_unix_key layout: no hidden padding");

#endif
