/* test_kinds.c: the names of audit record kinds (user/audit/kinds.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "audit/kinds.h"
#include "daemon/event_json.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(audit_kinds_round_trip),
		cmocka_unit_test(unknown_audit_kind_rejected),
		cmocka_unit_test(event_types_have_their_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
