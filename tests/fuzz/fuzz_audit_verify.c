/* fuzz_audit_verify.c: libFuzzer harness for `audit verify`, which root runs over files an attacker may have
 * written: the input is a segment, checked as the chain's first (seq, prev, tail). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/verify.h"

static char dir[64];

/* The segment and its directory go when the fuzzer exits. */
static void tidy(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/seg-00000000000000000001.jsonl", dir);
	unlink(path);
	rmdir(dir);
}

static void ignore(void *ctx, const char *segment, uint64_t seq, const char *what)
{
	(void)ctx;
	(void)segment;
	(void)seq;
	(void)what;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128];
	uint64_t records;
	FILE *f;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/mcpwarden-fuzz-audit.XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(tidy);
	}
	snprintf(path, sizeof(path), "%s/seg-00000000000000000001.jsonl", dir);
	if (!(f = fopen(path, "w")))
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	audit_verify(dir, NULL, ignore, NULL, &records);
	return 0;
}
