// SPDX-License-Identifier: GPL-2.0
/* stdout.bpf.c: the first writes of each new program to the stdout it was started with, scanned for an MCP server's replies. */
#include "lineage.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * A stdio MCP server answers `initialize` on its stdout, usually in its first
 * write there. Each exec grants the process EV_STDOUT_WRITES inspections of
 * the file its fd 1 held then (`stdout_budget`, set by proc.bpf.c), wherever
 * that file is later: servers dup it away and point fd 1 at stderr so that
 * stray prints cannot corrupt the stream. Each write(2)/writev(2) to it spends
 * one inspection and copies at most EV_STDOUT_SCAN bytes. Every other write
 * costs one hash lookup, and a file lookup when its process has inspections left.
 * Only a pipe or a socket counts: a stdio server's stdout leads to its client,
 * while a client saving replies to a file or a terminal is no server.
 * The daemon decides whether the writer is policed.
 */

#define S_IFMT		00170000
#define S_IFSOCK	0140000
#define S_IFIFO		0010000

/* The copied bytes, then zeros so that a key is never matched across the end of the copy. */
struct scan_buf {
	char b[EV_STDOUT_SCAN + 32];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scan_buf);
} stdout_scratch SEC(".maps");

/* Keys found so far, as bits; the scan is a bpf_loop callback so the verifier checks it once. */
enum { K_PROTOCOL = 1, K_SERVERINFO = 2, K_TOOLS = 4, K_INPUTSCHEMA = 8 };

struct scan_ctx {
	struct scan_buf *s;
	__u32 keys;
	__u32 len;
};

static __always_inline bool key_at(const char *p, const char *key, int n)
{
	for (int k = 0; k < n; k++)
		if (p[k] != key[k])
			return false;
	return true;
}

static long scan_at(__u64 i, void *arg)
{
	struct scan_ctx *c = arg;
	const char *p;

	if (i >= c->len || i >= EV_STDOUT_SCAN)
		return 1;
	p = c->s->b + i;
	if (p[0] != '"')
		return 0;
	/* Each key with both quotes: 17 bytes at most, inside the zeroed tail. */
	if (key_at(p, "\"protocolVersion\"", 17))
		c->keys |= K_PROTOCOL;
	else if (key_at(p, "\"serverInfo\"", 12))
		c->keys |= K_SERVERINFO;
	else if (key_at(p, "\"tools\"", 7))
		c->keys |= K_TOOLS;
	else if (key_at(p, "\"inputSchema\"", 13))
		c->keys |= K_INPUTSCHEMA;
	return 0;
}

static __always_inline bool is_channel(struct file *f)
{
	__u32 fmt = BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT;

	return fmt == S_IFIFO || fmt == S_IFSOCK;
}

/* When `fd` is the current program's stdout from exec, spends one inspection and scans `len` bytes at `ubuf`. */
static __always_inline int inspect(__u64 fd, __u64 ubuf, __u64 len)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, zero = 0;
	struct stdout_watch *w = bpf_map_lookup_elem(&stdout_budget, &tgid);
	struct task_struct *task = bpf_get_current_task_btf();
	struct ev_mcp_stdout *e;
	struct tracked scratch;
	struct scan_ctx c = {};
	struct file *f;
	__u32 reply;

	if (!w)
		return 0;
	f = task_fd_file(task, fd);
	if (!f || (__u64)f != w->file)
		return 0;
	if (w->writes <= 1)
		bpf_map_delete_elem(&stdout_budget, &tgid);
	else
		w->writes -= 1;
	if (!is_channel(f))
		return 0;
	c.s = bpf_map_lookup_elem(&stdout_scratch, &zero);
	if (!c.s)
		return 0;
	if (len > EV_STDOUT_SCAN)
		len = EV_STDOUT_SCAN;
	barrier_var(len);
	/* Each stdio message is one JSON object on a line: a reply starts a write with '{'. */
	if (!len || bpf_probe_read_user(c.s->b, len, (void *)ubuf) < 0 || c.s->b[0] != '{')
		return 0;
	for (int k = 0; k < 32; k++)
		c.s->b[len + k] = '\0';
	c.len = len;
	bpf_loop(EV_STDOUT_SCAN, scan_at, &c, 0);
	if ((c.keys & (K_PROTOCOL | K_SERVERINFO)) == (K_PROTOCOL | K_SERVERINFO))
		reply = MCP_INITIALIZE;
	else if ((c.keys & (K_TOOLS | K_INPUTSCHEMA)) == (K_TOOLS | K_INPUTSCHEMA))
		reply = MCP_TOOLS_LIST;
	else
		return 0;
	bpf_map_delete_elem(&stdout_budget, &tgid);	/* one report per process */
	e = event_reserve(sizeof(*e), EV_MCP_STDOUT);
	if (!e)
		return 0;
	fill_hdr(&e->h, EV_MCP_STDOUT, sizeof(*e), task, lineage_peek(task, &scratch));
	e->reply = reply;
	e->fd = fd;
	/* Rare, and the daemon may act on it (--unpoliced=kill): wake it now. */
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	return 0;
}

SEC("tp/syscalls/sys_enter_write")
int enter_write(struct trace_event_raw_sys_enter *ctx)
{
	return inspect(ctx->args[0], ctx->args[1], ctx->args[2]);
}

/* Only the first buffer: a reply is written whole or starts there. */
SEC("tp/syscalls/sys_enter_writev")
int enter_writev(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct iovec iov;

	if (!ctx->args[2] || !bpf_map_lookup_elem(&stdout_budget, &tgid) ||
	    bpf_probe_read_user(&iov, sizeof(iov), (void *)ctx->args[1]) < 0)
		return 0;
	return inspect(ctx->args[0], (__u64)iov.iov_base, iov.iov_len);
}
