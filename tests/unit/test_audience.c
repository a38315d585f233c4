/* test_audience.c: who may see an event or a server (user/daemon/report/audience.c): root all, a peer its uid's, a peer inside a policed tree its own server's only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/report/audience.h"

static const struct audience alice_s7 = { .server_id = 7, .uid = 1000 };	/* server 7, owned by uid 1000 */
static const struct audience bob_proc = { .uid = 1001 };			/* no server: a process of uid 1001 */
static const struct audience drops = { .everyone = true };			/* lost_events */

static void root_sees_everything(void **state)
{
	(void)state;
	assert_true(audience_admits(&alice_s7, 0, 0));
	assert_true(audience_admits(&bob_proc, 0, 0));
	assert_true(audience_admits(&drops, 0, 0));
}

static void a_user_sees_its_own_uid_only(void **state)
{
	(void)state;
	assert_true(audience_admits(&alice_s7, 1000, 0));
	assert_false(audience_admits(&bob_proc, 1000, 0));
	assert_true(audience_admits(&bob_proc, 1001, 0));
	assert_false(audience_admits(&alice_s7, 1001, 0));
	assert_true(audience_admits(&drops, 1001, 0));
}

/* Inside server 7's tree, even as root or as the owner's uid: server 7 only. */
static void a_policed_peer_sees_its_own_server_only(void **state)
{
	const struct audience alice_s8 = { .server_id = 8, .uid = 1000 };

	(void)state;
	assert_true(audience_admits(&alice_s7, 0, 7));
	assert_true(audience_admits(&alice_s7, 1000, 7));
	assert_false(audience_admits(&alice_s8, 0, 7));
	assert_false(audience_admits(&alice_s8, 1000, 7));
	assert_false(audience_admits(&(struct audience){ .uid = 0 }, 0, 7));	/* a root process outside any server */
	assert_true(audience_admits(&drops, 0, 7));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(root_sees_everything),
		cmocka_unit_test(a_user_sees_its_own_uid_only),
		cmocka_unit_test(a_policed_peer_sees_its_own_server_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
