/* daemon.c: `mcpwarden daemon`: sets up mounts, the sensor and the control socket, then runs the event loop. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "common/log.h"
#include "common/sched_slice.h"
#include "daemon/calls/call.h"
#include "daemon/calls/enforce.h"
#include "daemon/control/requests.h"
#include "daemon/daemon.h"
#include "daemon/report/audit_sink.h"
#include "daemon/sensor/lost_events.h"
#include "daemon/sensor/lsm_probe.h"
#include "daemon/sensor/mounts.h"
#include "daemon/sensor/handover.h"
#include "daemon/sensor/records.h"
#include "daemon/servers/server_cgroups.h"
#include "daemon/servers/track.h"

/* epoll data.u64 tags of the daemon's own fds; clients carry their struct pointer instead. */
enum { TAG_LISTEN = 1, TAG_RING, TAG_SIGNAL, TAG_TIMER };

#define TICK_MS		100	/* the ring is read (BPF wakes us only in bulk), drops and empty cgroups checked */

static void seed_one(const struct ev_hdr *h, void *ctx)
{
	proctable_update(&((struct daemon *)ctx)->procs, h);
}

static void on_owner_drop(void *ctx, struct ctl_client *c)
{
	server_cgroups_owner_gone(ctx, c->pid);
}

/* The periodic timer: remove emptied cgroups, go on with kills, take out the files of ended rule sets. The loop reads
 * the ring after it, and reports drops once it has read the records the ring held now. */
static void tick(struct daemon *d)
{
	uint64_t n;

	if (read(d->timerfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_warn("timerfd: read");
	server_cgroups_tidy(d);
	call_tidy(d);
	enforce_sweep(&d->sensor);
	sensor_reserve_tidy(&d->sensor);	/* a failure is logged; the next tick tries again */
	audit_sink_tick(d);
	handover_heartbeat(d);
}

static int open_timer(struct daemon *d)
{
	struct itimerspec its = { .it_interval.tv_nsec = TICK_MS * 1000000L, .it_value.tv_nsec = TICK_MS * 1000000L };

	d->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->timerfd < 0 || timerfd_settime(d->timerfd, 0, &its, NULL)) {
		log_warn("timerfd of %d ms", TICK_MS);
		return -1;
	}
	return 0;
}

static int add_fd(struct daemon *d, int fd, uint64_t tag, const char *what)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		log_warn("epoll: watch %s (fd %d)", what, fd);
		return -1;
	}
	return 0;
}

/* Mounts, LSM probe, cgroup v2: what the sensor depends on or reports. */
static int prepare_host(struct daemon *d)
{
	if (mounts_ensure("tracefs", TRACEFS_DIR, &d->mounted_tracefs) ||
	    mounts_ensure("bpf", BPFFS_DIR, &d->mounted_bpffs))
		return -1;
	/* Without securityfs the active LSMs can't be read: BPF LSM then counts as unavailable (lsm_probe says why). */
	if (mounts_ensure("securityfs", SECURITYFS_DIR, &d->mounted_securityfs))
		log_warnx("securityfs on %s: not mounted; BPF LSM will not be used", SECURITYFS_DIR);
	if (mounts_find("cgroup2", d->cgroup2, sizeof(d->cgroup2)))
		d->cgroup2[0] = '\0';
	if (d->o.without_lsm)
		snprintf(d->lsm_why, sizeof(d->lsm_why), "left unused: --without lsm");
	else
		d->lsm_ok = lsm_probe(d->lsm_why, sizeof(d->lsm_why));
	log_warnx("BPF LSM %s (%s): exec denies will use %s, forks over max_processes %s",
		  d->lsm_ok ? "available" : "unavailable", d->lsm_why,
		  d->lsm_ok ? "lsm/bprm_check_security" : "SIGKILL at exec",
		  d->lsm_ok ? "fail with EAGAIN (lsm/task_alloc)" : "are killed before they run");
	return 0;
}

