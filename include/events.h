/* events.h: fixed-layout, versioned records the BPF sensor writes to the ring buffer, and its shared maps' values. */
#ifndef MCPWARDEN_EVENTS_H
#define MCPWARDEN_EVENTS_H

/* BPF objects include vmlinux.h, which defines the kernel's __u8..__u64; userspace takes them from linux/types.h. */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define EV_VERSION		5	/* bumped whenever a record below changes layout or a type is added */
#define EV_MAX_CALLS		4	/* active call ids carried per process */
#define EV_FILENAME_LEN		256
#define EV_ARGS_LEN		256	/* argv bytes, NUL-separated, as in /proc/PID/cmdline */
#define EV_MAX_ARGS		8	/* userspace shows at most this many arguments */
#define EV_COMM_LEN		16
#define EV_UNIX_PATH_LEN	108	/* sizeof(sun_path) */

/* Record types; also the index of each type's per-CPU drop counter. */
enum ev_type {
	EV_EXEC = 1,
	EV_FORK,
	EV_EXIT,
	EV_NET,
	EV_SOCK_STATE,
	EV_SEED,		/* a process alive at startup (task iterator, not the ring buffer); a bare ev_hdr */
	EV_MCP_STDOUT,		/* a new process wrote an MCP server's reply to its stdout */
	EV_DENY,		/* a sandbox rule stopped an exec, a connect, a send or a fork (enforce.bpf.c) */
	EV_TYPE_MAX,		/* size of the drop-counter array */
};

/* Socket operations reported by EV_NET. */
enum ev_net_op {
	NET_CONNECT = 1,
	NET_BIND,
	NET_LISTEN,
	NET_ACCEPT,
	NET_SENDTO,
	NET_SENDMSG,
	NET_SENDMMSG,		/* one record per message that names a destination, the first SENDMMSG_REPORTED */
	NET_SEND_HOOKED,	/* a UDP send with a destination that no syscall tracepoint sees (io_uring, a 32-bit
				   process), recorded by the cgroup sendmsg4/6 hook as it let it through: before
				   the send, so fd is -1 and result 0 */
};

/* What an EV_MCP_STDOUT write contained. */
enum mcp_reply {
	MCP_INITIALIZE = 1,	/* "protocolVersion" and "serverInfo": an initialize result */
	MCP_TOOLS_LIST,		/* "tools" and "inputSchema": a tools/list result */
};

/* Writes to its stdout (fd 1 at exec) inspected per program; bytes inspected per write. */
#define EV_STDOUT_WRITES	4
#define EV_STDOUT_SCAN		512

/* sendmmsg(2) messages reported per call; the rest are counted (SERR_NET_UNREPORTED). */
#define SENDMMSG_REPORTED	8

/* Indexes of the per-CPU `sensor_errors` counters: losses that are not ring buffer drops. */
enum sensor_error {
	SERR_TRACKED_FULL,	/* a new process or call-carrying thread could not be given its whole lineage
				   (`tracked` or `thread_calls` full, or more than EV_MAX_CALLS calls): it was killed */
	SERR_DENY_SUPPRESSED,	/* deny records beyond a process's budget (the denial itself still held) */
	SERR_NET_UNREPORTED,	/* socket records not made: no storage for a socket's owner, or sendmmsg messages
				   past the first SENDMMSG_REPORTED when those named destinations */
	SERR_CALLS_UNREPORTED,	/* records of a thread that carried more calls (its own and its process's) than
				   EV_MAX_CALLS: the rest were left out of the record (the rules of all still held) */
	SERR_UNBORN_UNMARKED,	/* a child to kill at its first run could not be marked (no memory for its task
				   storage, on kernels without bpf_send_signal_task): the daemon kills it when
				   the deny record reaches it */
	SERR_EXIT_UNCLAIMED,	/* a process's death could not be claimed by one thread (exit_claims full, on
				   kernels whose exit tracepoint has no group_dead): it may have two exit records */
	SERR_SIGNAL_FAILED,	/* a SIGKILL the kernel would not send (bpf_send_signal and bpf_send_signal_task can
				   fail with EBUSY or EPERM): the deny record asked the daemon to kill instead */
	SERR_LINEAGE_BUDGET,	/* a fork found its server's reserve and the shared pool of `tracked` spent
				   (lineage_charge): the child was killed, the server's and only its */
	SERR_MAX,
};

