/* test_syslog.c: unit tests for --syslog: target parsing, the RFC 5424 message, and the forwarder's order and losses. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "audit/syslog_fwd.h"
#include "audit/syslog_msg.h"
#include "audit/syslog_target.h"

static void targets(void **state)
{
	static const char *const bad[] = {
		"", "udp://", "udp://host", "udp://host:", "udp://host:0", "udp://host:65536", "udp://host:12x",
		"udp://:514", "tcp://a b:514", "tcp://::1:514", "tcp://[::1]514", "tcp://[::1", "unix:relative",
		"unix:", "http://host:80", "LOCAL", "tcp://host:-1", "tcp://host:+5",
	};
	struct syslog_target t;
	char why[256];

	(void)state;
	assert_int_equal(syslog_target_parse("local", &t, why, sizeof(why)), 0);
	assert_int_equal(t.proto, SYSLOG_UNIX);
	assert_string_equal(t.path, "/dev/log");
	assert_int_equal(syslog_target_parse("unix:/run/x.sock", &t, why, sizeof(why)), 0);
	assert_string_equal(t.path, "/run/x.sock");
	assert_int_equal(syslog_target_parse("udp://collector.example:514", &t, why, sizeof(why)), 0);
	assert_int_equal(t.proto, SYSLOG_UDP);
	assert_string_equal(t.host, "collector.example");
	assert_string_equal(t.port, "514");
	assert_false(syslog_target_stream(&t));
	assert_int_equal(syslog_target_parse("tcp://[fe80::1]:6514", &t, why, sizeof(why)), 0);
	assert_int_equal(t.proto, SYSLOG_TCP);
	assert_string_equal(t.host, "fe80::1");
	assert_string_equal(t.port, "6514");
	assert_true(syslog_target_stream(&t));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (syslog_target_parse(bad[i], &t, why, sizeof(why)) == 0)
			fail_msg("'%s' was taken", bad[i]);
		assert_true(why[0] != '\0');
	}
}

/* Known answers: the header's fields, the line byte for byte, octet counting over a stream. */
static void message(void **state)
{
	struct syslog_rec r = { .ts = { 1795774721, 55441000 }, .host = "h1", .pid = 42, .kind = "exec", .seq = 7,
				.hash = "ab12", .line = "{\"seq\":7}", .len = 9 };
	const char *want = "<85>1 2026-11-27T10:18:41.055441Z h1 mcpwarden 42 exec "
			   "[mcpwarden@32473 seq=\"7\" hash=\"ab12\"] {\"seq\":7}";
	char *m, framed[256];
	size_t n;

	(void)state;
	m = syslog_msg_format(&r, false, &n);
	assert_non_null(m);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(m, want, n);
	free(m);
	m = syslog_msg_format(&r, true, &n);
	snprintf(framed, sizeof(framed), "%zu %s", strlen(want), want);
	assert_int_equal(n, strlen(framed));
	assert_memory_equal(m, framed, n);
	free(m);
	/* A host or kind RFC 5424 can't carry becomes "-". */
	r.host = "a b";
	r.kind = "a-kind-name-longer-than-thirty-two-chars";
	m = syslog_msg_format(&r, false, &n);
	assert_non_null(strstr(m, "Z - mcpwarden 42 - [mcpwarden@32473"));
	free(m);
}

