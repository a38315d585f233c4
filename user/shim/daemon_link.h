/* daemon_link.h: the shim's link to `mcpwarden daemon`: registration, attach, call reports. */
#ifndef MCPWARDEN_DAEMON_LINK_H
#define MCPWARDEN_DAEMON_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <cJSON.h>

#include "events.h"

struct daemon_link {
	const char *path;	/* control socket; NULL with --no-daemon */
	const char *name;	/* server name given at registration */
	int fd;			/* -1 while not connected */
	uint64_t server_id;	/* from the last registration; 0 when none */
	int cgroup_fd;		/* the server's cgroup, from the daemon; -1 when none */
	pid_t server_pid;	/* the root process: attached, or started while no daemon was linked (unlinked_root) */
	bool unlinked_root;	/* server_pid started with no daemon linked: what it forked is outside the daemon */
	bool warned;		/* the "no daemon" warning is said once */
	uint64_t retry_ns;	/* next reconnect attempt (CLOCK_MONOTONIC) */
	uint64_t next_call;
	cJSON *sandbox;		/* the policy's server-level sandbox (sandbox_wire_encode), sent at every registration */
	bool ever_linked;	/* a daemon accepted this shim once */
	uint32_t resume_id;	/* the server to take back once the daemon is back (0: none); dlink_close forgets it */
	/* The calls running now, for a resume: [{"call","tool"[,"sandbox"]}] (the caller frees), NULL on OOM. */
	cJSON *(*running)(void *ctx);
	void *running_ctx;
	cJSON *started;		/* {"<call>": {"tool","sandbox"}}: calls started and not ended, for ended_away */
	cJSON *ended_away;	/* [{"call","tool","sandbox","ended":true}]: calls that ended while no daemon was linked,
				   told at the resume (their on_end: kill, their release) */
	unsigned ack_ms;	/* how long a request waits for the daemon's ack before the daemon counts as gone */
	char why[256];		/* why the last registration failed, for messages that must say so */
};

#define DLINK_ACK_MS	10000	/* ack_ms unless --daemon-timeout says otherwise */
#define DLINK_MAX_CALLS	EV_MAX_CALLS	/* calls a server runs at once under the daemon (its root carries each) */

/* ack_ms: the wait for each ack (a busy host's daemon may take seconds). */
void dlink_init(struct daemon_link *l, const char *path, const char *name, unsigned ack_ms);
/* Connects and registers the server; receives its cgroup fd. Without a daemon (or refused),
 * returns -1 with l->why saying why; the warning is the caller's, once. */
int dlink_register(struct daemon_link *l);
/* Marks pid (the shim's child, not yet running the server) as the server's root. */
int dlink_attach(struct daemon_link *l, pid_t pid);
/* Closes the server's cgroup fd, before a server is respawned while no daemon is linked: a cgroup once killed
 * through cgroup.kill kills whatever is cloned into it afterwards (6.18 compares the parent's cgroup's kill count
 * with the target's), so the new server starts in the shim's cgroup (dlink_unlinked_server). */
void dlink_forget_cgroup(struct daemon_link *l);
/* A server started while no daemon is linked: no daemon saw what it forked, so none can vouch for it. Once a
 * daemon answers, dlink_tick returns DLINK_REFUSED and the caller restarts the server under it. */
void dlink_unlinked_server(struct daemon_link *l, pid_t pid);
/* Replaces the server-level sandbox sent at registration and reload (takes it; NULL: none). */
void dlink_set_sandbox(struct daemon_link *l, cJSON *sandbox);
/* Reports a call about to be forwarded, with its tool's sandbox (NULL: none), and waits for the
 * ack, so every process the call forks is attributed to it and under its rules. Returns the call
 * id, or 0 when no daemon is linked or (*refused) when the daemon did not accept the call. */
uint64_t dlink_call_start(struct daemon_link *l, const char *tool, const char *args_sha256, const cJSON *sandbox,
			  bool *refused);
/* outcome: result, error, timeout, cancelled, server_exit...; is_error -1 when unknown. Returns
 * the sandbox violations of the call ([{"rule","what"}], the caller frees), NULL when none. With no daemon
 * linked, the call is kept for the resume (ended_away). */
cJSON *dlink_call_end(struct daemon_link *l, uint64_t call, const char *outcome, int is_error);
/* Has the daemon kill the call's processes (not the server process). 0 when done. */
int dlink_kill_call(struct daemon_link *l, uint64_t call, const char *rule, const char *reason);
/* Has the daemon kill the server's whole cgroup. 0 when done. */
int dlink_kill_server(struct daemon_link *l, const char *rule, const char *reason);
/* A policy reload's outcome (the decision log's record), for the daemon's audit log. */
void dlink_policy_reload(struct daemon_link *l, const cJSON *rec);
/* A call the policy refused, for the daemon's audit log. */
void dlink_call_denied(struct daemon_link *l, const char *tool, const char *args_sha256,
		       const char *rule, const char *reason);
/* The fd to poll for the daemon going away, or -1. */
int dlink_poll_fd(const struct daemon_link *l);
/* The daemon closed the link: forget it and retry later. */
void dlink_lost(struct daemon_link *l, uint64_t now);
enum dlink_back {
	DLINK_AWAY,		/* still no daemon (or nothing to do) */
	DLINK_RESUMED,		/* the daemon took the server back: same id, its calls and rules as the kernel kept them */
	DLINK_FRESH,		/* registered anew (no call was running): a new id */
	DLINK_REFUSED,		/* the daemon would not take the server back while calls run (their rules can't be
				   vouched for), or the server ran with no daemon at all (dlink_unlinked_server):
				   l->why says which, and the caller kills the server, which a respawn restarts
				   under the daemon (not re-attached) */
};
/* Reconnects once the retry time passes: resumes the server (control.h "resume") and re-attaches it. */
enum dlink_back dlink_tick(struct daemon_link *l, uint64_t now);
void dlink_close(struct daemon_link *l);

#endif
