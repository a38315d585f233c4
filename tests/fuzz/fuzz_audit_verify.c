/* fuzz_audit_verify.c: libFuzzer harness for `audit verify --key --key-file`, which root runs over files an attacker
 * may have written: the input is a segment, checked as the chain's first (seq, prev, tail), and its seals under a
 * fixed verification key (bytes 0..31; seeds/audit_verify/sealed holds seals that hold under it), against a key
 * file at epoch 4 of that key. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/verify.h"

static char dir[64];
static struct seal_key k0, file;

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
	struct verify_seals seals = { .key = &k0, .file = &file };
	uint64_t records;
	FILE *f;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/mcpwarden-fuzz-audit.XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(tidy);
		for (int i = 0; i < SEAL_KEY_BYTES; i++)
			k0.key[i] = (unsigned char)i;
		file = k0;
		while (file.epoch < 4)
			if (seal_evolve(&file) < 0)
				abort();
	}
	snprintf(path, sizeof(path), "%s/seg-00000000000000000001.jsonl", dir);
	if (!(f = fopen(path, "w")))
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	audit_verify(dir, &seals, ignore, NULL, &records);
	return 0;
}
