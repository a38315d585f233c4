/* daemon.c: `mcpwarden daemon`: sets up mounts, the sensor and the control socket, then runs the event loop. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "control.h"
#include "daemon/calls/call_set.h"
#include "daemon/daemon.h"
#include "daemon/sensor/lsm_probe.h"
#include "daemon/sensor/mounts.h"

/* epoll data.u64 tags of the daemon's own fds; clients carry their struct pointer instead. */
enum { TAG_LISTEN = 1, TAG_RING, TAG_SIGNAL, TAG_TIMER };

#define TICK_MS		100	/* the ring is drained (BPF wakes us only in bulk), drops and empty cgroups checked */

static void seed_one(const struct ev_hdr *h, void *ctx)
{
	proctable_update(&((struct daemon *)ctx)->procs, h);
}

uint32_t daemon_track(struct daemon *d, pid_t pid, uint32_t server_id, pid_t owner, const char *name,
		      const char **why)
{
	struct tracked t = { 0 };
	struct proc *p;

	if (kill(pid, 0) && errno == ESRCH) {
		*why = "no such process";
		return 0;
	}
	/* Not in the table yet when its fork record is still in the ring buffer. */
	p = proctable_find_pid(&d->procs, pid);
	t.server_id = server_id ? server_id : d->next_server_id;
	t.start_time = p ? p->start_time : 0;
	if (sensor_track(&d->sensor, pid, &t)) {
		*why = "cannot update the BPF map 'tracked'";
		return 0;
	}
	if (!servers_add(&d->servers, t.server_id, pid, owner, name)) {
		*why = "out of memory";
		return 0;
	}
	if (p) {
		p->server_id = t.server_id;
		p->base = true;
	}
	if (t.server_id >= d->next_server_id)
		d->next_server_id = t.server_id + 1;
	return t.server_id;
}

struct call_edit {
	struct daemon *d;
	struct server *s;
	uint64_t call;
	bool start;
};

/* Adds or removes the call in one more process of the server's own (a wrapper's child, a worker). */
static void edit_base(void *ctx, struct proc *p)
{
	struct call_edit *e = ctx;
	struct tracked t;

	if (!p->base || (pid_t)p->pid == e->s->root || sensor_tracked_get(&e->d->sensor, p->pid, &t) ||
	    t.start_time != p->start_time)
		return;
	if (e->start ? call_set_add(&t, e->call) : call_set_remove(&t, e->call))
		return;
	sensor_tracked_update(&e->d->sensor, p->pid, &t);
}

/*
 * The root carries the call, and so does every other process of the server's own:
 * a server started through npx, uvx or `sh -c` is the root's child, and what it
 * forks during the call must carry the call (and its rules) too.
 */
int daemon_call(struct daemon *d, uint32_t id, uint64_t call, bool start, const char **why)
{
	struct server *s = servers_find(d->servers, id);
	struct call_edit e = { .d = d, .s = s, .call = call, .start = start };
	struct tracked t;

	if (!s) {
		*why = "unknown server_id";
		return -1;
	}
	/* A call may end after its server died (the shim answers it then): nothing is left to edit. */
	if (!s->root || sensor_tracked_get(&d->sensor, s->root, &t)) {
		*why = s->root ? "the server process is gone" : "no server process attached";
		return start ? -1 : 0;
	}
	if (start ? call_set_add(&t, call) : call_set_remove(&t, call)) {
		*why = start ? "too many concurrent calls" : "call not active";
		return -1;
	}
	if (sensor_tracked_update(&d->sensor, s->root, &t)) {
		*why = "the server process is gone";
		return start ? -1 : 0;
	}
	proctable_each_of(&d->procs, id, edit_base, &e);
	return 0;
}

static void on_owner_drop(void *ctx, struct ctl_client *c)
{
	daemon_owner_gone(ctx, c->pid);
}

int daemon_consume(struct daemon *d)
{
	int err = ring_buffer__consume(d->sensor.rb);

	if (err < 0) {
		log_warnx("ring buffer: consume: %s", strerror(-err));
		return -1;
	}
	return 0;
}

