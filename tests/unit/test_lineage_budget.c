/* test_lineage_budget.c: unit tests of how the lineage map's room is shared (daemon/sensor/lineage_budget.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/sensor/lineage_budget.h"

/* Reserves for every server, the pool and the margin never add up to more than the map holds. */
static void fits(uint32_t capacity, unsigned nservers)
{
	struct lineage_limits l = lineage_limits_for(capacity, nservers);

	assert_true((uint64_t)l.reserve * nservers + l.shared_limit + 2ull * nservers + 64 <= capacity ||
		    l.shared_limit == 0);
	assert_true((uint64_t)l.reserve * nservers <= capacity / 2 || nservers == 0);
}

static void test_few_servers(void **state)
{
	struct lineage_limits l = lineage_limits_for(2048, 2);

	(void)state;
	assert_int_equal(l.reserve, 128);		/* capacity / 16 */
	assert_int_equal(l.shared_limit, 2048 - 256 - 68);
	l = lineage_limits_for(32768, 0);
	assert_int_equal(l.reserve, 2048);
	assert_int_equal(l.shared_limit, 32768 - 64);
}

static void test_many_servers(void **state)
{
	struct lineage_limits l = lineage_limits_for(16384, 100);

	(void)state;
	assert_int_equal(l.reserve, 16384 / 2 / 100);	/* together at most half */
	assert_int_equal(l.shared_limit, 16384 - 81 * 100 - 264);
	l = lineage_limits_for(1024, 1000);		/* more servers than room: no pool, a reserve each */
	assert_int_equal(l.reserve, 0);
	assert_int_equal(l.shared_limit, 0);
}

static void test_always_fits(void **state)
{
	static const uint32_t caps[] = { LINEAGE_MIN_CAPACITY, 2048, 16384, 192730, LINEAGE_MAX_CAPACITY };

	(void)state;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		for (unsigned n = 0; n < 5000; n += 1 + n / 4)
			fits(caps[i], n);
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
		cmocka_unit_test(test_few_servers),
		cmocka_unit_test(test_many_servers),
		cmocka_unit_test(test_always_fits),
		cmocka_unit_test(test_capacity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
