/* shim.h: state of one `mcpwarden run`: the relay between an MCP client and its server. */
#ifndef MCPWARDEN_SHIM_H
#define MCPWARDEN_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/decision_log.h"
#include "policy/counters.h"
#include "policy/model.h"
#include "shim/child.h"
#include "shim/daemon_link.h"
#include "shim/held.h"
#include "shim/linebuf.h"
#include "shim/outq.h"
#include "shim/pending.h"
#include "shim/tool_schemas.h"

#define SHIM_DEFAULT_MAX_LINE	(16u << 20)
#define SHIM_QUEUE_HIGH		(8u << 20)	/* stop reading a side whose output backs up */
#define SHIM_TERM_GRACE_MS	2000		/* after stdin closes, then after SIGTERM */
#define SHIM_MAX_RESPAWNS	5		/* restarts of a killed server per minute */
#define SHIM_PING_GRACE_MS	1000		/* after a timeout, a server silent this long is stuck */
#define SHIM_DRAIN_MAX_MS	30000		/* a reload's drain: past this, held calls are refused */
#define SHIM_LATE_REPLY_NS	(60ull * 1000000000ull)	/* a timed-out call's late reply is swallowed this long */

struct shim_opts {
	const char *policy_path;	/* NULL: relay and fail-closed checks only */
	const char *name;
	const char *audit_path;
	const char *socket_path;	/* the daemon's control socket; NULL with --no-daemon */
	bool allow_unsandboxed;		/* --allow-unsandboxed: sandbox rules may go unenforced without a daemon */
	unsigned policy_flags;		/* POLICY_* (policy/load.h): --strict-intercept, at start and every reload */
	unsigned daemon_timeout_ms;	/* --daemon-timeout: the wait for each of the daemon's acks */
	size_t max_line;
	char **argv;
};

struct shim {
	struct shim_opts o;
	struct policy *pol;		/* never NULL: an empty allow-all policy without --policy */
	struct counters *ctr;
	struct child child;
	struct outq to_client, to_server;
	struct linebuf from_client, from_server;
	struct pending_table c2s;	/* client requests awaiting the server */
	struct pending_table s2c;	/* server requests awaiting the client */
	struct held held;		/* client calls waiting for one of the server's DLINK_MAX_CALLS to end */
	uint64_t held_moved_ns;		/* when a call was last held or went on from there */
	bool draining;			/* a reload changed the server-level sandbox while calls ran: new calls are
					   held until those end, when the daemon puts the new rules in */
	uint64_t drain_since_ns;	/* when; after SHIM_DRAIN_MAX_MS, held calls are refused */
	struct tool_schemas schemas;
	struct decision_log log;
	struct daemon_link link;
	bool client_eof, server_eof;
	uint64_t server_gone_ns;	/* when the server was reaped; 0 while it runs */
	int term_stage;			/* 0 running, 1 stdin closed, 2 SIGTERM sent, 3 SIGKILL sent */
	uint64_t term_next_ns;
	unsigned prefetch_seq;
	cJSON *init_request;		/* the client's initialize, replayed after a respawn */
	bool init_notified;		/* ...and whether notifications/initialized followed */
	bool unsandboxed_warned;	/* stderr said once that sandbox rules go unenforced */
	unsigned respawns;		/* in the current minute */
	uint64_t respawn_window_ns;
};

uint64_t now_ns(void);
/* Queues a line the shim made itself (to_client or to_server), then frees it. NULL is an OOM. */
void shim_send(struct shim *s, struct outq *q, char *line);
/* Relays bytes as they came; logs when the queue cannot take them. */
void shim_forward(struct shim *s, struct outq *q, const char *data, size_t n);
/* Relays one line as it came, ending it with a newline if EOF cut it short. */
void shim_forward_line(struct shim *s, struct outq *q, const char *line, size_t len);
bool shim_needs_schemas(const struct shim *s);
/* Asks the server for (a page of) its tool list, for argument validation. */
void shim_prefetch_tools(struct shim *s, const cJSON *cursor);
/* Line callbacks for the two linebufs. */
int shim_client_line(void *ctx, enum linebuf_event ev, const char *line, size_t len);
int shim_server_line(void *ctx, enum linebuf_event ev, const char *line, size_t len);
/* Drops a settled client request, ending its call with the daemon (outcome as in
 * dlink_call_end; is_error -1 when unknown). */
void shim_forget(struct shim *s, struct pending *p, const char *outcome, int is_error);
/* Answers every request still in flight, and every call held, with an error (the server went away). */
void shim_fail_pending(struct shim *s, const char *why);
/* Polices and forwards the held calls, oldest first, while the server may run another (or the daemon is gone). */
void shim_release_held(struct shim *s);
/* After a reload that changed the server-level sandbox: while calls of the daemon's run (the daemon keeps the
 * new server-level rules waiting for them), every call that comes is held, so none starts under the old ones;
 * one that can't be held (in a batch, or with an id too long to keep) is refused, and so is every held one
 * once the running ones have kept the new rules out for SHIM_DRAIN_MAX_MS. */
void shim_drain_for_reload(struct shim *s);
/* Kills the server and all it started without the daemon: its cgroup (cgroup.kill, where this shim may write
 * it), else every process below the shim (shim/descendants.h); `why` goes to stderr and the decision log. The
 * respawn brings the server back. */
void shim_kill_tree(struct shim *s, const char *rule, const char *why);
/* The calls the daemon attributes now, for a resume (daemon_link.h `running`; ctx is the shim). */
cJSON *shim_running_calls(void *ctx);
/* Times out calls whose deadline passed; a call's processes die by the daemon, or with the whole server when
 * the daemon is away (shim_kill_tree). */
void shim_expire_calls(struct shim *s, uint64_t now);
/* Hands the policy's sandbox to the daemon link (sent at registration and reload); without a
 * daemon, warns that it is not enforced. At start and after each reload. */
void shim_link_sandbox(struct shim *s);
/* Whether the policy's server-level sandbox has rules only the daemon can enforce (exec, network,
 * max_processes; not the hardening the shim sets itself, nor max_runtime, which it keeps). */
bool shim_server_sandboxed(const struct shim *s);
/* No daemon enforces sandbox rules `rule` (a policy path: "sandbox", "tools.T.sandbox"; NULL: none
 * apply). Returns true when they block the action (fail closed); false when there are none, or
 * --allow-unsandboxed lets it run without them: then the decision log gets an "unsandboxed" record,
 * each time, and stderr says so once. */
bool shim_unsandboxed(struct shim *s, const char *rule);
/* Reloads the policy: validate, then swap; on error keeps the old one. True when the new one's server-level
 * sandbox differs (the caller then has new calls wait: shim_drain_for_reload). */
bool shim_reload_policy(struct shim *s, const char *trigger);
/* Sends the cached handshake to a respawned server; its replies are not forwarded. */
void shim_replay_handshake(struct shim *s);
/* Runs the whole relay; returns the exit code. */
int shim_run(const struct shim_opts *o);

#endif
