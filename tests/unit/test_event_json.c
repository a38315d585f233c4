/* test_event_json.c: unit tests for record checks and JSON conversion (user/daemon/sensor/event_json.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "daemon/sensor/event_json.h"

static char *to_text(const void *rec, size_t size)
{
	const char *why = NULL;
	const struct ev_hdr *h = event_check(rec, size, &why);
	cJSON *o;
	char *s;

	assert_non_null(h);
	o = event_json(h);
	assert_non_null(o);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static void init_hdr(struct ev_hdr *h, unsigned type, size_t size)
{
	h->type = type;
	h->version = EV_VERSION;
	h->size = size;
	h->pid = 42;
	h->server_id = 3;
	h->ncalls = 1;
	h->calls[0] = 77;
	h->cgroup_id = 0x100000000000001ull;	/* above 2^53: must stay exact */
	strcpy(h->comm, "python3");
}

static void exec_argv_bounded(void **state)
{
	struct ev_exec e = { 0 };
	char *s;
	size_t n = 0;

	(void)state;
	init_hdr(&e.h, EV_EXEC, sizeof(e));
	strcpy(e.filename, "/usr/bin/id");
	for (int i = 0; i < 10; i++)	/* "a0\0a1\0...a9\0" */
		n += sprintf(e.args + n, "a%d", i) + 1;
	e.args_len = n;
	e.argc = 10;
	s = to_text(&e, sizeof(e));
	assert_non_null(strstr(s, "\"argv\":[\"a0\",\"a1\",\"a2\",\"a3\",\"a4\",\"a5\",\"a6\",\"a7\"]"));
	assert_non_null(strstr(s, "\"argv_truncated\":true"));
	assert_non_null(strstr(s, "\"exe\":\"/usr/bin/id\""));
	assert_non_null(strstr(s, "\"server_id\":3,\"calls\":[77],\"ambiguous\":false"));
	assert_non_null(strstr(s, "\"cgroup_id\":72057594037927937,"));
	free(s);

	e.argc = 2;
	e.args_len = 6;	/* "a0\0a1\0" */
	s = to_text(&e, sizeof(e));
	assert_non_null(strstr(s, "\"argv\":[\"a0\",\"a1\"]"));
	assert_non_null(strstr(s, "\"argv_truncated\":false"));
	free(s);
}

static void net_addresses(void **state)
{
	struct ev_net e = { 0 };
	const uint8_t v6[16] = { [15] = 1 };
	char *s;

	(void)state;
	init_hdr(&e.h, EV_NET, sizeof(e));
	e.op = NET_CONNECT;
	e.result = -111;
	e.addr.family = AF_INET;
	e.addr.port = 8080;
	memcpy(e.addr.addr, (uint8_t[]){ 127, 0, 0, 1 }, 4);
	s = to_text(&e, sizeof(e));
	assert_non_null(strstr(s, "\"op\":\"connect\",\"fd\":0,\"result\":-111,\"family\":\"inet\","
				  "\"addr\":\"127.0.0.1\",\"port\":8080"));
	free(s);

	e.op = NET_SENDTO;
	e.addr.family = AF_INET6;
	memcpy(e.addr.addr, v6, 16);
	s = to_text(&e, sizeof(e));
	assert_non_null(strstr(s, "\"family\":\"inet6\",\"addr\":\"::1\""));
	free(s);

	e.addr.family = AF_UNIX;
	strcpy(e.addr.path, "@abstract");
	s = to_text(&e, sizeof(e));
	assert_non_null(strstr(s, "\"family\":\"unix\",\"path\":\"@abstract\""));
	assert_null(strstr(s, "\"port\""));
	free(s);
}

static void bad_records_refused(void **state)
{
	struct ev_fork e = { 0 };
	const char *why = NULL;

	(void)state;
	init_hdr(&e.h, EV_FORK, sizeof(e));
	assert_non_null(event_check(&e, sizeof(e), &why));
	assert_null(event_check(&e, sizeof(e.h) - 1, &why));
	assert_string_equal(why, "shorter than a header");
	e.h.version = EV_VERSION + 1;
	assert_null(event_check(&e, sizeof(e), &why));
	e.h.version = EV_VERSION;
	e.h.size = sizeof(struct ev_net);	/* claims more than a fork record */
	assert_null(event_check(&e, sizeof(e), &why));
	e.h.size = sizeof(e);
	e.h.type = EV_TYPE_MAX;
	assert_null(event_check(&e, sizeof(e), &why));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exec_argv_bounded),
		cmocka_unit_test(net_addresses),
		cmocka_unit_test(bad_records_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
