/* ctl_proto.h: the control socket's operations (include/control.h): their wire names, and building and reading messages by op. */
#ifndef MCPWARDEN_CTL_PROTO_H
#define MCPWARDEN_CTL_PROTO_H

#include <cJSON.h>

/* The "op" of every control message. include/control.h says what each one asks and answers. */
enum ctl_op {
	CTL_OP_UNKNOWN,		/* a message without a string "op", or with a name below lacks */
	CTL_OP_STATUS,
	CTL_OP_PS,
	CTL_OP_TRACK,
	CTL_OP_SUBSCRIBE,
	CTL_OP_REGISTER,
	CTL_OP_ATTACH,
	CTL_OP_CALL_START,
	CTL_OP_CALL_END,
	CTL_OP_CALL_DENIED,
	CTL_OP_KILL_CALL,
	CTL_OP_KILL_SERVER,
	CTL_OP_POLICY_RELOAD,
	CTL_OP_ACK,		/* the daemon's replies */
	CTL_OP_ERROR,
	CTL_OP_END,		/* the end of a subscription's recent events */
	CTL_OP_COUNT,
};

/* The wire name of op ("call_start"); "unknown" for CTL_OP_UNKNOWN or a value out of range. */
const char *ctl_op_name(enum ctl_op op);
/* The op named `name` (exact match); CTL_OP_UNKNOWN for NULL or a name no op has. */
enum ctl_op ctl_op_parse(const char *name);
/* A new message {"op": NAME}; NULL on OOM (logged). */
cJSON *ctl_message(enum ctl_op op);
/* Adds "op": NAME to the object `fields` (taken) and returns it; NULL (fields freed) when fields is NULL or on
 * OOM (logged). */
cJSON *ctl_message_with(enum ctl_op op, cJSON *fields);
/* The op a received message names: CTL_OP_UNKNOWN when msg is no object with a known string "op". */
enum ctl_op ctl_message_op(const cJSON *msg);

#endif
