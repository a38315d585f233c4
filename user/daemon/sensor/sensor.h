/* sensor.h: the loaded BPF sensor: its skeletons sharing one ring buffer and the lineage map. */
#ifndef MCPWARDEN_SENSOR_H
#define MCPWARDEN_SENSOR_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <bpf/libbpf.h>

#include "daemon/sensor/lineage_budget.h"
#include "daemon/sensor/pins.h"
#include "events.h"

struct sensor {
	struct proc_bpf *proc;
	struct net_bpf *net;
	struct stdout_bpf *out;		/* stdout.bpf.c */
	struct enforce_bpf *enf;	/* enforce.bpf.c: sandbox rules */
#define SENSOR_SOCK_LINKS	6
	struct bpf_link *sock_links[SENSOR_SOCK_LINKS];	/* connect4/6, sendmsg4/6, and where the kernel has
							   them connect_unix and sendmsg_unix, on the cgroup v2 root */
	bool exec_lsm;			/* exec denies return EPERM and forks over max_processes EAGAIN (BPF LSM),
					   rather than the process being killed */
	bool exit_group_dead;		/* the exit tracepoint says when a process's last thread exits (else
					   proc.bpf.c's handle_exit_live works it out) */
	enum sensor_unborn {
		UNBORN_TASK_SIGNAL,	/* bpf_send_signal_task at the fork (6.13+) */
		UNBORN_FIRST_RUN,	/* bpf_send_signal in the child's own schedule_tail (fexit) */
		UNBORN_NONE,		/* neither: only the daemon's kill of the call, after the fact */
	} unborn;			/* how a child is killed before it runs (kill_unborn in sandbox.bpf.h) */
	char unborn_why[160];		/* why UNBORN_NONE, else "ok" */
	bool net_enforce;		/* network rules are enforced (a cgroup v2 mount exists) */
	enum sensor_unix {
		UNIX_NONE,		/* network.unix rules can't be enforced: refused */
		UNIX_CGROUP,		/* cgroup connect_unix and sendmsg_unix on the cgroup v2 root (6.7+) */
		UNIX_LSM,		/* BPF LSM socket_connect and socket_sendmsg (older kernels with BPF LSM) */
	} unix_mode;			/* how network.unix rules are enforced */
	char unix_why[160];		/* why not, or "ok" (unix_probe.h) */
	uint32_t capacity;		/* entries `tracked` was made with (lineage_budget.h) */
	bool prealloc;			/* the per-process maps are allocated whole (kernels before 6.1) */
	struct lineage_limits limits;	/* as written to lineage_limits */
	struct ring_buffer *rb;
	struct pins *pins;		/* where the maps and links are pinned (the daemon's) */
	ring_buffer_sample_fn fn;	/* each record goes to fn(ctx, ...) */
	void *ctx;
};

#define PREALLOC_MAX_CAPACITY	65536	/* the most tracked processes where the maps are allocated whole */

/* Kernel mechanisms sensor_open() leaves unused even where the kernel has them (`daemon --without`). */
#define SENSOR_WITHOUT_SIGNAL_TASK	(1u << 0)	/* bpf_send_signal_task */
#define SENSOR_WITHOUT_GROUP_DEAD	(1u << 1)	/* the exit tracepoint's group_dead argument */

/* Opens, loads and attaches every program, each the one this kernel takes (kernel_btf.h) and `without` leaves;
 * where `pins` (open) holds this generation (pins.h), its maps and links are taken over instead, and the
 * ring buffer's unread records come first; `fn` gets each ring buffer record. `lsm`: BPF LSM loads here; `cgroup2`: the cgroup v2 mount ("" when none: no
 * network enforcement); `capacity`: entries of the lineage map (lineage_capacity()), shared out by
 * lineage_limits_for(). 0 or -1 (logged). */
int sensor_open(struct sensor *s, struct pins *pins, ring_buffer_sample_fn fn, void *ctx, bool lsm,
		unsigned without, const char *cgroup2, uint32_t capacity);
/* Pins every map and link (the task iterator's aside) not pinned yet, so the kernel goes on enforcing after the
 * daemon exits, however it exits. 0 or -1 (logged). */
