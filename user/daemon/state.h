/* state.h: what `mcpwarden daemon` holds: its options, the sensor, the process table, the servers, the control socket, the audit log. */
#ifndef MCPWARDEN_DAEMON_STATE_H
#define MCPWARDEN_DAEMON_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "audit/chain.h"
#include "audit/syslog_fwd.h"
#include "daemon/control/ctl_server.h"
#include "daemon/control/read_rate.h"
#include "daemon/report/recent.h"
#include "daemon/sensor/base_procs.h"
#include "daemon/sensor/handover.h"
#include "daemon/sensor/pins.h"
#include "daemon/sensor/ring.h"
#include "daemon/sensor/sensor.h"
#include "daemon/servers/proctable.h"
#include "daemon/servers/servers.h"
#include "events.h"

#define DAEMON_RECENT		1024	/* events kept for `mcpwarden events` without --follow */
#define DAEMON_MAX_TRACK	64

struct daemon_opts {
	const char *socket_path;
	const char *audit_dir;		/* NULL: no audit log */
	const struct syslog_target *syslog;	/* --syslog: where every audit record goes too; NULL: nowhere */
	long audit_fsync_ms;
	size_t audit_segment_bytes;
	const char *seal_key;		/* the audit log's sealing key file; NULL: not sealed */
	long seal_ms;			/* --seal-interval-ms; 0: AUDIT_SEAL_IDLE_MS */
	bool trace_all;
	bool unpoliced_kill;		/* --unpoliced=kill: SIGKILL unpoliced MCP servers, not only report them */
	bool without_lsm;		/* --without lsm: BPF LSM left unused even where it loads */
	unsigned without;		/* --without signal-task, exit-group-dead: SENSOR_WITHOUT_* */
	bool fail_signals;		/* --fail-signals (test only): the BPF side's kills all fail (CFG_FAIL_SIGNALS) */
	const char *pin_dir;		/* --pin-dir: the pin root (pins.h) */
	uint32_t max_tracked;		/* --max-tracked: entries of the lineage map (0: from the host's limits) */
	pid_t track[DAEMON_MAX_TRACK];	/* --track-pid: server roots, ids 1, 2, ... */
	unsigned ntrack;
};

struct daemon {
	struct daemon_opts o;
	struct pins pins;		/* the pin root, locked while the daemon runs */
	struct handover handover;	/* what the previous daemon left, and the gap */
	struct sensor sensor;
	struct ring ring;		/* the sensor's ring buffer, read in slices */
	struct base_procs base;		/* the servers' own processes, as last walked */
	struct proctable procs;
	struct ctl_server ctl;
	struct read_rate reads;		/* the rate of status, ps and subscribe, by policed server or uid */
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
	bool mounted_tracefs, mounted_bpffs, mounted_securityfs;
	struct audit_log audit;
	bool auditing;
	uint64_t audit_failed;		/* records that could not be written */
	struct syslog_fwd *syslog;	/* with o.syslog, while auditing */
};

#endif
