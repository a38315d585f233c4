/* server_cgroups.c: the daemon's side of servers' cgroups: made at register, adopted at start, removed once empty. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/calls/call.h"
#include "daemon/servers/cgroups.h"
#include "daemon/servers/procfs.h"
#include "daemon/servers/server_cgroups.h"

uint32_t server_cgroups_register(struct daemon *d, pid_t owner, uid_t uid, const char *name, int *fd,
				 const char **why)
{
	uint32_t id = d->next_server_id;
	struct pin_owner o;
	struct server *s;
	uint64_t cgid;
	char path[PATH_MAX], kill_file[PATH_MAX + 16];

	if (!d->cgroup2[0]) {
		*why = "no cgroup v2 mount on this host; register with 'pid' instead";
		return 0;
	}
	if (cgroups_make(d->cgroup2, id, name, path, sizeof(path), fd, &cgid)) {
		*why = "cannot make the server's cgroup (see the daemon's log)";
		return 0;
	}
	/* Its shim kills the whole server itself when no daemon is there to (a deadline while the daemon is away):
	 * cgroup.kill is the owner's, as systemd delegates it. Root's shims need nothing. */
	if (uid && snprintf(kill_file, sizeof(kill_file), "%s/cgroup.kill", path) < (int)sizeof(kill_file) &&
	    chown(kill_file, uid, (gid_t)-1) && errno != ENOENT)
		log_warn("server %u: give %s to uid %u: its shim can kill it only by process group", id, kill_file,
			 uid);
	if (sensor_cgroup_set(&d->sensor, cgid, id)) {
		*why = "cannot update the BPF map 'server_cgroups'";
		goto fail;
	}
	s = servers_add(&d->servers, id, 0, owner, name);
	if (!s) {
		sensor_cgroup_del(&d->sensor, cgid);
		*why = "out of memory";
		goto fail;
	}
	s->owner_uid = uid;
	s->cgid = cgid;
	snprintf(s->cgroup, sizeof(s->cgroup), "%s", path);
	d->next_server_id = id + 1;
	handover_heartbeat(d);	/* a daemon that takes over after a crash never gives this id again */
	/* Who may resume the server after a daemon restart: this shim process, and no other. */
	o = (struct pin_owner){ .uid = uid, .pid = owner };
	if (procfs_start_ticks(owner, &o.start_ticks) || pins_owner_set(&d->pins, id, &o))
		log_warnx("server %u: its shim pid %d can't be recorded: it can't resume the server if the daemon "
			  "restarts", id, owner);
	return id;
fail:
	close(*fd);
	*fd = -1;
	cgroups_remove(path);
	return 0;
}

void server_cgroups_owner_gone(struct daemon *d, pid_t owner)
{
	for (struct server *s = d->servers; s; s = s->next) {
		if (s->owner != owner || s->owner_gone)
			continue;
		s->owner_gone = true;
		log_warnx("server %u '%s': owner pid %d disconnected; still tracked%s", s->id, s->name, owner,
			  s->cgroup[0] ? ", its cgroup goes once empty" : "");
	}
	server_cgroups_tidy(d);
}

void server_cgroups_tidy(struct daemon *d)
{
	for (struct server *s = d->servers; s; s = s->next) {
		if (!s->owner_gone || !s->cgroup[0] || cgroups_remove(s->cgroup))
			continue;	/* still has processes (EBUSY): retried on the next tick */
		log_warnx("server %u '%s': removed empty cgroup %s", s->id, s->name, s->cgroup);
		sensor_cgroup_del(&d->sensor, s->cgid);
		s->cgroup[0] = '\0';
	}
	servers_prune(&d->servers, call_server_gone, d);
}

/* One cgroup left by a previous daemon: its processes stay this server's, by cgroup, until it empties. */
static void adopt_one(void *ctx, uint32_t id, const char *name, const char *path)
{
	struct daemon *d = ctx;
	struct server *s;
	uint64_t cgid;

	if (servers_find(d->servers, id)) {
		log_warnx("%s: server id %u already taken; left alone", path, id);
		return;
	}
	if (cgroups_id(path, &cgid) || sensor_cgroup_set(&d->sensor, cgid, id))
		return;
	s = servers_add(&d->servers, id, 0, 0, name);
	if (!s) {
		sensor_cgroup_del(&d->sensor, cgid);
		return;
	}
	s->owner_gone = true;
	s->cgid = cgid;
	snprintf(s->cgroup, sizeof(s->cgroup), "%s", path);
	if (id >= d->next_server_id)
		d->next_server_id = id + 1;
	log_warnx("server %u '%s': adopted cgroup %s from a previous run", id, name, path);
}

int server_cgroups_adopt(struct daemon *d)
{
	if (!d->cgroup2[0])
		return 0;
	if (cgroups_list(d->cgroup2, adopt_one, d))
		return -1;
	server_cgroups_tidy(d);
	return 0;
}