/* The periodic timer: report drops in-band, after the records already in the ring; remove emptied cgroups. */
static int tick(struct daemon *d)
{
	uint64_t n;

	if (read(d->timerfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_warn("timerfd: read");
	if (daemon_consume(d))
		return -1;
	daemon_report_drops(d);
	daemon_tidy_cgroups(d);
	daemon_tidy_calls(d);
	daemon_audit_tick(d);
	return 0;
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
	if (mounts_find("cgroup2", d->cgroup2, sizeof(d->cgroup2)))
		d->cgroup2[0] = '\0';
	d->lsm_ok = lsm_probe(d->lsm_why, sizeof(d->lsm_why));
	log_warnx("BPF LSM %s (%s): exec denies will use %s", d->lsm_ok ? "available" : "unavailable",
		  d->lsm_why, d->lsm_ok ? "lsm/bprm_check_security" : "SIGKILL at exec");
	return 0;
}

static int setup(struct daemon *d)
{
	const char *why;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) || (d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0) {
		log_warn("signalfd for SIGINT, SIGTERM");
		return -1;
	}
	/* A log reader that goes away must not kill the daemon. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		log_warn("ignore SIGPIPE");
		return -1;
	}
	if (prepare_host(d) || proctable_init(&d->procs, 4096) || recent_init(&d->recent, DAEMON_RECENT))
		return -1;
	/* Cgroups left by a previous daemon go in before the seed, whose walk gives their processes lineage entries. */
	if (sensor_open(&d->sensor, daemon_on_record, d, d->lsm_ok, d->cgroup2) ||
	    sensor_set_flags(&d->sensor, d->o.trace_all ? CFG_TRACE_ALL : 0) ||
	    daemon_adopt_cgroups(d) || sensor_seed(&d->sensor, seed_one, d))
		return -1;
	for (unsigned i = 0; i < d->o.ntrack; i++) {
		if (!daemon_track(d, d->o.track[i], 0, 0, NULL, &why)) {
			log_warnx("--track-pid %d: %s", d->o.track[i], why);
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
	if (daemon_audit_open(d))
		return -1;
	/* Last: a peer that can connect finds the sensor running. */
	if (ctl_server_open(&d->ctl, d->o.socket_path, d->epfd, TAG_LISTEN))
		return -1;
	d->ctl.on_drop = on_owner_drop;
	d->ctl.ctx = d;
	log_warnx("ready: %zu processes, %u tracked roots, socket %s", d->procs.count, d->o.ntrack,
		  d->o.socket_path);
	return 0;
}

static void on_client(struct daemon *d, struct ctl_client *c, uint32_t events)
{
	static char buf[CTL_MSG_MAX];
	ssize_t n;

	if (c->dead)
		return;
	if (events & EPOLLOUT && ctl_client_flush(&d->ctl, c))
		goto drop;
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n < 0 && errno != ECONNRESET)
		log_warn("%s: recv from pid %d", d->ctl.path, c->pid);
	if (n <= 0)
		goto drop;
	if ((size_t)n > sizeof(buf)) {
		log_warnx("%s: pid %d sent %zd bytes, more than %d", d->ctl.path, c->pid, n, CTL_MSG_MAX);
		goto drop;
	}
	if (daemon_request(d, c, buf, n))
		goto drop;
	return;
drop:
	ctl_client_drop(&d->ctl, c);
}

static int loop(struct daemon *d)
{
	struct epoll_event evs[32];
	int n;

	while (!d->stop) {
		n = epoll_wait(d->epfd, evs, 32, -1);
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
				if (tick(d))
					return -1;
				break;
			case TAG_LISTEN:
				ctl_server_accept(&d->ctl);
				break;
			case TAG_RING:
				if (daemon_consume(d))
					return -1;
				break;
			default:
				on_client(d, evs[i].data.ptr, evs[i].events);
			}
		}
		ctl_server_reap(&d->ctl);
	}
	log_warnx("stopping");
	return 0;
}

int daemon_run(const struct daemon_opts *o)
{
	struct daemon d = { .o = *o, .epfd = -1, .sigfd = -1, .timerfd = -1, .next_server_id = 1, .ctl = { .fd = -1 } };
	int r = setup(&d) ? -1 : loop(&d);

	ctl_server_close(&d.ctl);
	daemon_audit_close(&d);
	sensor_close(&d.sensor);
	if (d.procs.buckets)
		proctable_free(&d.procs);
	recent_free(&d.recent);
	servers_free(&d.servers);
	if (d.epfd >= 0)
		close(d.epfd);
	if (d.sigfd >= 0)
		close(d.sigfd);
	if (d.timerfd >= 0)
		close(d.timerfd);
	return r;
}
