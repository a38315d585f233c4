/* unpoliced.c: spots MCP servers running without mcpwarden between them and their client; alerts or kills. */
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/report/publish.h"
#include "daemon/servers/mcp_argv.h"
#include "daemon/servers/procfs.h"
#include "daemon/servers/unpoliced.h"
#include "discover/procs.h"

/* Bounds that keep the event within a slot of the recent events (RECENT_SLOT). */
#define MAX_PARENTS	8
#define MAX_ARG_CHARS	160

/* Generations looked at for a shim above a process. */
#define MAX_ANCESTORS	64

/* Generations between a package runner (npx, uvx) and the server it starts: npx, sh -c, node. */
#define RUNNER_DEPTH	3

/* Whether `p`'s arguments name MCP, or it was started by a runner of an MCP package. */
static bool looks_like_mcp(struct daemon *d, const struct proc *p)
{
	if (p->mcp_argv & MCP_ARGV_NAME)
		return true;
	for (int depth = 0; depth < RUNNER_DEPTH && p->ppid > 1; depth++) {
		p = proctable_find_pid(&d->procs, p->ppid);
		if (!p)
			break;
		if (p->mcp_argv == (MCP_ARGV_RUNNER | MCP_ARGV_NAME))
			return true;
	}
	return false;
}

static const char *kill_unpoliced(pid_t pid)
{
	int fd = syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0) {
		log_warn("unpoliced server pid %d: pidfd_open", pid);
		return "kill_failed";
	}
	if (syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0)) {
		log_warn("unpoliced server pid %d: pidfd_send_signal SIGKILL", pid);
		close(fd);
		return "kill_failed";
	}
	close(fd);
	return "killed";
}

/* {pid, comm, exe} of a process: the table's names, else its argv[0] from /proc. */
static cJSON *proc_json(struct daemon *d, const struct proc_list *l, pid_t pid)
{
	const struct proc *p = proctable_find_pid(&d->procs, pid);
	const struct proc_info *pi = procs_find(l, pid);
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "pid", pid);
	cJSON_AddStringToObject(o, "comm", p ? p->comm : "");
	cJSON_AddStringToObject(o, "exe", p && p->exe[0] ? p->exe : pi && pi->argc ? pi->argv[0] : "");
	return o;
}

/* The event: the process, its argv from /proc, and its ancestors nearest first. */
static cJSON *server_json(struct daemon *d, const struct proc_list *l, const struct ev_hdr *h,
			 const struct proc *p, const char *signal)
{
	const struct proc_info *pi = procs_find(l, p->pid);
	cJSON *o = cJSON_CreateObject(), *argv, *parents;
	pid_t ppid = p->ppid;

	cJSON_AddStringToObject(o, "type", "unpoliced_server");
	cJSON_AddNumberToObject(o, "ts", h->ts_ns);
	cJSON_AddNumberToObject(o, "pid", p->pid);
	cJSON_AddNumberToObject(o, "start_time", p->start_time);
	cJSON_AddStringToObject(o, "comm", p->comm);
	cJSON_AddStringToObject(o, "exe", p->exe);
	cJSON_AddStringToObject(o, "signal", signal);
	argv = cJSON_AddArrayToObject(o, "argv");
	parents = cJSON_AddArrayToObject(o, "parents");
	for (size_t i = 0; argv && pi && i < pi->argc && i < EV_MAX_ARGS; i++) {
		char arg[MAX_ARG_CHARS + 1];

		snprintf(arg, sizeof(arg), "%s", pi->argv[i]);
		cJSON_AddItemToArray(argv, cJSON_CreateString(arg));
	}
	for (int n = 0; parents && ppid > 0 && n < MAX_PARENTS; n++) {
		const struct proc_info *pp = procs_find(l, ppid);

		cJSON_AddItemToArray(parents, proc_json(d, l, ppid));
		ppid = pp ? pp->ppid : 0;
	}
	return o;
}

/* Whether the daemon's own registrations police the record's process: it is in a server's tree or cgroup. */
static bool registered(struct daemon *d, const struct ev_hdr *h, const struct proc *p)
{
	if (h->server_id || p->server_id)
		return true;
	for (const struct server *s = d->servers; s; s = s->next)
		if (s->cgroup[0] && s->cgid == h->cgroup_id)
			return true;
	return false;
}

/* Whether `pid` is a shim or runs below one. A shim is known by the file it runs, the mcpwarden executable,
 * never by its argv: any program can say "mcpwarden run" there. */
static bool below_shim(const struct proc_list *l, pid_t pid)
{
	const struct proc_info *pi;

	for (int depth = 0; pid > 1 && depth < MAX_ANCESTORS; depth++) {
		if (procfs_runs_own_exe(pid))
			return true;
		pi = procs_find(l, pid);
		pid = pi ? pi->ppid : 0;
	}
	return false;
}

/* Decides once per process: policed when in a server's tree or cgroup, or below a shim; else reports. */
static void check(struct daemon *d, const struct ev_hdr *h, struct proc *p, const char *signal)
{
	struct proc_list l;
	cJSON *o;

	if (p->unpoliced_checked)
		return;
	p->unpoliced_checked = true;
	if (registered(d, h, p) || procs_snapshot(&l))
		return;
	if (below_shim(&l, p->pid)) {
		procs_free(&l);
		return;
	}
	o = server_json(d, &l, h, p, signal);
	procs_free(&l);
	if (!o) {
		log_warnx("unpoliced server pid %u: out of memory", p->pid);
		return;
	}
	cJSON_AddStringToObject(o, "action", d->o.unpoliced_kill ? kill_unpoliced(p->pid) : "alert");
	log_warnx("unpoliced MCP server: pid %u (%s), signal %s", p->pid, p->comm, signal);
	publish_event(d, AUDIT_UNPOLICED_SERVER, o, 0, p->uid);
}

void unpoliced_check(struct daemon *d, const struct ev_hdr *h, struct proc *p)
{
	const struct ev_exec *e = (const struct ev_exec *)h;
	const struct ev_net *n = (const struct ev_net *)h;

	if (!p)
		return;
	switch (h->type) {
	case EV_EXEC:
		p->mcp_argv = mcp_argv_hint(e->args, e->args_len < EV_ARGS_LEN ? e->args_len : EV_ARGS_LEN);
		if (p->mcp_argv == (MCP_ARGV_RUNNER | MCP_ARGV_NAME))
			check(d, h, p, "argv");
		break;
	case EV_MCP_STDOUT:
		check(d, h, p, "protocol");
		break;
	case EV_NET:
		if (n->op == NET_LISTEN && !n->result && looks_like_mcp(d, p))
			check(d, h, p, "listen");
		break;
	}
}
