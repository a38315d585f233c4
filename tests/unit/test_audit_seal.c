/* test_audit_seal.c: unit tests of forward-secure sealing: the key's evolution and file, and verify --key against
 * trails forged with the chain recomputed (delete, edit, cut, lost segment, a key stolen midway). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/chain.h"
#include "audit/seal.h"
#include "audit/segments.h"
#include "audit/verify.h"

struct found {
	char text[8192];
	int n;
};

static void collect(void *ctx, const char *segment, uint64_t seq, const char *what)
{
	struct found *f = ctx;
	size_t len = strlen(f->text);

	snprintf(f->text + len, sizeof(f->text) - len, "%s seq %llu: %s\n", segment, (unsigned long long)seq, what);
	f->n++;
}

static int verify(const char *dir, const struct seal_key *k, struct found *f)
{
	uint64_t records;

	memset(f, 0, sizeof(*f));
	return audit_verify(dir, k, collect, f, &records);
}

/* A sealed trail: its directory, its key file, and the verification key keygen printed. */
struct trail {
	char dir[64];
	char keyfile[80];
	struct seal_key vkey;
};

static void trail_new(struct trail *t)
{
	char hex[SEAL_HEX_LEN + 1];

	snprintf(t->dir, sizeof(t->dir), "/tmp/mcpwarden-seal.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->keyfile, sizeof(t->keyfile), "%s.key", t->dir);
	assert_int_equal(seal_keygen(t->keyfile, hex), 0);
	assert_int_equal(seal_parse_hex(hex, &t->vkey), 0);
}

static void trail_open(struct trail *t, struct audit_log *a, size_t seg_bytes)
{
	struct audit_opts o = { .dir = t->dir, .host = "h", .fsync_ms = 60000, .max_segment_bytes = seg_bytes,
				.seal_key = t->keyfile };

	assert_int_equal(audit_open(a, &o), 0);
}

/* Appends n records, a sync (so a seal) after every `batch`: records 1-5 and the seal at 6, 7-11 and the seal at
 * 12, ... with batch 5. 0, or -1 (an assert would leave the log's thread running). */
static int trail_add(struct audit_log *a, int n, int batch)
{
	int failed = 0;

	for (int i = 0; i < n; i++) {
		cJSON *r = cJSON_CreateObject();

		cJSON_AddNumberToObject(r, "i", i);
		cJSON_AddStringToObject(r, "what", "payload");
		failed |= audit_append(a, "test", r);
		if ((i + 1) % batch == 0)
			failed |= audit_sync(a);
	}
	return failed;
}

/* A daemon's run: opens, appends, closes. */
static void trail_write(struct trail *t, int n, int batch, size_t seg_bytes)
{
	struct audit_log a;
	int failed;

	trail_open(t, &a, seg_bytes);
	failed = trail_add(&a, n, batch);
	audit_close(&a);
	assert_int_equal(failed, 0);
}

static void trail_rm(struct trail *t)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", t->dir, t->keyfile);
	assert_int_equal(system(cmd), 0);
}

static void live_path(const char *dir, char *out, size_t sz)
{
	struct segment *segs;
	int n = segments_list(dir, &segs);

	assert_true(n > 0);
	assert_false(segs[n - 1].compressed);
	snprintf(out, sz, "%s/%s", dir, segs[n - 1].name);
	free(segs);
}

/* What a forger does to each record (seq as read); returns false to drop it. */
typedef bool (*edit_fn)(cJSON *rec, uint64_t seq);

/* Rewrites the live segment as an attacker who can recompute every hash would: each record through edit, the seqs
 * renumbered, every prev and sealed_seq recomputed, seals of epoch >= stolen->epoch remade with that key (NULL:
 * none), head.json rewritten. Only the live segment: the trails here fit in one (but the lost-segment case). */
