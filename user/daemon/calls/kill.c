/* kill.c: kills a call's process tree (pidfds checked against the lineage map, swept until none is left) or a whole server (cgroup.kill). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/calls/call_set.h"
#include "daemon/calls/enforce.h"
#include "daemon/calls/kill.h"
#include "daemon/report/publish.h"
#include "daemon/sensor/event_json.h"
#include "daemon/servers/cgroups.h"

#define KILL_MAX_SWEEPS	16	/* a tree that keeps growing past this many sweeps is left to cgroup.kill */
#define KILL_SLICE_MS	50	/* a kill's signals stop after this long; the daemon's next tick goes on (call_tidy).
				   Each victim's exit competes with the daemon for a CPU, so a large tree takes
				   several slices, and the other peers' requests wait about one slice at most */

struct victim {
	__u32 pid;
	__u64 start_time;
};

struct sweep {
	struct daemon *d;
	const struct server *s;
	uint64_t call;
	struct victim *v;
	size_t n, cap;
};

static void gather(void *ctx, __u32 pid, const struct tracked *t)
{
	struct sweep *w = ctx;
	struct proc *p = proctable_find(&w->d->procs, pid, t->start_time);
	struct victim *grown;

	/* The server's own processes carry every call; a call's kill is not theirs. The kernel's mark says so too
	 * when the table does not (a daemon that just took over, before the root is attached again). */
	if (t->server_id != w->s->id || (pid_t)pid == w->s->root || !call_set_has(t, w->call) || (p && p->base) ||
	    (t->flags & TRACKED_F_BASE))
		return;
	if (w->n == w->cap) {
		grown = reallocarray(w->v, w->cap ? 2 * w->cap : 32, sizeof(*w->v));
		if (!grown) {
			log_warn("kill call %llu of server %u: pid %u", (unsigned long long)w->call, w->s->id, pid);
			return;
		}
		w->v = grown;
		w->cap = w->cap ? 2 * w->cap : 32;
	}
	w->v[w->n++] = (struct victim){ .pid = pid, .start_time = t->start_time };
}

/*
 * SIGKILLs process `v` through a pidfd. The pidfd names whatever process has
 * the pid when it is opened; its lineage entry, read again afterwards with the
 * same start time, proves that process is the one gathered (a reused pid would
 * have a new entry or none). 0 when killed, -1 when gone or not provably it.
 */
static int kill_victim(struct daemon *d, const struct victim *v)
{
	struct tracked now;
	int fd = pidfd_open(v->pid, 0), r = -1;

	if (fd < 0)
		return -1;	/* already gone */
	if (!sensor_tracked_get(&d->sensor, v->pid, &now) && now.start_time == v->start_time) {
		r = pidfd_send_signal(fd, SIGKILL, NULL, 0);
		if (r && errno != ESRCH)
			log_warn("pidfd_send_signal pid %u", v->pid);
	}
	close(fd);
	return r;
}

void kill_denied(struct daemon *d, uint32_t pid, uint64_t start_time, bool forked)
{
	struct tracked now;
	int fd = pidfd_open(pid, 0);
	bool it;

	if (fd < 0)
		return;	/* gone */
	/* Checked after the open, so the pidfd names the process checked: by its lineage entry's start time, as
	 * kill_victim does; a child whose lineage was lost has none, and the process table stands in (its exit
	 * record, were it gone and the pid taken again, would have to lag a whole pid_max of forks behind). Any
	 * other process a denial names had an entry: without one, it has exited. */
	it = !sensor_tracked_get(&d->sensor, pid, &now) ? now.start_time == start_time :
	     forked && errno == ENOENT && proctable_find(&d->procs, pid, start_time);
	if (it && pidfd_send_signal(fd, SIGKILL, NULL, 0) && errno != ESRCH)
		log_warn("pidfd_send_signal pid %u (a process the sandbox denied)", pid);
	close(fd);
}

static int by_pid(const void *a, const void *b)
{
	__u32 x = ((const struct victim *)a)->pid, y = ((const struct victim *)b)->pid;

	return x < y ? -1 : x > y;
}

/* The processes a kill signalled so far, sorted by pid: they may linger in the map until they exit. */
struct signalled {
	struct victim *v;
	size_t n;
};

/* Adds the sorted `add` (n of them) to `done`, keeping it sorted. -1 on OOM (logged): they are then signalled
 * again by a later sweep, which does no harm. */
static int signalled_merge(struct signalled *done, const struct victim *add, size_t n)
{
	struct victim *m = reallocarray(NULL, done->n + n, sizeof(*m));
	size_t i = 0, j = 0, k = 0;

	if (!m) {
		log_warn("kill: remember %zu signalled processes", done->n + n);
		return -1;
	}
	while (i < done->n || j < n)
		m[k++] = j == n || (i < done->n && done->v[i].pid < add[j].pid) ? done->v[i++] : add[j++];
	free(done->v);
	done->v = m;
	done->n = k;
	return 0;
}

