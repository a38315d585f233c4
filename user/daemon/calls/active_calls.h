/* active_calls.h: a server's calls as the daemon knows them: tool, rule set, and the violations to report at call end. */
#ifndef MCPWARDEN_ACTIVE_CALLS_H
#define MCPWARDEN_ACTIVE_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

#define ACTIVE_CALL_MAX_VIOLATIONS	8	/* kept per call; the rest are counted */

struct active_call {
	uint64_t call;
	char tool[128];
	bool ended;		/* call_end came; a rule set stays while processes of the call live */
	bool rules;		/* the call has a rule set of its own in the kernel */
	bool killed;		/* its processes were killed once (a limit or a deadline) */
	bool kill_on_end;	/* its sandbox's on_end: kill: what it leaves running dies at call_end */
	bool counts_lag;	/* its process counts were copied by an upgrade, and may be lower than its processes */
	bool cleared;		/* ended, its processes gone and its rule set out of the kernel: it is forgotten
				   once the ring is read up to forget_after, so the records they sent still find it */
	uint64_t forget_after;	/* ring_sent() when it was cleared */
	cJSON *violations;	/* [{"rule","what"}]: handed to the shim with call_end's ack */
	unsigned more;		/* violations beyond ACTIVE_CALL_MAX_VIOLATIONS */
	struct active_call *next;
};

/* Adds call `call`, which the list does not hold (tool may be NULL). NULL on OOM (logged). */
struct active_call *active_call_add(struct active_call **list, uint64_t call, const char *tool);
struct active_call *active_call_find(struct active_call *list, uint64_t call);
/* Whether a call of the list is running: started, and not ended yet. */
bool active_calls_running(const struct active_call *list);
/* Records that rule `rule` stopped `what` during the call. */
void active_call_note(struct active_call *c, const char *rule, const char *what);
/* Hands over the violations ([] when none) and clears them. NULL on OOM. */
cJSON *active_call_take(struct active_call *c);
void active_call_remove(struct active_call **list, struct active_call *c);
void active_calls_free(struct active_call **list);

#endif
