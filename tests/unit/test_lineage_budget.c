/* test_lineage_budget.c: unit tests of how the lineage map's room is shared (daemon/sensor/lineage_budget.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/sensor/lineage_budget.h"

static void test_shares(void **state)
{
	struct lineage_limits l = lineage_limits_for(2048);

	(void)state;
	assert_int_equal(l.reserve, 2048 / 256);
	assert_int_equal(l.shared_limit, 1024 - 128);
	l = lineage_limits_for(32768);
	assert_int_equal(l.reserve, 128);
	assert_int_equal(l.shared_limit, 16384 - 2048);
}

/* Every reserve held at once, and the whole pool, leave a margin: charged entries alone can't fill the map. */
static void test_always_fits(void **state)
{
	static const uint32_t caps[] = { LINEAGE_MIN_CAPACITY, 2048, 16384, 192730, LINEAGE_MAX_CAPACITY };

	(void)state;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		struct lineage_limits l = lineage_limits_for(caps[i]);

		assert_true(l.reserve > 0);
		assert_true((uint64_t)l.reserve * LINEAGE_RESERVED_SERVERS + l.shared_limit + caps[i] / 16 <= caps[i]);
	}
}

static void test_capacity(void **state)
{
	(void)state;
	assert_int_equal(lineage_capacity(10), LINEAGE_MIN_CAPACITY);
	assert_int_equal(lineage_capacity(4096), 4096);
	assert_int_equal(lineage_capacity(UINT32_MAX), LINEAGE_MAX_CAPACITY);
	assert_in_range(lineage_capacity(0), LINEAGE_MIN_CAPACITY, LINEAGE_MAX_CAPACITY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shares),
		cmocka_unit_test(test_always_fits),
		cmocka_unit_test(test_capacity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
