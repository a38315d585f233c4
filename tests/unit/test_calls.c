/* test_calls.c: unit tests for the bounded active-call set (user/daemon/calls/call_set.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/calls/call_set.h"

static void add_until_full(void **state)
{
	struct tracked t = { 0 };

	(void)state;
	for (uint64_t c = 1; c <= EV_MAX_CALLS; c++)
		assert_int_equal(call_set_add(&t, c), 0);
	assert_int_equal(t.ncalls, EV_MAX_CALLS);
	assert_int_equal(call_set_add(&t, 99), -1);
	assert_int_equal(call_set_add(&t, 2), 0);	/* already there: no change */
	assert_int_equal(t.ncalls, EV_MAX_CALLS);
}

static void remove_keeps_order(void **state)
{
	struct tracked t = { 0 };

	(void)state;
	call_set_add(&t, 10);
	call_set_add(&t, 20);
	call_set_add(&t, 30);
	assert_true(call_set_has(&t, 20));
	assert_int_equal(call_set_remove(&t, 20), 0);
	assert_false(call_set_has(&t, 20));
	assert_true(call_set_has(&t, 30));
	assert_int_equal(t.ncalls, 2);
	assert_int_equal(t.calls[0], 10);
	assert_int_equal(t.calls[1], 30);
	assert_int_equal(t.calls[2], 0);
	assert_int_equal(call_set_remove(&t, 20), -1);
	assert_int_equal(call_set_remove(&t, 10), 0);
	assert_int_equal(call_set_remove(&t, 30), 0);
	assert_int_equal(t.ncalls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_until_full),
		cmocka_unit_test(remove_keeps_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
