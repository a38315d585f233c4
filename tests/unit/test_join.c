/* test_join.c: unit tests for the join of config entries to processes (user/discover/join.c, procs.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "discover/join.h"

static char *shim_argv[] = { "/usr/bin/mcpwarden", "run", "--", "node" };
static char *a_argv[] = { "node", "/srv/a.js" };
static char *b_argv[] = { "node", "/srv/b.js" };

/* Processes out of pid order: 30 (a.js) below 20 (a shim) below 10; 5 (b.js) bare. procs_index sorts them and
 * finds each one's shim once; entries with one argument are joined as one, and all get the same result. */
static void joined_once_each(void **state)
{
	struct proc_info v[] = {
		{ .pid = 30, .ppid = 20, .argv = a_argv, .argc = 2 },
		{ .pid = 5, .ppid = 10, .argv = b_argv, .argc = 2 },
		{ .pid = 20, .ppid = 10, .argv = shim_argv, .argc = 4 },
		{ .pid = 10, .ppid = 1, .argv = b_argv, .argc = 1 },
	};
	struct proc_list l = { v, 4 };
	struct mcp_entry e[3] = { { .argv = a_argv, .argc = 2 }, { .argv = b_argv, .argc = 2 },
				  { .argv = a_argv, .argc = 2 } };
	struct join_result r[3];
	struct timespec later;

	(void)state;
	procs_index(&l);
	assert_int_equal(v[0].pid, 5);
	assert_int_equal(procs_find(&l, 30)->shim, 20);
	assert_int_equal(procs_find(&l, 5)->shim, 0);
	assert_null(procs_find(&l, 7));
	clock_gettime(CLOCK_MONOTONIC, &later);
	later.tv_sec += 60;
	assert_int_equal(join_all(e, 3, &l, r, &later), 0);
	assert_int_equal(r[0].state, STATE_POLICED);
	assert_int_equal(r[0].shim, 20);
	assert_int_equal(r[1].state, STATE_RUNNING);
	assert_memory_equal(&r[0], &r[2], sizeof(r[0]));
}

/* A deadline passed: nothing is joined, every entry is unknown, and the count says so. */
static void deadline_passed(void **state)
{
	struct proc_list l = { NULL, 0 };
	struct mcp_entry e[2] = { { .argv = a_argv, .argc = 2 }, { .argv = a_argv, .argc = 2 } };
	struct join_result r[2];
	struct timespec past = { 0, 0 };

	(void)state;
	assert_int_equal(join_all(e, 2, &l, r, &past), 2);
	assert_int_equal(r[0].state, STATE_UNKNOWN);
	assert_string_equal(state_name(r[1].state), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(joined_once_each),
		cmocka_unit_test(deadline_passed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