/*
 * Room in `tracked`, in the one-entry `lineage_limits` array map, written by userspace at load
 * (lineage_budget.h): each of up to LINEAGE_RESERVED_SERVERS servers may make `reserve` entries
 * whatever the others do, and all servers together `shared_limit` more, counted in `lineage_shared`.
 */
#define LINEAGE_RESERVED_SERVERS	128
struct lineage_limits {
	__u32 reserve;
	__u32 shared_limit;
};

/* Daemon-wide switches, in the one-entry `sensor_config` array map. */
#define CFG_TRACE_ALL	(1u << 0)	/* network events from every process, not only tracked ones */
#define CFG_UNBORN_RUN	(1u << 1)	/* proc.bpf.c's unborn_run is attached: kill_unborn may mark children */
#define CFG_NO_SIGNAL_TASK (1u << 2)	/* kill_unborn leaves bpf_send_signal_task unused (daemon --without) */
#define CFG_FAIL_SIGNALS (1u << 3)	/* test only (daemon --fail-signals): every kill the BPF side would send
					   fails, as when the kernel refuses it, so the daemon's kill is seen to hold */

/* What a `tracked` entry was charged to (lineage.bpf.h, lineage_charge), given back when the entry goes. */
enum tracked_charge {
	TRACKED_UNCHARGED,	/* written by userspace (a root), or placed by its cgroup: within the margin */
	TRACKED_RESERVE,	/* made by a fork, within its server's reserve */
	TRACKED_SHARED,		/* made by a fork, from the pool all servers share */
};

/* tracked.flags */
#define TRACKED_F_BASE	(1u << 0)	/* a server's own process (its root: tracked by userspace, or placed by its
					   cgroup; or forked by one while it carried no call), whose calls are
					   granted at call_start, not inherited */

/* Value of the `tracked` hash map, keyed by tgid: the process belongs to a server. */
struct tracked {
	__u64 start_time;		/* task->start_time of the process; 0 when userspace did not know it */
	__u32 server_id;
	__u32 ncalls;			/* 32 bits: Linux 6.1's verifier loses the bounds of a 16-bit count */
	__u64 calls[EV_MAX_CALLS];	/* calls active in the server when this process was forked */
	__u32 charge_server;		/* whose reserve or pool its entry was charged to (it may have moved since) */
	__u32 charge;			/* enum tracked_charge: set by BPF, swapped to TRACKED_UNCHARGED by whoever gives
					   it back; userspace writes TRACKED_UNCHARGED or keeps what it read */
	__u32 flags;			/* TRACKED_F_* */
	__u32 pad;
};

/* Common header: which process the record is about, and whose server and calls it belongs to. */
struct ev_hdr {
	__u16 type;			/* enum ev_type */
	__u16 version;			/* EV_VERSION */
	__u32 size;			/* bytes of the whole record */
	__u64 ts_ns;			/* bpf_ktime_get_ns() */
	__u32 pid;			/* tgid */
	__u32 tid;			/* thread that acted */
	__u32 ppid;			/* tgid of the real parent */
	__u32 uid;
	__u64 start_time;		/* the process's task->start_time: (pid, start_time) is its identity */
	__u64 cgroup_id;		/* cgroup v2 id */
	__u32 server_id;		/* 0: not tracked */
	__u32 ncalls;
	__u64 calls[EV_MAX_CALLS];
	char comm[EV_COMM_LEN];
};

struct ev_exec {
	struct ev_hdr h;
	__u32 old_tid;			/* the thread that called execve (differs from pid when not the leader) */
	__u32 argc;
	__u32 args_len;			/* valid bytes in args */
	__u32 args_truncated;		/* the kernel held more argument bytes than args */
	char filename[EV_FILENAME_LEN];
	char args[EV_ARGS_LEN];
};

/* The header is the child; the parent is h.ppid. */
struct ev_fork {
	struct ev_hdr h;
	__u64 parent_start_time;
};

/* Sent once per process, when its last thread exits. */
struct ev_exit {
	struct ev_hdr h;
	__u32 exit_code;		/* wait(2) status: code << 8 | signal */
	__u32 pad;
};

struct ev_addr {
	__u16 family;			/* AF_INET, AF_INET6, AF_UNIX; 0 when none was given */
	__u16 port;			/* host order */
	__u32 pad;
	__u8 addr[16];			/* IPv4 in the first 4 bytes */
	char path[EV_UNIX_PATH_LEN];	/* AF_UNIX; an abstract name starts with '@' */
};

