/* test_recent.c: unit tests for the daemon's recent events ring: raw records and JSON text with who may see each, oldest forgotten (user/daemon/report/recent.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/report/recent.h"

static struct ev_exit exit_record(uint32_t pid)
{
	struct ev_exit e = { .h = { .type = EV_EXIT, .version = EV_VERSION, .size = sizeof(e), .pid = pid } };

	return e;
}

/* Asserts that entry i's JSON contains `needle`. */
static void assert_entry(const struct recent *r, size_t i, const char *needle)
{
	char *json = recent_json(r, i);

	assert_non_null(json);
	if (!strstr(json, needle))
		fail_msg("entry %zu: '%s' not in %s", i, needle, json);
	free(json);
}

static const struct audience nobody_s = { .server_id = 3, .uid = 65534 };

static void keeps_records_and_text_in_order(void **state)
{
	struct recent r;
	struct ev_exit a = exit_record(11);
	const struct audience all = { .everyone = true };

	(void)state;
	assert_int_equal(recent_init(&r, 4), 0);
	recent_add_record(&r, &a.h, &nobody_s);
	assert_int_equal(recent_add_text(&r, "{\"type\":\"lost_events\"}", &all), 0);
	assert_int_equal(r.len, 2);
	assert_entry(&r, 0, "\"pid\":11");
	assert_entry(&r, 0, "\"type\":\"exit\"");
	assert_entry(&r, 1, "lost_events");
	assert_int_equal(recent_audience(&r, 0)->server_id, 3);
	assert_int_equal(recent_audience(&r, 0)->uid, 65534);
	assert_false(recent_audience(&r, 0)->everyone);
	assert_true(recent_audience(&r, 1)->everyone);
	recent_free(&r);
}

static void forgets_the_oldest_when_full(void **state)
{
	struct recent r;

	(void)state;
	assert_int_equal(recent_init(&r, 3), 0);
	for (uint32_t pid = 1; pid <= 5; pid++) {
		struct ev_exit e = exit_record(pid);
		struct audience a = { .server_id = pid };

		recent_add_record(&r, &e.h, &a);
	}
	assert_int_equal(r.len, 3);
	assert_entry(&r, 0, "\"pid\":3");
	assert_entry(&r, 2, "\"pid\":5");
	assert_int_equal(recent_audience(&r, 0)->server_id, 3);	/* each entry keeps its own */
	assert_int_equal(recent_audience(&r, 2)->server_id, 5);
	recent_free(&r);
}

static void refuses_text_longer_than_a_slot(void **state)
{
	struct recent r;
	char *big = malloc(RECENT_SLOT + 1);

	(void)state;
	assert_non_null(big);
	memset(big, 'x', RECENT_SLOT);
	big[RECENT_SLOT] = '\0';
	assert_int_equal(recent_init(&r, 2), 0);
	assert_int_equal(recent_add_text(&r, big, &nobody_s), -1);
	assert_int_equal(r.len, 0);
	free(big);
	recent_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keeps_records_and_text_in_order),
		cmocka_unit_test(forgets_the_oldest_when_full),
		cmocka_unit_test(refuses_text_longer_than_a_slot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
