/* track.c: makes a running process the root of a server: its lineage entry in the tracked map, its server, its table entry. */

#include <errno.h>
#include <stdio.h>

#include "daemon/sensor/ring.h"
#include "daemon/servers/track.h"

/* Why process `pid`, tracked in server had->server_id, may not move to another server of peer `owner` (NULL:
 * it may): a call it carries, or its server's own rules, would no longer hold for it, or it is that server's
 * root, whose later calls would then go unenforced. A shim whose link dropped moves its server into the one it
 * registered again, with its policy's rules; a server a previous daemon left (adopted) has neither. */
static const char *pinned(struct daemon *d, pid_t pid, pid_t owner, const struct tracked *had)
{
	const struct server *s = servers_find(d->servers, had->server_id);

	if (had->ncalls)
		return "the process stays in its server: it carries calls of it";
	if (s && owner && s->owner == owner)
		return NULL;
	if (s && (s->rules || s->staged))
		return "the process stays in its server: that server's rules apply to it";
	if (s && s->root == pid)
		return "the process stays in its server: it is that server's root";
	return NULL;
}

/*
 * Writes the lineage entry of `pid` as `t` says (server, start time). Tracked already (by lineage, its cgroup,
 * or an earlier request): in its own server it keeps the calls it carries; another server takes it only when
 * nothing of its own applies to it. Either way the entry keeps the charge it holds (events.h, charge_server),
 * and is rewritten only if it is still there, so a process that exits meanwhile is not brought back; a race
 * with its exit or its placement is tried once more. A stale entry of an earlier process with this pid is
 * replaced. NULL, or why not.
 */
static const char *write_entry(struct daemon *d, pid_t pid, pid_t owner, const struct tracked *t)
{
	const char *why;
	struct tracked had, w;
	__u64 flags;

	for (int tries = 0; tries < 2; tries++) {
		w = *t;
		flags = BPF_NOEXIST;
		if (!sensor_tracked_get(&d->sensor, pid, &had)) {
			flags = BPF_ANY;
			if (!had.start_time || had.start_time == t->start_time) {
				if (had.server_id != t->server_id && (why = pinned(d, pid, owner, &had)))
					return why;
				if (had.server_id == t->server_id) {
					w = had;
					w.start_time = had.start_time ? had.start_time : t->start_time;
				}
				w.charge_server = had.charge_server;
				w.charge = had.charge;
				flags = BPF_EXIST;
			}
		}
		w.flags |= TRACKED_F_BASE;	/* a root: its calls are granted at call_start, not inherited */
		/* Whatever the outcome: a root another one replaces stays a base entry of its server. */
		base_procs_forget(&d->base);
		if (!sensor_track(&d->sensor, pid, &w, flags))
			return NULL;
		if (errno != ENOENT && errno != EEXIST)
			return "cannot update the BPF map 'tracked'";
	}
	return "the process exited while it was being tracked";
}

uint32_t track_root(struct daemon *d, pid_t pid, uint32_t server_id, pid_t owner, const char *name, char *why,
		    size_t size)
{
	struct tracked t = { 0 };
	struct ev_hdr h;
	const char *err;
	struct proc *p;

	/*
	 * The start time is the entry's identity, which the BPF side checks at each lookup: the kernel's, read now.
	 * The table's may be an earlier process's of this pid, whose exit record is unread or was lost. A zombie's
	 * exit was seen already: an entry for it would outlive it, for the next process of that pid.
	 */
	if (sensor_task(&d->sensor, pid, &h)) {
		if (errno == ESRCH || errno == EINVAL)
			snprintf(why, size, "pid %d: no such process, or it has exited (or a thread id)", (int)pid);
		else
			snprintf(why, size, "pid %d: its start time can't be read from the kernel (logged), so it "
				 "can't be told from another process with its pid", (int)pid);
		return 0;
	}
	/* Its fork record, when still in the ring (sent before this request came), is read first: read later, it
	 * would put back the server it had then. An error is logged; the kernel's header stands. */
	if (!proctable_find(&d->procs, pid, h.start_time))
		ring_catch_up(d);
	t.server_id = server_id ? server_id : d->next_server_id;
	t.start_time = h.start_time;
	if ((err = write_entry(d, pid, owner, &t))) {
		snprintf(why, size, "pid %d: %s", (int)pid, err);
		return 0;
	}
	if (!servers_add(&d->servers, t.server_id, pid, owner, name) || !(p = proctable_update(&d->procs, &h))) {
		snprintf(why, size, "pid %d: out of memory", (int)pid);
		return 0;
	}
	p->server_id = t.server_id;
	p->base = true;
	if (t.server_id >= d->next_server_id) {
		d->next_server_id = t.server_id + 1;
		handover_heartbeat(d);	/* a daemon that takes over after a crash never gives this id again */
	}
	return t.server_id;
}
