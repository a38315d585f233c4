/* test_proctable.c: unit tests for the process table keyed by (pid, start_time) (user/daemon/servers/proctable.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/servers/proctable.h"

static struct ev_hdr hdr(uint32_t pid, uint64_t start, uint32_t server)
{
	struct ev_hdr h = { .type = EV_FORK, .pid = pid, .start_time = start, .server_id = server, .comm = "x" };

	return h;
}

static void identity_is_pid_and_start(void **state)
{
	struct proctable t;
	struct ev_hdr a = hdr(100, 1000, 1), b = hdr(100, 2000, 2);

	(void)state;
	assert_int_equal(proctable_init(&t, 8), 0);
	assert_non_null(proctable_update(&t, &a));
	assert_non_null(proctable_update(&t, &b));	/* pid reused: a different process */
	assert_int_equal(t.count, 2);
	assert_int_equal(proctable_find(&t, 100, 1000)->server_id, 1);
	assert_int_equal(proctable_find(&t, 100, 2000)->server_id, 2);
	proctable_remove(&t, 100, 1000);
	assert_null(proctable_find(&t, 100, 1000));
	assert_non_null(proctable_find(&t, 100, 2000));
	assert_int_equal(t.count, 1);
	proctable_free(&t);
}

static void update_refreshes(void **state)
{
	struct proctable t;
	struct ev_hdr a = hdr(7, 70, 0);

	(void)state;
	assert_int_equal(proctable_init(&t, 4), 0);
	for (uint32_t pid = 1; pid < 50; pid++) {
		struct ev_hdr h = hdr(pid, pid * 10, 0);

		assert_non_null(proctable_update(&t, &h));
	}
	a.server_id = 9;
	assert_non_null(proctable_update(&t, &a));
	assert_int_equal(t.count, 49);
	assert_int_equal(proctable_find(&t, 7, 70)->server_id, 9);
	assert_int_equal(proctable_find_pid(&t, 7)->start_time, 70);
	assert_null(proctable_find_pid(&t, 50));
	proctable_remove(&t, 7, 71);	/* wrong start time: nothing removed */
	assert_int_equal(t.count, 49);
	proctable_free(&t);
}

/* Of entries that share a pid (earlier processes whose exit was not read), a lookup by pid finds the newest,
 * wherever the hash put each. */
static void find_pid_prefers_newest(void **state)
{
	struct proctable t;

	(void)state;
	assert_int_equal(proctable_init(&t, 64), 0);
	for (uint64_t start = 1; start <= 40; start++) {
		struct ev_hdr h = hdr(300, start * 1000, (uint32_t)start);

		assert_non_null(proctable_update(&t, &h));
		assert_int_equal(proctable_find_pid(&t, 300)->start_time, start * 1000);
	}
	proctable_remove(&t, 300, 40000);
	assert_int_equal(proctable_find_pid(&t, 300)->start_time, 39000);
	proctable_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identity_is_pid_and_start),
		cmocka_unit_test(update_refreshes),
		cmocka_unit_test(find_pid_prefers_newest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
