/* test_kinds.c: the names of audit record kinds (user/audit/kinds.h) and of control ops (user/common/ctl_proto.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "audit/kinds.h"
#include "common/ctl_proto.h"
#include "daemon/sensor/event_json.h"

static void audit_kinds_round_trip(void **state)
{
	enum audit_kind k;

	(void)state;
	for (unsigned i = 0; i < AUDIT_KIND_COUNT; i++) {
		const char *name = audit_kind_name(i);

		assert_non_null(name);
		assert_int_equal(audit_kind_parse(name, &k), 0);
		assert_int_equal(k, i);	/* so every name is distinct */
	}
	assert_string_equal(audit_kind_name(AUDIT_CALL_END), "call_end");
	assert_string_equal(audit_kind_name(AUDIT_DECISION), "decision");
	assert_null(audit_kind_name(AUDIT_KIND_COUNT));
}

static void unknown_audit_kind_rejected(void **state)
{
	enum audit_kind k = AUDIT_EXEC;

	(void)state;
	assert_int_equal(audit_kind_parse("nope", &k), -1);
	assert_int_equal(audit_kind_parse("Decision", &k), -1);	/* exact names only */
	assert_int_equal(audit_kind_parse("", &k), -1);
	assert_int_equal(audit_kind_parse(NULL, &k), -1);
	assert_int_equal(k, AUDIT_EXEC);			/* left alone */
}

/* A policed process's event is audited under the kind named as its event type. */
static void event_types_have_their_kind(void **state)
{
	(void)state;
	for (unsigned t = EV_EXEC; t < EV_TYPE_MAX; t++)
		assert_string_equal(audit_kind_name(event_audit_kind(t)), event_type_name(t));
}

static void ctl_ops_round_trip(void **state)
{
	(void)state;
	for (unsigned op = CTL_OP_UNKNOWN + 1; op < CTL_OP_COUNT; op++) {
		cJSON *m = ctl_message(op);

		assert_int_equal(ctl_op_parse(ctl_op_name(op)), op);
		assert_int_equal(ctl_message_op(m), op);
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "op")), ctl_op_name(op));
		cJSON_Delete(m);
	}
	assert_string_equal(ctl_op_name(CTL_OP_CALL_START), "call_start");
	assert_string_equal(ctl_op_name(CTL_OP_COUNT), "unknown");
}

static void unknown_ctl_op_rejected(void **state)
{
	cJSON *m = cJSON_Parse("{\"op\":\"reboot\"}"), *fields = cJSON_CreateObject();

	(void)state;
	assert_int_equal(ctl_op_parse("unknown"), CTL_OP_UNKNOWN);
	assert_int_equal(ctl_op_parse("Status"), CTL_OP_UNKNOWN);
	assert_int_equal(ctl_op_parse(NULL), CTL_OP_UNKNOWN);
	assert_int_equal(ctl_message_op(m), CTL_OP_UNKNOWN);
	cJSON_Delete(m);
	m = cJSON_Parse("{\"op\":3}");
	assert_int_equal(ctl_message_op(m), CTL_OP_UNKNOWN);
	cJSON_Delete(m);
	assert_int_equal(ctl_message_op(NULL), CTL_OP_UNKNOWN);
	/* A message built on fields keeps them. */
	cJSON_AddNumberToObject(fields, "call", 3);
	m = ctl_message_with(CTL_OP_CALL_END, fields);
	assert_int_equal(ctl_message_op(m), CTL_OP_CALL_END);
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(m, "call")), 3);
	cJSON_Delete(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(audit_kinds_round_trip),
		cmocka_unit_test(unknown_audit_kind_rejected),
		cmocka_unit_test(event_types_have_their_kind),
		cmocka_unit_test(ctl_ops_round_trip),
		cmocka_unit_test(unknown_ctl_op_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
