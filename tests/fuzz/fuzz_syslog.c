/* fuzz_syslog.c: libFuzzer harness for the --syslog target parser and the RFC 5424 formatter: what parses is whole, and every message holds its line byte for byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/syslog_msg.h"
#include "audit/syslog_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct syslog_target t;
	struct syslog_rec r = { .pid = 1, .seq = size, .hash = "ab" };
	char *s = malloc(size + 1), why[256], *m;
	const char *nl;
	size_t n;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (syslog_target_parse(s, &t, why, sizeof(why)) == 0) {
		if (t.proto == SYSLOG_UNIX ? t.path[0] != '/' : !t.host[0] || atoi(t.port) < 1 || atoi(t.port) > 65535)
			abort();	/* taken but not whole */
	} else if (!why[0]) {
		abort();	/* refused without a reason */
	}
	/* host and kind are the input's first line, the line the rest. */
	nl = memchr(s, '\n', size);
	r.host = r.kind = s;
	r.line = nl ? nl + 1 : s;
	r.len = size - (size_t)(r.line - s);
	if (nl)
		s[nl - s] = '\0';
	r.ts.tv_sec = (time_t)size * 1000003;
	m = syslog_msg_format(&r, size & 1, &n);
	if (m && (n < r.len || memcmp(m + n - r.len, r.line, r.len) || memchr(m, '\n', n - r.len)))
		abort();	/* the line is not the message's end, or the header breaks a line */
	if (m && (size & 1)) {	/* octet counting: "LEN " then exactly LEN bytes */
		char *sp = memchr(m, ' ', n);

		if (!sp || strtoull(m, NULL, 10) != n - (size_t)(sp + 1 - m))
			abort();
	}
	free(m);
	free(s);
	return 0;
}
