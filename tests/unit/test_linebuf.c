/* test_linebuf.c: unit tests of the line framer: splitting, CRLF, caps, EOF. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "shim/linebuf.h"

struct seen {
	char lines[16][128];
	size_t lens[16];
	enum linebuf_event ev[16];
	size_t n;
};

static int collect(void *ctx, enum linebuf_event ev, const char *data, size_t len)
{
	struct seen *s = ctx;

	assert_true(s->n < 16);
	s->ev[s->n] = ev;
	s->lens[s->n] = len;
	memcpy(s->lines[s->n], data, len < 127 ? len : 127);
	s->lines[s->n][len < 127 ? len : 127] = '\0';
	s->n++;
	return 0;
}

static void splits_lines_across_chunks(void **state)
{
	struct linebuf lb;
	struct seen s = { .n = 0 };

	(void)state;
	linebuf_init(&lb, 1 << 20);
	assert_int_equal(linebuf_feed(&lb, "{\"a\":1}\n{\"b\"", 12, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.lines[0], "{\"a\":1}\n");
	assert_int_equal(linebuf_feed(&lb, ":2}\r\n\n", 6, collect, &s), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.lines[1], "{\"b\":2}\r\n");
	assert_int_equal(linebuf_trim(s.lines[1], s.lens[1]), 7);
	assert_string_equal(s.lines[2], "\n");
	linebuf_free(&lb);
}

static void oversize_line_is_reported_and_stream_resyncs(void **state)
{
	struct linebuf lb;
	struct seen s = { .n = 0 };
	size_t big = 10000;
	char *data = malloc(big + 20);

	(void)state;
	memset(data, 'x', big);
	data[0] = '{';
	memcpy(data + big, "\n{\"ok\":1}\n", 10);
	linebuf_init(&lb, 5000);
	/* Feed in odd chunks to cross the cap mid-chunk. */
	for (size_t off = 0; off < big + 10; off += 777)
		assert_int_equal(linebuf_feed(&lb, data + off, off + 777 > big + 10 ? big + 10 - off : 777,
					      collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ev[0], LINEBUF_OVERSIZE);
	assert_int_equal(s.lens[0], LINEBUF_HEAD);
	assert_int_equal(lb.skipped, big + 1);
	assert_int_equal(s.ev[1], LINEBUF_LINE);
	assert_string_equal(s.lines[1], "{\"ok\":1}\n");
	linebuf_free(&lb);
	free(data);
}

static void eof_delivers_unterminated_line(void **state)
{
	struct linebuf lb;
	struct seen s = { .n = 0 };

	(void)state;
	linebuf_init(&lb, 1 << 20);
	assert_int_equal(linebuf_feed(&lb, "{\"tail\":true}", 13, collect, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(linebuf_finish(&lb, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.lines[0], "{\"tail\":true}");
	linebuf_free(&lb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(splits_lines_across_chunks),
		cmocka_unit_test(oversize_line_is_reported_and_stream_resyncs),
		cmocka_unit_test(eof_delivers_unterminated_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
