/* track.c: makes a running process the root of a server: its lineage entry in the tracked map, its server, its table entry. */
#include <errno.h>
#include <signal.h>

#include "daemon/servers/track.h"

uint32_t track_root(struct daemon *d, pid_t pid, uint32_t server_id, pid_t owner, const char *name,
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