static void forge(const char *dir, edit_fn edit, const struct seal_key *stolen)
{
	char path[256], tmp[300], *line = NULL, prev[SHA256_HEX_LEN + 1], head[400];
	size_t cap = 0;
	uint64_t seq = 0, first = 0;
	FILE *in, *out;
	ssize_t n;

	live_path(dir, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.forged", path);
	in = fopen(path, "r");
	out = fopen(tmp, "w");
	assert_non_null(in);
	assert_non_null(out);
	while ((n = getline(&line, &cap, in)) > 0) {
		cJSON *o = cJSON_ParseWithLength(line, (size_t)n);
		uint64_t was = (uint64_t)cJSON_GetObjectItem(o, "seq")->valuedouble;
		const char *kind = cJSON_GetObjectItem(o, "kind")->valuestring;
		char *text;

		if (!first) {	/* the chain comes in from the segment before */
			first = was;
			seq = was - 1;
			snprintf(prev, sizeof(prev), "%s", cJSON_GetObjectItem(o, "prev")->valuestring);
		}
		if (!edit(o, was)) {
			cJSON_Delete(o);
			continue;
		}
		seq++;
		cJSON_SetNumberValue(cJSON_GetObjectItem(o, "seq"), (double)seq);
		cJSON_SetValuestring(cJSON_GetObjectItem(o, "prev"), prev);
		if (!strcmp(kind, "seal")) {
			uint64_t epoch = (uint64_t)cJSON_GetObjectItem(o, "epoch")->valuedouble;

			cJSON_SetNumberValue(cJSON_GetObjectItem(o, "sealed_seq"), (double)(seq - 1));
			if (stolen && epoch >= stolen->epoch) {
				struct seal_key k = *stolen;
				char mac[SHA256_HEX_LEN + 1];

				while (k.epoch < epoch)
					assert_int_equal(seal_evolve(&k), 0);
				assert_int_equal(seal_mac(&k, seq - 1, prev, mac), 0);
				cJSON_SetValuestring(cJSON_GetObjectItem(o, "mac"), mac);
			}
		}
		text = cJSON_PrintUnformatted(o);
		sha256_hex(text, strlen(text), prev);
		fprintf(out, "%s\n", text);
		free(text);
		cJSON_Delete(o);
	}
	free(line);
	fclose(in);
	fclose(out);
	assert_true(first > 0);
	assert_int_equal(rename(tmp, path), 0);
	snprintf(head, sizeof(head), "echo '{\"seq\":%llu,\"hash\":\"%s\"}' > '%s/" AUDIT_HEAD_FILE "'",
		 (unsigned long long)seq, prev, dir);
	assert_int_equal(system(head), 0);
}

static bool keep_all(cJSON *rec, uint64_t seq)
{
	(void)rec;
	(void)seq;
	return true;
}

static bool drop_8(cJSON *rec, uint64_t seq)
{
	(void)rec;
	return seq != 8;
}

static bool edit_8(cJSON *rec, uint64_t seq)
{
	if (seq == 8)
		cJSON_SetValuestring(cJSON_GetObjectItem(rec, "what"), "PAYLOAD");
	return true;
}

static bool cut_from_27(cJSON *rec, uint64_t seq)
{
	(void)rec;
	return seq < 27;
}

static bool edit_2(cJSON *rec, uint64_t seq)
{
	if (seq == 2)
		cJSON_SetValuestring(cJSON_GetObjectItem(rec, "what"), "PAYLOAD");
	return true;
}

static bool edit_26(cJSON *rec, uint64_t seq)
{
	if (seq == 26)
		cJSON_SetValuestring(cJSON_GetObjectItem(rec, "what"), "PAYLOAD");
	return true;
}

static void want(const struct found *f, const char *what)
{
	if (!strstr(f->text, what))
		fail_msg("want '%s' in:\n%s", what, f->text);
}

/* Known answers (Python's hashlib and hmac): k1 = SHA-256("mcpwarden-seal" || k0) for k0 = 32 zero bytes, and the
 * mac of head (7, "ab"*32) at epoch 1. */
static void key_evolves_and_macs(void **state)
{
	struct seal_key k = { .epoch = 0 }, bad;
	char mac[SHA256_HEX_LEN + 1], hex[SEAL_HEX_LEN + 2], head[SHA256_HEX_LEN + 1];

	(void)state;
	memset(head, 'a', SHA256_HEX_LEN);
	for (int i = 1; i < SHA256_HEX_LEN; i += 2)
		head[i] = 'b';
	head[SHA256_HEX_LEN] = '\0';
	assert_int_equal(seal_evolve(&k), 0);
	assert_int_equal(k.epoch, 1);
	assert_int_equal(seal_parse_hex("853640769e69471f9949badc9b090027a81ff592cc5adabf7fef5cc08ed7c440\n", &bad), 0);
	assert_memory_equal(k.key, bad.key, SEAL_KEY_BYTES);
	assert_int_equal(seal_mac(&k, 7, head, mac), 0);
	assert_string_equal(mac, "9a41e0c37f508ddcc7d8967f9efa0f4ca985f50cf8baae9d44afe139f3404730");
	memset(hex, '0', SEAL_HEX_LEN);
	hex[SEAL_HEX_LEN] = '\0';
	assert_int_equal(seal_parse_hex(hex, &bad), 0);
	hex[3] = 'g';
	assert_int_equal(seal_parse_hex(hex, &bad), -1);
	hex[3] = '0';
	hex[SEAL_HEX_LEN - 1] = '\0';
	assert_int_equal(seal_parse_hex(hex, &bad), -1);	/* short */
	strcpy(hex + SEAL_HEX_LEN - 1, "00");
	assert_int_equal(seal_parse_hex(hex, &bad), -1);	/* long */
}

/* keygen: a new file, 0600, refused over an old one; advance overwrites it in place with the next epoch's key. */
static void key_file_moves_on(void **state)
{
	struct trail t;
	struct audit_seal s;
	struct seal_key next;
	struct stat st;
	char hex[SEAL_HEX_LEN + 1], cmd[200];

	(void)state;
	trail_new(&t);
	assert_int_equal(stat(t.keyfile, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, SEAL_FILE_LEN);
	assert_int_equal(seal_keygen(t.keyfile, hex), -1);	/* exists */
	assert_int_equal(seal_open(&s, t.keyfile), 0);
	assert_int_equal(s.k.epoch, 0);
	assert_memory_equal(s.k.key, t.vkey.key, SEAL_KEY_BYTES);
	assert_int_equal(seal_advance(&s), 0);
	seal_close(&s);
	next = t.vkey;
	assert_int_equal(seal_evolve(&next), 0);
	assert_int_equal(seal_open(&s, t.keyfile), 0);
	assert_int_equal(s.k.epoch, 1);
	assert_memory_equal(s.k.key, next.key, SEAL_KEY_BYTES);
	seal_close(&s);
	snprintf(cmd, sizeof(cmd), "sed -i 's/epoch 0/epoch x/' '%s'", t.keyfile);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(seal_open(&s, t.keyfile), -1);	/* not a key file */
	assert_int_equal(seal_open(&s, "/nonexistent/key"), -1);
	trail_rm(&t);
}

/* An intact trail verifies with its key, and the daemon's key file ended at the epoch after the last seal; a wrong
 * key fails at the first seal. */
static void sealed_trail_verifies(void **state)
{
	struct trail t;
	struct found f;
	struct audit_seal s;
	struct seal_key wrong = { .epoch = 0 };

	(void)state;
	trail_new(&t);
	trail_write(&t, 30, 5, 0);	/* seals at 6, 12, ..., 36 */
	assert_int_equal(verify(t.dir, &t.vkey, &f), 0);
	assert_int_equal(verify(t.dir, NULL, &f), 0);
	assert_int_equal(seal_open(&s, t.keyfile), 0);
	assert_int_equal(s.k.epoch, 6);
	seal_close(&s);
	forge(t.dir, keep_all, NULL);	/* the forger's round trip changes nothing */
	assert_int_equal(verify(t.dir, &t.vkey, &f), 0);
	assert_int_equal(verify(t.dir, &wrong, &f), 6);	/* each seal fails */
	want(&f, "seal at seq 6 (epoch 0) fails: records up to seq 5 are not what was sealed: first bad seq 1");
	trail_rm(&t);
}

/* The three forgeries, each with the chain recomputed so that verify without a key passes. */
static void forged_trails_fail(void **state)
{
	static const struct {
		edit_fn edit;
		const char *want;
	} cases[] = {
		{ drop_8, "seal at seq 11 (epoch 1) fails: records up to seq 10 are not what was sealed: first bad seq 7" },
		{ edit_8, "seal at seq 12 (epoch 1) fails: records up to seq 11 are not what was sealed: first bad seq 7" },
		{ cut_from_27, "records 25..26 come after the last seal: unsealed, a running daemon's last batch or a "
			       "cut tail: first bad seq 25" },
	};
	struct trail t;
	struct found f;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		trail_new(&t);
		trail_write(&t, 30, 5, 0);
		forge(t.dir, cases[i].edit, NULL);
		assert_int_equal(verify(t.dir, NULL, &f), 0);	/* the forgery is good enough for the chain */
		assert_true(verify(t.dir, &t.vkey, &f) > 0);
		want(&f, cases[i].want);
		trail_rm(&t);
	}
}

/* A key file copied at epoch 3 (after the seals of 0-2, records up to 18): the thief can reseal what comes after
 * (the control: the edit of record 26 verifies), never what came before (record 2). */
static void stolen_key_cannot_reseal_the_past(void **state)
{
	struct trail t;
	struct found f;
	struct audit_seal s;
	struct seal_key stolen;
	struct audit_log a;
	int failed, stole;

	(void)state;
	trail_new(&t);
	trail_open(&t, &a, 0);
	failed = trail_add(&a, 15, 5);
	stole = seal_open(&s, t.keyfile);	/* what a thief reads at T */
	stolen = s.k;
	seal_close(&s);
	failed |= trail_add(&a, 15, 5);
	audit_close(&a);
	assert_int_equal(failed, 0);
	assert_int_equal(stole, 0);
	assert_int_equal(stolen.epoch, 3);
	forge(t.dir, edit_26, &stolen);
	if (verify(t.dir, &t.vkey, &f))
		fail_msg("the thief's seals after T fail:\n%s", f.text);
	forge(t.dir, edit_2, &stolen);
	assert_int_equal(verify(t.dir, NULL, &f), 0);
	assert_true(verify(t.dir, &t.vkey, &f) > 0);
	want(&f, "seal at seq 6 (epoch 0) fails: records up to seq 5 are not what was sealed: first bad seq 1");
	trail_rm(&t);
}

/* The newest segment (and head.json) deleted: verify --key sees the cut; a daemon that starts on what is left says
 * so in a recovered record, and verify --key flags the seals missing from the gap, though the chain verifies. */
static void lost_newest_segment_is_recorded_and_flagged(void **state)
{
	struct trail t;
	struct found f;
	struct segment *segs;
	char path[300];
	int n;

	(void)state;
	for (int keep_head = 0; keep_head < 2; keep_head++) {
		trail_new(&t);
		trail_write(&t, 60, 3, 1500);
		n = segments_list(t.dir, &segs);
		assert_true(n >= 3);
		snprintf(path, sizeof(path), "%s/%s", t.dir, segs[n - 1].name);
		free(segs);
		assert_int_equal(unlink(path), 0);
		snprintf(path, sizeof(path), "%s/" AUDIT_HEAD_FILE, t.dir);
		assert_int_equal(keep_head || !unlink(path), 1);
		assert_true(verify(t.dir, &t.vkey, &f) > 0);
		want(&f, keep_head ? "were synced but are gone" : "head file missing");
		trail_write(&t, 3, 3, 1500);	/* a daemon starts on what is left */
		assert_int_equal(verify(t.dir, NULL, &f), 0);	/* the chain alone can't tell */
		assert_true(verify(t.dir, &t.vkey, &f) > 0);
		want(&f, keep_head ? "a restart found the head file ahead" : "a restart found the head file missing");
		want(&f, "before it are missing (records or a segment deleted, or lost in a crash): first bad seq");
		trail_rm(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(key_evolves_and_macs),
		cmocka_unit_test(key_file_moves_on),
		cmocka_unit_test(sealed_trail_verifies),
		cmocka_unit_test(forged_trails_fail),
		cmocka_unit_test(stolen_key_cannot_reseal_the_past),
		cmocka_unit_test(lost_newest_segment_is_recorded_and_flagged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
