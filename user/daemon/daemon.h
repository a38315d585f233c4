/* daemon.h: state of `mcpwarden daemon`: the sensor, the process table, the control socket. */
#ifndef MCPWARDEN_DAEMON_H
#define MCPWARDEN_DAEMON_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <cJSON.h>

#include "common/strq.h"
#include "daemon/ctl_server.h"
#include "daemon/proctable.h"
#include "daemon/sensor.h"
#include "daemon/servers.h"
#include "events.h"

#define DAEMON_RECENT		1024	/* events kept for `mcpwarden events` without --follow */
#define DAEMON_MAX_TRACK	64

struct daemon_opts {
	const char *socket_path;
	bool trace_all;
	pid_t track[DAEMON_MAX_TRACK];	/* --track-pid: server roots, ids 1, 2, ... */
	unsigned ntrack;
};

struct daemon {
	struct daemon_opts o;
	struct sensor sensor;
	struct proctable procs;
	struct ctl_server ctl;
	struct strq recent;		/* JSON text of the latest events */
	struct server *servers;
	int epfd, sigfd;
	bool stop;
	uint32_t next_server_id;
	uint64_t counts[EV_TYPE_MAX];	/* records received, by type */
	uint64_t bad_records;		/* records that failed event_check */
	bool lsm_ok;
	char lsm_why[128];
	char cgroup2[PATH_MAX];		/* empty when there is no cgroup v2 mount */
	bool mounted_tracefs, mounted_bpffs;
};

int daemon_run(const struct daemon_opts *o);
/* Ring buffer callback (records.c): table, counters, recent events, subscribers. */
int daemon_on_record(void *ctx, void *data, size_t size);
/* Tracks `pid` as the root of server `server_id` (0: pick one), registered by peer `owner` (0: an admin).
 * Returns the id, or 0 with `why` set. */
uint32_t daemon_track(struct daemon *d, pid_t pid, uint32_t server_id, pid_t owner, const char *name,
		      const char **why);
/* Adds (start) or removes a call in server `id`'s active set, which processes it forks inherit. 0, or -1 and `why`. */
int daemon_call(struct daemon *d, uint32_t id, uint64_t call, bool start, const char **why);
/* Serves one request message from a peer (requests.c). -1: drop the peer. */
int daemon_request(struct daemon *d, struct ctl_client *c, const char *msg, size_t len);
/* The `status` reply body (status_json.c); NULL on OOM. */
cJSON *daemon_status_json(struct daemon *d);

#endif