/* Notes a kill on its call for the shim; audits and publishes it. */
static void report_kill(struct daemon *d, struct server *s, struct active_call *c, const char *rule,
			const char *what, cJSON *pids)
{
	cJSON *rec = cJSON_CreateObject();

	if (c)
		active_call_note(c, rule, what);
	cJSON_AddStringToObject(rec, "type", "kill");
	cJSON_AddNumberToObject(rec, "server_id", s->id);
	if (c) {
		add_u64(rec, "call", c->call);
		cJSON_AddStringToObject(rec, "tool", c->tool);
	}
	cJSON_AddStringToObject(rec, "rule", rule);
	cJSON_AddStringToObject(rec, "reason", what);
	cJSON_AddItemToObject(rec, "pids", pids);
	publish_event(d, AUDIT_KILL, rec, s->id, s->owner_uid);
}

/*
 * No freeze: a fork that completes before its parent's SIGKILL leaves a child
 * in the lineage map, which the next sweep finds; a process with SIGKILL
 * pending cannot fork (copy_process refuses). So sweeps repeat until one finds
 * nothing new to kill, which takes two here.
 */
/* A point KILL_SLICE_MS from now, and whether it has passed. */
static struct timespec slice_end(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_nsec += KILL_SLICE_MS * 1000000L;
	t.tv_sec += t.tv_nsec / 1000000000L;
	t.tv_nsec %= 1000000000L;
	return t;
}

static bool past(const struct timespec *end)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec > end->tv_sec || (t.tv_sec == end->tv_sec && t.tv_nsec >= end->tv_nsec);
}

/* One sweep: SIGKILLs each process carrying `call` that `done` does not hold yet, and adds it there and, when
 * `pids` is not NULL, to that list, until `end`. Returns how many carry the call (those killed earlier may
 * linger in the map until they exit); *killed how many were signalled now; *cut whether `end` came first.
 * One walk of the map in batches, a sort, and a lookup per victim: O(n log n) in the victims, however many
 * exit meanwhile. */
static size_t sweep(struct daemon *d, const struct server *s, uint64_t call, struct signalled *done, cJSON *pids,
		    const struct timespec *end, int *killed, bool *cut)
{
	struct sweep w = { .d = d, .s = s, .call = call };
	size_t fresh = 0;

	*killed = 0;
	*cut = false;
	if (sensor_tracked_each(&d->sensor, gather, &w) == 0 && w.n) {
		qsort(w.v, w.n, sizeof(*w.v), by_pid);
		for (size_t i = 0; i < w.n; i++) {
			if (i % 32 == 31 && (*cut = past(end)))
				break;
			if ((done->n && bsearch(&w.v[i], done->v, done->n, sizeof(*done->v), by_pid)) ||
			    kill_victim(d, &w.v[i]))
				continue;
			w.v[fresh++] = w.v[i];	/* still sorted */
			if (pids)
				cJSON_AddItemToArray(pids, cJSON_CreateNumber(w.v[i].pid));
		}
		*killed = (int)fresh;
		signalled_merge(done, w.v, fresh);
	}
	free(w.v);
	return w.n;
}

size_t kill_call_rest(struct daemon *d, const struct server *s, uint64_t call)
{
	struct timespec end = slice_end();
	struct signalled done = { 0 };
	int killed;
	bool cut;
	size_t left = sweep(d, s, call, &done, NULL, &end, &killed, &cut);

	if (killed)
		log_warnx("server %u call %llu: killed %d more processes of the killed call", s->id,
			  (unsigned long long)call, killed);
	free(done.v);
	return left;
}

void kill_call(struct daemon *d, struct server *s, uint64_t call, const char *rule, const char *reason)
{
	struct active_call *c = active_call_find(s->calls, call);
	struct timespec end = slice_end();
	cJSON *pids = cJSON_CreateArray();
	struct signalled done = { 0 };
	int sweeps = 0, killed;
	char what[200];
	bool cut;

	/* From here on the call's new processes die in the kernel: the sweeps can't be outrun. */
	enforce_doom(&d->sensor, s->id, call);
	do
		sweep(d, s, call, &done, pids, &end, &killed, &cut);
	while (killed && !cut && ++sweeps < KILL_MAX_SWEEPS && !past(&end));
	free(done.v);
	if (c)
		c->killed = true;	/* call_tidy sweeps on while the call runs, and after, until none is left */
	log_warnx("server %u call %llu: %s (%s): killed %d processes in %d sweeps%s", s->id, (unsigned long long)call,
		  rule, reason, cJSON_GetArraySize(pids), sweeps + 1, killed ? ", more on the next ticks" : "");
	snprintf(what, sizeof(what), "%s: killed %d processes of the call%s", reason, cJSON_GetArraySize(pids),
		 killed ? " so far; the daemon kills the rest" : "");
	report_kill(d, s, c, rule, what, pids);
}

int kill_server(struct daemon *d, struct server *s, const char *rule, const char *reason)
{
	char what[200];

	if (!s->cgroup[0]) {
		log_warnx("server %u: no cgroup to kill", s->id);
		return -1;
	}
	if (cgroups_kill(s->cgroup))
		return -1;
	log_warnx("server %u '%s': %s (%s): killed its cgroup %s", s->id, s->name, rule, reason, s->cgroup);
	snprintf(what, sizeof(what), "%s: killed the server and every process in its cgroup", reason);
	for (struct active_call *c = s->calls; c; c = c->next) {
		c->killed = true;
		active_call_note(c, rule, what);
	}
	report_kill(d, s, NULL, rule, what, cJSON_CreateArray());
	return 0;
}