int sensor_pin(struct sensor *s);
/* The mechanism in force for `s->unborn`, as `status` names it. */
const char *sensor_unborn_name(enum sensor_unborn u);
/* The mechanism in force for `s->unix`, as `status` names it. */
const char *sensor_unix_name(enum sensor_unix u);
/* Reads what an older generation's ring buffer at pin directory `dir` holds, through the same callback (its
 * records are checked as any: another record version counts as bad), at most as many records as it can hold
 * at once: its programs may still write it, as fast as it is read. 0 or -1 (logged). */
int sensor_drain_pinned(struct sensor *s, const char *dir);
/* Frees the sensor; pinned links stay attached (sensor_pin), the others detach. */
void sensor_close(struct sensor *s);
/* What the sample callback returns to stop sensor_consume() after the record it handled. */
#define SENSOR_CONSUME_STOP	(-EAGAIN)
/* Handles the records waiting in the ring buffer, each through the sample callback, until none is left (0) or
 * the callback returns SENSOR_CONSUME_STOP (1: more may wait). -1 on error (logged). */
int sensor_consume(struct sensor *s);
/* Sets the CFG_* flags the programs read. */
int sensor_set_flags(struct sensor *s, __u32 flags);
/* Entries of the lineage map now charged to the shared pool, or -1 (logged). */
int64_t sensor_lineage_shared(struct sensor *s);
/* Removes the reserve counts at 0, so that their places (LINEAGE_RESERVED_SERVERS) go to the servers that fork
 * now; a server's next charge makes its count again. A fork charged between the read and the removal is not
 * given back (its server may then hold one more than its reserve). 0 or -1 (logged). */
int sensor_reserve_tidy(struct sensor *s);
/* Makes `pid` a tracked process (a server root). `flags`: BPF_NOEXIST, or BPF_EXIST to rewrite the entry it
 * read (keeping its charge), which an exit in between has removed (then -1, errno ENOENT, not logged). */
int sensor_track(struct sensor *s, __u32 pid, const struct tracked *t, __u64 flags);
/* Rewrites the lineage entry of `pid` only if it still has one (an exited process is not brought back). */
int sensor_tracked_update(struct sensor *s, __u32 pid, const struct tracked *t);
/* Reads the lineage entry of `pid`. 0, or -1 when it has none (errno ENOENT) or on error (logged). */
int sensor_tracked_get(struct sensor *s, __u32 pid, struct tracked *t);
/* Maps cgroup `cgid` to `server_id`: untracked processes in it become the server's. 0 or -1 (logged). */
int sensor_cgroup_set(struct sensor *s, __u64 cgid, __u32 server_id);
/* Forgets cgroup `cgid` (a missing entry is not an error). 0 or -1 (logged). */
int sensor_cgroup_del(struct sensor *s, __u64 cgid);
/* Sums the per-CPU drop counters into out[type]. */
int sensor_drops(struct sensor *s, uint64_t out[EV_TYPE_MAX]);
/* Sums the per-CPU sensor error counters into out[enum sensor_error]. */
int sensor_errors(struct sensor *s, uint64_t out[SERR_MAX]);
/* Calls `fn` for every entry of the lineage map (entries gone meanwhile are skipped). 0 or -1 (logged). */
int sensor_tracked_each(struct sensor *s, void (*fn)(void *ctx, __u32 pid, const struct tracked *t), void *ctx);
/* Number of entries in the lineage map, or -1. */
long sensor_tracked_count(struct sensor *s);
/* Runs the task iterator: `fn` gets one EV_SEED header per live process. 0 or -1 (logged). */
int sensor_seed(struct sensor *s, void (*fn)(const struct ev_hdr *h, void *ctx), void *ctx);
/* Runs the task iterator on process `pid` alone: its EV_SEED header, as the kernel has it now (its start time
 * is task->start_time, the identity the lineage map checks). 0, or -1 with errno: ESRCH (or EINVAL, a thread
 * id) when no such process lives (one whose main thread has exited or is exiting, a zombie among them, counts
 * as gone, as in the seed); any other errno is logged. */
int sensor_task(struct sensor *s, pid_t pid, struct ev_hdr *h);

#endif