struct ev_net {
	struct ev_hdr h;
	__u16 op;			/* enum ev_net_op */
	__u16 pad;
	__s32 fd;
	__s64 result;			/* syscall return: 0/fd/bytes, or -errno */
	struct ev_addr addr;		/* peer (connect, sendto, sendmsg, accept) or local (bind) */
	__u32 pad2;
};

/* tp/sock/inet_sock_set_state, seen in the context of a tracked process. */
struct ev_sock_state {
	struct ev_hdr h;
	__s32 oldstate;			/* TCP_* */
	__s32 newstate;
	__u16 family;
	__u16 protocol;
	__u16 sport;
	__u16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
};

struct ev_mcp_stdout {
	struct ev_hdr h;
	__u32 reply;			/* enum mcp_reply */
	__u32 fd;			/* where the stdout from exec was written: 1 unless it was dup'd away */
};

/* What an EV_DENY stopped, and which kind of rule did. */
enum deny_op {
	DENY_EXEC = 1,		/* killed with SIGKILL before the new image ran (or EPERM under BPF LSM) */
	DENY_CONNECT,		/* connect(2), io_uring connect: EPERM */
	DENY_SENDMSG,		/* sendto/sendmsg with a destination: EPERM */
	DENY_FORK,		/* the new process was killed before it ran */
	DENY_PTRACE,		/* ptrace attach, /proc/PID/mem, process_vm_*, pidfd_getfd of another process: EPERM
				   (BPF LSM); `limit` holds the target's tgid */
};

enum deny_rule {
	DR_EXEC_DENY = 1,	/* exec.deny lists the file */
	DR_EXEC_ALLOW,		/* exec.allow does not list it */
	DR_NET_DENY,		/* network.deny matches the address */
	DR_NET_EGRESS,		/* no network.allow entry matches and egress is deny */
	DR_MAX_PROCESSES,	/* max_processes reached */
	DR_UNIX_DENY,		/* network.unix.deny matches the unix address */
	DR_UNIX_ALLOW,		/* network.unix.allow does not list it */
	DR_UNIX_UNCLEAR,	/* the set has network.unix rules, and the address is relative or not canonical */
	DR_LINEAGE_LOST,	/* a new process, or thread, whose calls could not all be kept (lineage_lost) */
	DR_UNIX_FILE,		/* network.unix.deny names the socket file a connect reached by another name */
	DR_LINEAGE_BUDGET,	/* a new process whose server's reserve and the shared pool of `tracked` were spent */
	DR_CALL_ISOLATION,	/* a process acting for a call reached into one that does not carry that call */
};

/* ev_deny flags. */
#define DENY_F_DAEMON_KILL	(1u << 0)	/* a process the kernel could not kill (no way to signal it there, or
						   the signal failed): the daemon kills it from this record */

struct ev_deny {
	struct ev_hdr h;
	__u16 op;			/* enum deny_op */
	__u16 rule;			/* enum deny_rule */
	__u16 protocol;			/* IPPROTO_* of a connect or send */
	__u16 lsm;			/* 1: refused with EPERM by BPF LSM, not killed */
	__u64 call;			/* whose rules: 0 the server's, else that call's tool's */
	__u32 limit;			/* max_processes */
	__u32 flags;			/* DENY_F_* */
	struct ev_addr addr;		/* connect, send */
	char filename[EV_FILENAME_LEN];	/* exec: the path given to execve */
};

/* The layout is an ABI between the BPF objects and userspace: any change bumps EV_VERSION and these. */
_Static_assert(sizeof(struct ev_hdr) == 104, "ev_hdr layout");
_Static_assert(sizeof(struct ev_exec) == 632, "ev_exec layout");
_Static_assert(sizeof(struct ev_fork) == 112, "ev_fork layout");
_Static_assert(sizeof(struct ev_exit) == 112, "ev_exit layout");
_Static_assert(sizeof(struct ev_net) == 256, "ev_net layout");
_Static_assert(sizeof(struct ev_sock_state) == 152, "ev_sock_state layout");
_Static_assert(sizeof(struct ev_mcp_stdout) == 112, "ev_mcp_stdout layout");
_Static_assert(sizeof(struct ev_deny) == 520, "ev_deny layout");
_Static_assert(sizeof(struct tracked) == 64, "tracked layout");
_Static_assert(sizeof(struct lineage_limits) == 8, "lineage_limits layout");

#endif
