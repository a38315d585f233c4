/* daemon.h: state of `mcpwarden daemon`: the sensor, the process table, the control socket. */
#ifndef MCPWARDEN_DAEMON_H
#define MCPWARDEN_DAEMON_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <cJSON.h>

#include "audit/chain.h"
#include "audit/kinds.h"
#include "daemon/control/ctl_server.h"
#include "daemon/servers/proctable.h"
#include "daemon/out/recent.h"
#include "daemon/sensor/sensor.h"
#include "daemon/servers/servers.h"
#include "events.h"

#define DAEMON_RECENT		1024	/* events kept for `mcpwarden events` without --follow */
#define DAEMON_MAX_TRACK	64

struct daemon_opts {
	const char *socket_path;
	const char *audit_dir;		/* NULL: no audit log */
	long audit_fsync_ms;
	size_t audit_segment_bytes;
	bool trace_all;
	bool unpoliced_kill;		/* --unpoliced=kill: SIGKILL unpoliced MCP servers, not only report them */
	pid_t track[DAEMON_MAX_TRACK];	/* --track-pid: server roots, ids 1, 2, ... */
	unsigned ntrack;
};

struct daemon {
	struct daemon_opts o;
	struct sensor sensor;
	struct proctable procs;
	struct ctl_server ctl;
	struct recent recent;		/* the latest events */
	struct server *servers;
	int epfd, sigfd, timerfd;
	bool stop;
	uint32_t next_server_id;
	uint64_t counts[EV_TYPE_MAX];	/* records received, by type */
	uint64_t bad_records;		/* records that failed event_check */
	uint64_t drops_seen[EV_TYPE_MAX];	/* drop counters at the last lost_events event */
	bool lsm_ok;
	char lsm_why[128];
	char cgroup2[PATH_MAX];		/* empty when there is no cgroup v2 mount */
	bool mounted_tracefs, mounted_bpffs;
	struct audit_log audit;
	bool auditing;
	uint64_t audit_failed;		/* records that could not be written */
};

int daemon_run(const struct daemon_opts *o);
/* Ring buffer callback (records.c): table, counters, recent events, subscribers. */
int daemon_on_record(void *ctx, void *data, size_t size);
/* Tracks `pid` as the root of server `server_id` (0: pick one), registered by peer `owner` (0: an admin).
 * Returns the id, or 0 with `why` set. */
uint32_t daemon_track(struct daemon *d, pid_t pid, uint32_t server_id, pid_t owner, const char *name,
		      const char **why);
/* Looks for an unpoliced MCP server in a record about table entry `p` (unpoliced.c). */
void daemon_unpoliced(struct daemon *d, const struct ev_hdr *h, struct proc *p);
/* Sends a daemon event's JSON text to followers and keeps it among the recent events; takes ownership. */
void daemon_publish(struct daemon *d, char *line);
/* Publishes a "lost_events" event when the kernel's drop counters grew since the last call (lost_events.c). */
void daemon_report_drops(struct daemon *d);
/* Makes a server owned by peer `owner` (uid `uid`) with its own cgroup, without a process yet
 * (server_cgroups.c). Returns the id and an O_RDONLY fd of the cgroup, or 0 with `why` set. */
uint32_t daemon_register(struct daemon *d, pid_t owner, uid_t uid, const char *name, int *fd, const char **why);
/* The owner's connection closed: its servers stay tracked, their cgroups go once empty. */
void daemon_owner_gone(struct daemon *d, pid_t owner);
/* Removes the empty cgroups of servers whose owner is gone; forgets servers left with nothing. */
void daemon_tidy_cgroups(struct daemon *d);
/* Takes over the server cgroups a previous daemon left, so processes in them stay attributed. 0 or -1. */
int daemon_adopt_cgroups(struct daemon *d);
/* Adds (start) or removes a call in server `id`'s active set, which processes it forks inherit. 0, or -1 and `why`. */
int daemon_call(struct daemon *d, uint32_t id, uint64_t call, bool start, const char **why);
/* Serves one request message from a peer (requests.c). -1: drop the peer. */
int daemon_request(struct daemon *d, struct ctl_client *c, const char *msg, size_t len);
/* The audit log (audit_sink.c): opened from --audit-dir; records are no-ops without it. */
int daemon_audit_open(struct daemon *d);
/* Appends a record of kind (takes rec). */
void daemon_audit(struct daemon *d, enum audit_kind kind, cJSON *rec);
/* Appends an event of a tracked process. */
void daemon_audit_event(struct daemon *d, const struct ev_hdr *h);
/* Batched fsync, from the periodic tick. */
void daemon_audit_tick(struct daemon *d);
void daemon_audit_close(struct daemon *d);
/* Rule sets (server_rules.c): installs `sandbox` as server s's rules (c NULL) or call c's. 0, or -1 and why. */
int daemon_rules_set(struct daemon *d, struct server *s, struct active_call *c, const cJSON *sandbox, char *why,
		     size_t size);
/* Takes server s's own rule set out of the kernel (a reloaded policy without a sandbox). */
void daemon_rules_clear(struct daemon *d, struct server *s);
/* Call end: the violations noted during the call (a JSON array, never NULL but on OOM); its rule set goes
 * once no process of the call is left. */
cJSON *daemon_call_ended(struct daemon *d, struct server *s, uint64_t call);
/* From the tick: drops the rule sets of ended calls whose processes are all gone. */
void daemon_tidy_calls(struct daemon *d);
/* A server is being forgotten: its rule sets leave the kernel (a server_gone_fn). */
void daemon_server_gone(void *ctx, struct server *s);
/* A sandbox denial from the kernel (denials.c). */
void daemon_on_deny(struct daemon *d, const struct ev_deny *e);
/* Kills every process carrying `call` but the server process, the cgroup frozen meanwhile (kill.c). 0 or -1. */
int daemon_kill_call(struct daemon *d, struct server *s, uint64_t call, const char *rule, const char *reason);
/* Kills the server and everything in its cgroup (cgroup.kill). 0 or -1 (logged). */
int daemon_kill_server(struct daemon *d, struct server *s, const char *rule, const char *reason);
/* Handles every record waiting in the ring buffer now. 0 or -1 (logged). */
int daemon_consume(struct daemon *d);
/* The `ps` reply body (ps_json.c): the servers and their tracked processes. */
cJSON *daemon_ps_json(struct daemon *d);
/* The `status` reply body (status_json.c); NULL on OOM. */
cJSON *daemon_status_json(struct daemon *d);

#endif
