/* audience.h: who may see an event or a server: root all, a peer what belongs to its uid, a peer inside a policed tree its own server's only. */
#ifndef MCPWARDEN_AUDIENCE_H
#define MCPWARDEN_AUDIENCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* What an event or a server concerns, for deciding who may see it. */
struct audience {
	uint32_t server_id;	/* the server it concerns; 0: none */
	uid_t uid;		/* whose it is: the server's owner's, else the process's */
	bool everyone;		/* no process in it (a lost_events count): every peer may see it */
};

/*
 * Whether a peer of uid `uid` may see what `a` describes. `policed_server`
 * nonzero: the peer runs inside that server's tree, and sees that server's
 * only. Otherwise root sees everything, and any other uid what is its own.
 */
bool audience_admits(const struct audience *a, uid_t uid, uint32_t policed_server);

#endif
