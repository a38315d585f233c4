/* ctl_proto.c: the control socket's operations: one name table, message building and reading by op. */
#include "common/ctl_proto.h"
#include "common/log.h"
#include "common/names.h"

static const char *const names[CTL_OP_COUNT] = {
	[CTL_OP_UNKNOWN] = "unknown",
	[CTL_OP_STATUS] = "status",
	[CTL_OP_PS] = "ps",
	[CTL_OP_TRACK] = "track",
	[CTL_OP_SUBSCRIBE] = "subscribe",
	[CTL_OP_REGISTER] = "register",
	[CTL_OP_ATTACH] = "attach",
	[CTL_OP_CALL_START] = "call_start",
	[CTL_OP_CALL_END] = "call_end",
	[CTL_OP_CALL_DENIED] = "call_denied",
	[CTL_OP_KILL_CALL] = "kill_call",
	[CTL_OP_KILL_SERVER] = "kill_server",
	[CTL_OP_POLICY_RELOAD] = "policy_reload",
	[CTL_OP_ACK] = "ack",
	[CTL_OP_ERROR] = "error",
	[CTL_OP_END] = "end",
};

const char *ctl_op_name(enum ctl_op op)
{
	return name_at(names, CTL_OP_COUNT, (unsigned)op, names[CTL_OP_UNKNOWN]);
}

enum ctl_op ctl_op_parse(const char *name)
{
	int op = name_index(names, CTL_OP_UNKNOWN + 1, CTL_OP_COUNT, name);

	return op < 0 ? CTL_OP_UNKNOWN : (enum ctl_op)op;
}

cJSON *ctl_message_with(enum ctl_op op, cJSON *fields)
{
	if (!fields || !cJSON_AddStringToObject(fields, "op", ctl_op_name(op))) {
		log_warnx("control message %s: out of memory", ctl_op_name(op));
		cJSON_Delete(fields);
		return NULL;
	}
	return fields;
}

cJSON *ctl_message(enum ctl_op op)
{
	return ctl_message_with(op, cJSON_CreateObject());
}

enum ctl_op ctl_message_op(const cJSON *msg)
{
	return ctl_op_parse(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "op")));
}
