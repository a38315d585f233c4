/* test_read_rate.c: unit tests for the rate limit on status, ps and subscribe (user/daemon/control/read_rate.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "control.h"
#include "daemon/control/read_rate.h"

/* How many of n requests at once (well within one token's interval) go through. */
static int taken(struct read_rate *r, int n, uid_t uid, uint32_t server)
{
	int ok = 0;

	for (int i = 0; i < n; i++)
		ok += !read_rate_take(r, 100, uid, server);
	return ok;
}

static void burst_then_refused(void **state)
{
	static struct read_rate r;
	uint64_t wait;

	(void)state;
	assert_int_equal(taken(&r, CTL_READ_BURST, 1000, 0), CTL_READ_BURST);
	wait = read_rate_take(&r, 100, 1000, 0);
	assert_true(wait > 0 && wait <= 1000000000ull / CTL_READ_RATE);
}

/* The processes of one policed server share its bucket whatever their uid, root included; other keys have
 * their own, and root outside servers has none. */
static void keys(void **state)
{
	static struct read_rate r;

	(void)state;
	assert_int_equal(taken(&r, CTL_READ_BURST + 5, 0, 7), CTL_READ_BURST);
	assert_int_equal(taken(&r, 5, 1000, 7), 0);
	assert_int_equal(taken(&r, CTL_READ_BURST, 0, 8), CTL_READ_BURST);
	assert_int_equal(taken(&r, CTL_READ_BURST, 1000, 0), CTL_READ_BURST);
	assert_int_equal(taken(&r, 1000, 0, 0), 1000);
}

/* With every bucket another key's and in debt, a new key is refused; none is handed a fresh bucket. */
static void full_table(void **state)
{
	static struct read_rate r;

	(void)state;
	for (uint32_t s = 1; s <= READ_RATE_KEYS; s++)
		assert_int_equal(taken(&r, 1, 0, s), 1);
	assert_int_equal(taken(&r, 1, 0, READ_RATE_KEYS + 1), 0);
	assert_int_equal(taken(&r, 1, 0, 1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(burst_then_refused),
		cmocka_unit_test(keys),
		cmocka_unit_test(full_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