static int setup(struct daemon *d)
{
	char why[200];
	uint32_t capacity;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) || (d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0) {
		log_warn("signalfd for SIGINT, SIGTERM");
		return -1;
	}
	/* Every call_start waits for the loop: it runs soon after each wake. Its threads (the audit log's) inherit it. */
	sched_slice_set(SCHED_SLICE_NS);
	/* A log reader that goes away must not kill the daemon. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		log_warn("ignore SIGPIPE");
		return -1;
	}
	if (prepare_host(d) || proctable_init(&d->procs, 4096) || recent_init(&d->recent, DAEMON_RECENT))
		return -1;
	/* Cgroups left by a previous daemon go in before the seed, whose walk gives their processes lineage entries. */
	if (!(capacity = lineage_capacity(d->o.max_tracked)))
		return -1;
	if (d->o.fail_signals)
		log_warnx("--fail-signals: every kill the BPF side sends is made to fail, for tests only; status says so");
	if (handover_open(d) ||
	    sensor_open(&d->sensor, &d->pins, records_handle, d, d->lsm_ok, d->o.without, d->cgroup2, capacity))
		return -1;
	handover_loaded(d);
	if (d->pins.adopted || d->pins.previous[0])
		enforce_sweep_orphans(&d->sensor);
	if (sensor_set_flags(&d->sensor, (d->o.trace_all ? CFG_TRACE_ALL : 0) |
				      (d->o.fail_signals ? CFG_FAIL_SIGNALS : 0)) ||
	    ring_open(&d->ring, &d->sensor) || server_cgroups_adopt(d) || sensor_seed(&d->sensor, seed_one, d))
		return -1;
	for (unsigned i = 0; i < d->o.ntrack; i++) {
		if (!track_root(d, d->o.track[i], 0, 0, NULL, why, sizeof(why))) {
			log_warnx("--track-pid: %s", why);
			return -1;
		}
	}
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0) {
		log_warn("epoll_create1");
		return -1;
	}
	if (open_timer(d) || add_fd(d, d->timerfd, TAG_TIMER, "timerfd") ||
	    add_fd(d, d->sigfd, TAG_SIGNAL, "signalfd") ||
	    add_fd(d, ring_buffer__epoll_fd(d->sensor.rb), TAG_RING, "ring buffer"))
		return -1;
	if (audit_sink_open(d))
		return -1;
	/* Last: a peer that can connect finds the sensor running. */
	if (ctl_server_open(&d->ctl, d->o.socket_path, d->epfd, TAG_LISTEN))
		return -1;
	d->ctl.on_drop = on_owner_drop;
	d->ctl.ctx = d;
	/* Pinned last: a daemon that could not start leaves the previous generation as it was. */
	if (handover_commit(d))
		return -1;
	log_warnx("ready: %zu processes, %u tracked roots, socket %s", d->procs.count, d->o.ntrack,
		  d->o.socket_path);
	return 0;
}

/*
 * Each round serves whatever is ready, control peers first, then handles one slice of the ring buffer: a control
 * request waits for one slice at most, however many records pile up, and a request that needs the records
 * sent before it reads up to there itself (ring_catch_up). While records may wait, the next round polls
 * rather than sleeps.
 */
static int loop(struct daemon *d)
{
	struct epoll_event evs[32];
	int n, ring = 0;	/* 1: records may wait in the ring */
	bool drops = false;	/* drops are to be reported in-band, after the records sent up to drops_after */
	uint64_t drops_after = 0;

	while (!d->stop) {
		n = epoll_wait(d->epfd, evs, 32, ring ? 0 : -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_warn("epoll_wait");
			return -1;
		}
		for (int i = 0; i < n; i++) {
			switch (evs[i].data.u64) {
			case TAG_SIGNAL:
				d->stop = true;
				break;
			case TAG_TIMER:
				tick(d);
				if (!drops)
					drops_after = ring_sent(&d->ring);
				drops = true;
				ring = 1;
				break;
			case TAG_LISTEN:
				ctl_server_accept(&d->ctl);
				break;
			case TAG_RING:
				ring = 1;
				break;
			default:
				requests_on_peer(d, evs[i].data.ptr, evs[i].events);
			}
		}
		if (ring && (ring = ring_slice(d, RING_SLICE)) < 0)
			return -1;
		if (drops && ring_read_to(&d->ring, drops_after)) {
			lost_events_report(d);
			drops = false;
		}
		ctl_server_reap(&d->ctl);
	}
	log_warnx("stopping");
	return 0;
}

int daemon_run(const struct daemon_opts *o)
{
	struct daemon d = { .o = *o, .epfd = -1, .sigfd = -1, .timerfd = -1, .next_server_id = 1, .ctl = { .fd = -1 },
			    .pins = { .root_fd = -1, .meta_fd = -1, .owners_fd = -1 } };
	int r = setup(&d) ? -1 : loop(&d);

	ctl_server_close(&d.ctl);
	audit_sink_close(&d);
	handover_close(&d, r == 0);
	ring_close(&d.ring);
	sensor_close(&d.sensor);
	if (d.procs.buckets)
		proctable_free(&d.procs);
	recent_free(&d.recent);
	base_procs_free(&d.base);
	servers_free(&d.servers);
	if (d.epfd >= 0)
		close(d.epfd);
	if (d.sigfd >= 0)
		close(d.sigfd);
	if (d.timerfd >= 0)
		close(d.timerfd);
	return r;
}