/* A datagram collector on a socket path of the test's own. */
static int collector(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static struct syslog_fwd *start(const char *path)
{
	struct syslog_target t;
	struct syslog_fwd *f;
	char spec[128], why[256];

	snprintf(spec, sizeof(spec), "unix:%s", path);
	assert_int_equal(syslog_target_parse(spec, &t, why, sizeof(why)), 0);
	f = syslog_fwd_start(&t, "host", why, sizeof(why));
	if (!f)
		fail_msg("%s", why);
	return f;
}

/* Each forwarder test's collector: a datagram socket in a directory of its own. */
struct site {
	char path[32], sock[64];
	int fd;
};

static int collector_up(void **state)
{
	struct site *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	strcpy(c->path, "/tmp/test_syslog.XXXXXX");
	assert_non_null(mkdtemp(c->path));
	snprintf(c->sock, sizeof(c->sock), "%s/log", c->path);
	c->fd = collector(c->sock);
	*state = c;
	return 0;
}

static int collector_down(void **state)
{
	struct site *c = *state;

	if (c->fd >= 0)
		close(c->fd);
	unlink(c->sock);
	rmdir(c->path);
	free(c);
	return 0;
}

static void record(struct syslog_fwd *f, uint64_t seq, size_t len)
{
	char *line = malloc(len);

	memset(line, 'x', len);
	syslog_fwd_record(f, seq, "00", "exec", line, len);
	free(line);
}

/* Every record arrives, in order, and stop waits for the queue. */
static void in_order(void **state)
{
	struct site *c = *state;
	struct syslog_fwd *f = start(c->sock);
	uint64_t lost, first, last;
	int fd = c->fd;

	for (uint64_t seq = 1; seq <= 200; seq++)
		record(f, seq, 100);
	for (uint64_t seq = 1; seq <= 200; seq++) {
		char buf[4096], want[64];
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

		assert_true(n > 0);
		buf[n] = '\0';
		snprintf(want, sizeof(want), "seq=\"%llu\"", (unsigned long long)seq);
		if (!strstr(buf, want))
			fail_msg("message %llu out of order: %s", (unsigned long long)seq, buf);
	}
	assert_false(syslog_fwd_take_lost(f, &lost, &first, &last));
	syslog_fwd_stop(f);
}

static void record_kind(struct syslog_fwd *f, uint64_t seq, const char *kind, size_t len)
{
	char *line = malloc(len);

	memset(line, 'x', len);
	syslog_fwd_record(f, seq, "00", kind, line, len);
	free(line);
}

/* The next message, as a string (datagrams of the test's collector); fails after 10 s. */
static char *next(int fd)
{
	static char buf[70000];
	struct timeval tv = { .tv_sec = 10 };
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		fail_msg("no message from the forwarder");
	buf[n] = '\0';
	return buf;
}

/* A collector that stops reading: the queue fills to its bound (fork, exit, net only to three quarters of it,
 * so an exec still fits after a flood of them), what does not fit is counted by seq for the trail (a lost
 * syslog_lost record excepted: the trail has it), and the collector, once it reads again, is told of the loss
 * ahead of the next record that fitted. */
static void losses_counted(void **state)
{
	struct site *c = *state;
	size_t per = 64 * 1024 - 512;	/* near the largest datagram a unix socket takes at once */
	uint64_t n = SYSLOG_QUEUE_BYTES / per + 40, seq, lost, first, last, bulk_first = 0;
	struct syslog_fwd *f = start(c->sock);
	int fd = c->fd;
	char want[128];
	cJSON *st;

	for (seq = 1; seq <= n; seq++) {	/* a flood of forks */
		record_kind(f, seq, "fork", per);
		if (!bulk_first && syslog_fwd_take_lost(f, &lost, &first, &last))
			bulk_first = first;
	}
	assert_true(bulk_first > 1 && bulk_first < n);
	assert_true(bulk_first * per < SYSLOG_BULK_BYTES + 40 * per);	/* stopped near three quarters */
	record_kind(f, seq++, "exec", per);	/* still fits */
	assert_true(syslog_fwd_take_lost(f, &lost, &first, &last));
	assert_int_equal(last, n);	/* the exec is not among the lost */
	record_kind(f, seq++, "syslog_lost", 100);	/* fits */
	for (; seq <= n + 40; seq++)
		record_kind(f, seq, "syslog_lost", per);	/* some are lost, and not handed back to the trail */
	assert_false(syslog_fwd_take_lost(f, &lost, &first, &last));
	st = syslog_fwd_json(f);
	assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(st, "queued")) > 0);
	assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(st, "lost")) > 0);
	cJSON_Delete(st);
	/* The collector reads again: past the forks that fitted, the notice of the lost ones, then the exec. */
	for (seq = 1; seq < bulk_first; seq++)
		assert_non_null(strstr(next(fd), " fork "));
	snprintf(want, sizeof(want), "syslog_lost [mcpwarden@32473 lost=\"%llu\" first=\"%llu\" last=\"%llu\"]",
		 (unsigned long long)(n - bulk_first + 1), (unsigned long long)bulk_first, (unsigned long long)n);
	if (!strstr(next(fd), want))
		fail_msg("no notice '%s' before the exec", want);
	assert_non_null(strstr(next(fd), " exec "));
	syslog_fwd_stop(f);
}

/* A stop while the collector is away and the sender waits to reconnect: the collector that comes back within
 * the stop's wait gets the queue, and the stop returns within its bound. */
static void stop_in_backoff(void **state)
{
	struct site *c = *state;
	struct syslog_fwd *f = start(c->sock);
	struct timespec t0, t1;

	close(c->fd);
	unlink(c->sock);	/* away: sends fail, reconnects fail, the sender backs off */
	for (uint64_t seq = 1; seq <= 3; seq++)
		record(f, seq, 10);
	sleep(2);	/* into a backoff of 1 s or more */
	c->fd = collector(c->sock);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	syslog_fwd_stop(f);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (int i = 1; i <= 3; i++) {
		char want[32];

		snprintf(want, sizeof(want), "seq=\"%d\"", i);
		assert_non_null(strstr(next(c->fd), want));
	}
	assert_true(t1.tv_sec - t0.tv_sec <= SYSLOG_STOP_WAIT_MS / 1000 + SYSLOG_SEND_TIMEOUT_MS / 1000);
}

/* A target that is not there stops the start, naming it. */
static void refused_start(void **state)
{
	struct syslog_target t;
	char why[256];

	(void)state;
	assert_int_equal(syslog_target_parse("unix:/nonexistent/log", &t, why, sizeof(why)), 0);
	assert_null(syslog_fwd_start(&t, "host", why, sizeof(why)));
	assert_non_null(strstr(why, "unix:/nonexistent/log"));
	assert_int_equal(syslog_target_parse("tcp://127.0.0.1:1", &t, why, sizeof(why)), 0);
	assert_null(syslog_fwd_start(&t, "host", why, sizeof(why)));
	assert_non_null(strstr(why, "Connection refused"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(targets),
		cmocka_unit_test(message),
		cmocka_unit_test_setup_teardown(in_order, collector_up, collector_down),
		cmocka_unit_test_setup_teardown(losses_counted, collector_up, collector_down),
		cmocka_unit_test_setup_teardown(stop_in_backoff, collector_up, collector_down),
		cmocka_unit_test(refused_start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
