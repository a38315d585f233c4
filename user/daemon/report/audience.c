/* audience.c: who may see an event or a server: root all, a peer what belongs to its uid, a peer inside a policed tree its own server's only. */
#include "daemon/report/audience.h"

bool audience_admits(const struct audience *a, uid_t uid, uint32_t policed_server)
{
	if (a->everyone)
		return true;
	if (policed_server)
		return a->server_id == policed_server;
	return uid == 0 || a->uid == uid;
}
