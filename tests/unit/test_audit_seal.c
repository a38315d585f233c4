/* test_audit_seal.c: unit tests of forward-secure sealing: the key's evolution and file, the sealer's order and its
 * failures, and verify --key against trails forged with the chain recomputed (delete, edit, cut, lost segment, a
 * key stolen midway). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/chain.h"
#include "audit/seal_file.h"
#include "audit/segments.h"
#include "audit/verify.h"
#include "audit_live.h"

struct found {
	char text[8192];
	int n;
	struct verify_seals seals;
};

static void collect(void *ctx, const char *segment, uint64_t seq, const char *what)
{
	struct found *f = ctx;
	size_t len = strlen(f->text);

	snprintf(f->text + len, sizeof(f->text) - len, "%s seq %" PRIu64 ": %s\n", segment, seq, what);
	f->n++;
}

/* verify (--key k when not NULL, --key-file keyfile when not NULL): its problems into f. */
static int verify_file(const char *dir, const struct seal_key *k, const char *keyfile, struct found *f)
{
	struct seal_key file;
	uint64_t records;

	memset(f, 0, sizeof(*f));
	f->seals.key = k;
	if (keyfile) {
		assert_int_equal(seal_file_read(keyfile, &file), 0);
		f->seals.file = &file;
	}
	return audit_verify(dir, k ? &f->seals : NULL, collect, f, &records);
}

static int verify(const char *dir, const struct seal_key *k, struct found *f)
{
	return verify_file(dir, k, NULL, f);
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

static int trail_open_ms(struct trail *t, struct audit_log *a, size_t seg_bytes, long seal_ms)
{
	struct audit_opts o = { .dir = t->dir, .host = "h", .fsync_ms = 60000, .max_segment_bytes = seg_bytes,
				.seal_key = t->keyfile, .seal_ms = seal_ms };

	return audit_open(a, &o);
}

static void trail_open(struct trail *t, struct audit_log *a, size_t seg_bytes)
{
	assert_int_equal(trail_open_ms(t, a, seg_bytes, 0), 0);
}

/* Appends n records, a sync (so a seal) after every `batch`: records 1-5 and the seal at 6, 7-11 and the seal at
 * 12, ... with batch 5 (epochs 1, 2, ...). 0, or -1 (an assert would leave the log's thread running). */
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

/* A run that does not seal: n records, synced. */
static void unsealed_write(struct trail *t, int n)
{
	struct audit_opts o = { .dir = t->dir, .host = "h", .fsync_ms = 60000 };
	struct audit_log a;
	int failed;

	assert_int_equal(audit_open(&a, &o), 0);
	failed = trail_add(&a, n, n);
	audit_close(&a);
	assert_int_equal(failed, 0);
}

static void trail_rm(struct trail *t)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", t->dir, t->keyfile);
	assert_int_equal(system(cmd), 0);
}

/* The key file's bytes, to put back later (a key file a crash left behind, or one a thief kept). */
static void key_file_save(const char *path, char buf[SEAL_FILE_LEN])
{
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_int_equal(fread(buf, 1, SEAL_FILE_LEN, f), SEAL_FILE_LEN);
	fclose(f);
}

static void key_file_put_back(const char *path, const char buf[SEAL_FILE_LEN])
{
	FILE *f = fopen(path, "r+");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, SEAL_FILE_LEN, f), SEAL_FILE_LEN);
	fclose(f);
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
				assert_int_equal(seal_mac(&k, seq - 1, prev, cJSON_GetObjectItem(o, "ts")->valuestring,
							  mac), 0);
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
	snprintf(head, sizeof(head), "echo '{\"seq\":%" PRIu64 ",\"hash\":\"%s\"}' > '%s/" AUDIT_HEAD_FILE "'", seq,
		 prev, dir);
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

static bool set_what(cJSON *rec, uint64_t seq, uint64_t at)
{
	if (seq == at)
		cJSON_SetValuestring(cJSON_GetObjectItem(rec, "what"), "PAYLOAD");
	return true;
}

static bool edit_2(cJSON *rec, uint64_t seq)
{
	return set_what(rec, seq, 2);
}

static bool edit_8(cJSON *rec, uint64_t seq)
{
	return set_what(rec, seq, 8);
}

static bool edit_26(cJSON *rec, uint64_t seq)
{
	return set_what(rec, seq, 26);
}

static bool cut_from_27(cJSON *rec, uint64_t seq)
{
	(void)rec;
	return seq < 27;
}

static bool cut_after_seal_24(cJSON *rec, uint64_t seq)
{
	(void)rec;
	return seq <= 24;
}

/* The seal at 12 stamped a minute later: a trail made to look fresher. */
static bool later_seal_12(cJSON *rec, uint64_t seq)
{
	if (seq == 12)
		cJSON_SetValuestring(cJSON_GetObjectItem(rec, "ts"), "2099-01-01T00:00:00.000000Z");
	return true;
}

static bool far_epoch_12(cJSON *rec, uint64_t seq)
{
	if (seq == 12)
		cJSON_SetNumberValue(cJSON_GetObjectItem(rec, "epoch"), (double)(1ull << 40));
	return true;
}

static void want(const struct found *f, const char *what)
{
	if (!strstr(f->text, what))
		fail_msg("want '%s' in:\n%s", what, f->text);
}

static void want_none(const struct found *f, int rc)
{
	if (rc)
		fail_msg("want no problem, got %d:\n%s", rc, f->text);
}

/* Known answers (Python's hashlib and hmac): k1 = SHA-256("mcpwarden-seal" || k0) for k0 = 32 zero bytes, and the
 * mac of head (7, "ab"*32) in a seal stamped 2026-11-28T08:55:50.123456Z at epoch 1. */
static void key_evolves_and_macs(void **state)
{
	static const char ts[] = "2026-11-28T08:55:50.123456Z";
	struct seal_key k = { .epoch = 0 }, bad;
	char mac[SHA256_HEX_LEN + 1], hex[SEAL_HEX_LEN + 2], head[SHA256_HEX_LEN + 1], longts[SEAL_TS_MAX + 1];

	(void)state;
	memset(head, 'a', SHA256_HEX_LEN);
	for (int i = 1; i < SHA256_HEX_LEN; i += 2)
		head[i] = 'b';
	head[SHA256_HEX_LEN] = '\0';
	assert_int_equal(seal_evolve(&k), 0);
	assert_int_equal(k.epoch, 1);
	assert_int_equal(seal_parse_hex("853640769e69471f9949badc9b090027a81ff592cc5adabf7fef5cc08ed7c440\n", &bad), 0);
	assert_memory_equal(k.key, bad.key, SEAL_KEY_BYTES);
	assert_int_equal(seal_mac(&k, 7, head, ts, mac), 0);
	assert_string_equal(mac, "1cc4a60eabe8516ca05a65413be7dd39a8a1f687fbeaf5d98477136493ecab86");
	memset(longts, '1', SEAL_TS_MAX);
	longts[SEAL_TS_MAX] = '\0';
	assert_int_equal(seal_mac(&k, 7, head, longts, mac), -1);
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

/* keygen: a new file, 0600, at epoch 1 (k1: the host never holds k0), refused over an old one. */
static void keygen_writes_epoch_1(void **state)
{
	struct trail t;
	struct seal_key k, k1;
	struct stat st;
	char hex[SEAL_HEX_LEN + 1];

	(void)state;
	trail_new(&t);
	assert_int_equal(stat(t.keyfile, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, SEAL_FILE_LEN);
	assert_int_equal(seal_keygen(t.keyfile, hex), -1);	/* exists */
	assert_int_equal(seal_file_read(t.keyfile, &k), 0);
	k1 = t.vkey;
	assert_int_equal(seal_evolve(&k1), 0);
	assert_int_equal(k.epoch, 1);
	assert_memory_equal(k.key, k1.key, SEAL_KEY_BYTES);
	trail_rm(&t);
}

/* The daemon's open refuses a key file that others may read or write, another user's, a symbolic link, not a regular
 * file, at epoch 0 or not a key file, and one another daemon holds; verify's read-only open takes any regular one. */
static void key_file_refused(void **state)
{
	struct trail t;
	struct seal_key k;
	char other[120], cmd[300];
	int fd;

	(void)state;
	trail_new(&t);
	fd = seal_file_open(t.keyfile, &k);
	assert_true(fd >= 0);
	assert_int_equal(seal_file_open(t.keyfile, &k), -1);	/* locked */
	close(fd);
	fd = seal_file_open(t.keyfile, &k);	/* the lock went with the descriptor */
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(t.keyfile, 0640), 0);
	assert_int_equal(seal_file_open(t.keyfile, &k), -1);
	assert_int_equal(seal_file_read(t.keyfile, &k), 0);
	assert_int_equal(chmod(t.keyfile, 0600), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(t.keyfile, 65534, 65534), 0);
		assert_int_equal(seal_file_open(t.keyfile, &k), -1);
		assert_int_equal(chown(t.keyfile, 0, 0), 0);
	}
	snprintf(other, sizeof(other), "%s/link", t.dir);
	assert_int_equal(symlink(t.keyfile, other), 0);
	assert_int_equal(seal_file_open(other, &k), -1);
	assert_int_equal(seal_file_read(other, &k), -1);
	snprintf(other, sizeof(other), "%s/fifo", t.dir);
	assert_int_equal(mkfifo(other, 0600), 0);
	assert_int_equal(seal_file_open(other, &k), -1);
	assert_int_equal(seal_file_read(other, &k), -1);
	assert_int_equal(seal_file_open("/nonexistent/key", &k), -1);
	snprintf(cmd, sizeof(cmd), "sed -i 's/epoch 0*1 /epoch 00000000000000000000 /' '%s'", t.keyfile);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(seal_file_open(t.keyfile, &k), -1);	/* epoch 0: the verification key */
	snprintf(cmd, sizeof(cmd), "sed -i 's/epoch 0/epoch x/' '%s'", t.keyfile);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(seal_file_open(t.keyfile, &k), -1);	/* not a key file */
	trail_rm(&t);
}

/* An intact trail verifies with its key, and says through which seal; the key file ended at the epoch after the last
 * seal and verifies too; a wrong key fails at the first seal. */
static void sealed_trail_verifies(void **state)
{
	struct trail t;
	struct found f;
	struct seal_key wrong = { .epoch = 0 }, k;

	(void)state;
	trail_new(&t);
	trail_write(&t, 30, 5, 0);	/* seals at 6, 12, ..., 36, epochs 1..6 */
	want_none(&f, verify(t.dir, &t.vkey, &f));
	assert_int_equal(f.seals.seq, 36);
	assert_int_equal(f.seals.epoch, 6);
	assert_int_equal(strlen(f.seals.ts), strlen("2026-11-28T08:55:50.123456Z"));
	assert_int_equal(verify(t.dir, NULL, &f), 0);
	assert_int_equal(seal_file_read(t.keyfile, &k), 0);
	assert_int_equal(k.epoch, 7);
	want_none(&f, verify_file(t.dir, &t.vkey, t.keyfile, &f));
	forge(t.dir, keep_all, NULL);	/* the forger's round trip changes nothing */
	want_none(&f, verify(t.dir, &t.vkey, &f));
	assert_int_equal(verify(t.dir, &wrong, &f), 6);	/* each seal fails */
	want(&f, "seal at seq 6 (epoch 1) fails: records up to seq 5, or the seal's ts, are not what was sealed: "
		 "first bad seq 1");
	assert_true(verify_file(t.dir, &wrong, t.keyfile, &f) > 6);
	want(&f, "the key file's key is not epoch 7's under this verification key");
	trail_rm(&t);
}

/* The three forgeries, each with the chain and head.json recomputed so that verify without a key passes, and a seal
 * whose ts was moved. */
static void forged_trails_fail(void **state)
{
	static const struct {
		edit_fn edit;
		const char *want;
	} cases[] = {
		{ drop_8, "seal at seq 11 (epoch 2) fails: records up to seq 10, or the seal's ts, are not what was "
			  "sealed: first bad seq 7" },
		{ edit_8, "seal at seq 12 (epoch 2) fails: records up to seq 11, or the seal's ts, are not what was "
			  "sealed: first bad seq 7" },
		{ cut_from_27, "records 25..26 come after the last seal: unsealed, a running daemon's last batch or a "
			       "cut tail: first bad seq 25" },
		{ later_seal_12, "seal at seq 12 (epoch 2) fails: records up to seq 11, or the seal's ts, are not what "
				 "was sealed: first bad seq 7" },
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

/* A tail cut back to just after a seal, head.json rewritten: every seal left holds; only the key file, which the
 * attacker can't move back, shows the cut. */
static void cut_back_to_a_seal_shows_against_the_key_file(void **state)
{
	struct trail t;
	struct found f;

	(void)state;
	trail_new(&t);
	trail_write(&t, 30, 5, 0);
	forge(t.dir, cut_after_seal_24, NULL);
	want_none(&f, verify(t.dir, &t.vkey, &f));
	assert_int_equal(f.seals.seq, 24);	/* what the admin sees: sealed through an older seal */
	assert_int_equal(verify_file(t.dir, &t.vkey, t.keyfile, &f), 1);
	want(&f, "seq 25: trail ends at seal epoch 4 but the key file is at epoch 7: seals 5..6 missing (tail cut)");
	trail_rm(&t);
}

/* A key file copied at epoch 4 (after the seals of epochs 1-3, records up to 18): the thief can reseal what comes
 * after (the control: the edit of record 26 verifies), never what came before (record 2). */
static void stolen_key_cannot_reseal_the_past(void **state)
{
	struct trail t;
	struct found f;
	struct seal_key stolen;
	struct audit_log a;
	int failed, stole;

	(void)state;
	trail_new(&t);
	trail_open(&t, &a, 0);
	failed = trail_add(&a, 15, 5);
	stole = seal_file_read(t.keyfile, &stolen);	/* what a thief reads at T */
	failed |= trail_add(&a, 15, 5);
	audit_close(&a);
	assert_int_equal(failed, 0);
	assert_int_equal(stole, 0);
	assert_int_equal(stolen.epoch, 4);
	forge(t.dir, edit_26, &stolen);
	if (verify(t.dir, &t.vkey, &f))
		fail_msg("the thief's seals after T fail:\n%s", f.text);
	forge(t.dir, edit_2, &stolen);
	assert_int_equal(verify(t.dir, NULL, &f), 0);
	assert_true(verify(t.dir, &t.vkey, &f) > 0);
	want(&f, "seal at seq 6 (epoch 1) fails: records up to seq 5, or the seal's ts, are not what was sealed: first "
		 "bad seq 1");
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
		want_none(&f, verify(t.dir, NULL, &f));	/* the chain alone can't tell */
		assert_true(verify(t.dir, &t.vkey, &f) > 0);
		want(&f, keep_head ? "a restart found the head file ahead" : "a restart found the head file missing");
		want(&f, "are missing (records or a segment deleted, or lost): first bad seq");
		trail_rm(&t);
	}
}

/* A daemon stopped after a seal but before its key file moved on (the file put back as it was): the next start
 * moves the key past the trail's last seal, so no epoch seals twice and the trail verifies, key file included. */
static void restart_after_a_crash_reuses_no_epoch(void **state)
{
	struct trail t;
	struct found f;
	struct audit_log a;
	char before[SEAL_FILE_LEN];
	int failed;

	(void)state;
	trail_new(&t);
	trail_open(&t, &a, 0);
	failed = trail_add(&a, 5, 5);	/* seal of epoch 1; the file at 2 */
	key_file_save(t.keyfile, before);
	failed |= trail_add(&a, 5, 5);	/* seal of epoch 2; the file at 3 */
	audit_close(&a);
	assert_int_equal(failed, 0);
	key_file_put_back(t.keyfile, before);	/* the file at 2, as a crash before step 3 leaves it */
	trail_write(&t, 5, 5, 0);
	want_none(&f, verify_file(t.dir, &t.vkey, t.keyfile, &f));
	assert_int_equal(f.seals.epoch, 3);
	trail_rm(&t);
}

/* A trail whose last seal is SEAL_MAX_GAP epochs or more past the key file (a forged seal): the start is refused
 * rather than walking there. */
static void start_refuses_a_seal_too_far_ahead(void **state)
{
	struct trail t;
	struct audit_log a;
	char path[256];
	FILE *f;

	(void)state;
	trail_new(&t);
	trail_write(&t, 5, 5, 0);
	live_path(t.dir, path, sizeof(path));
	f = fopen(path, "a");
	assert_non_null(f);
	fprintf(f, "{\"seq\":7,\"kind\":\"seal\",\"epoch\":%u}\n", 2 + SEAL_MAX_GAP);
	fclose(f);
	assert_int_equal(trail_open_ms(&t, &a, 0, 0), -1);
	trail_rm(&t);
}

/* A key file that can't be written after a seal stops sealing (fail closed): a seal_failed record, the records after
 * it unsealed; the key file, behind, shows; the next start moves the key past the trail's last seal and seals on. */
static void key_file_write_failure_stops_sealing(void **state)
{
	struct trail t;
	struct found f;
	struct audit_log a;
	bool stopped;
	int failed, ro;

	(void)state;
	trail_new(&t);
	trail_open(&t, &a, 0);
	failed = trail_add(&a, 5, 5);	/* seal of epoch 1, at 6 */
	ro = open(t.keyfile, O_RDONLY | O_CLOEXEC);
	failed |= ro < 0 || dup2(ro, a.seal.fd) < 0;	/* its writes now fail */
	close(ro);
	failed |= trail_add(&a, 5, 5);	/* seal of epoch 2, at 12: the key file stays at 2 */
	stopped = !a.seal.on && strstr(a.seal.stopped, "key file could not be written");
	failed |= trail_add(&a, 3, 3);	/* unsealed */
	audit_close(&a);
	assert_int_equal(failed, 0);
	assert_true(stopped);
	assert_true(verify_file(t.dir, &t.vkey, t.keyfile, &f) >= 3);
	want(&f, "seq 13: sealing stopped here (its key file could not be written)");
	want(&f, "records 13..16 come after the last seal");
	want(&f, "the key file is at epoch 2, not past the trail's last seal (epoch 2)");
	trail_write(&t, 3, 3, 0);
	assert_int_equal(verify_file(t.dir, &t.vkey, t.keyfile, &f), 1);
	want(&f, "seq 13: sealing stopped here");
	assert_int_equal(f.seals.epoch, 3);
	trail_rm(&t);
}

/* The key file's epoch. */
static uint64_t key_file_epoch(const char *path)
{
	char buf[SEAL_FILE_LEN + 1] = "";
	const char *e;

	key_file_save(path, buf);
	e = strstr(buf, " epoch ");
	assert_non_null(e);
	return strtoull(e + 7, NULL, 10);
}

/* head.json can't be written (review PoC: a directory in the way of its temporary file): the key file follows
 * each seal all the same, so it is never behind the trail's seals, and the trail verifies. */
static void key_file_follows_when_head_fails(void **state)
{
	struct trail t;
	struct found f;
	struct audit_log a;
	char tmp[128];
	int failed = 0;

	(void)state;
	trail_new(&t);
	snprintf(tmp, sizeof(tmp), "%s/head.json.tmp", t.dir);
	assert_int_equal(mkdir(tmp, 0700), 0);
	trail_open(&t, &a, 0);
	for (uint64_t epoch = 1; epoch <= 4; epoch++) {
		trail_add(&a, 5, 5);	/* its syncs fail: the head can't be written */
		if (key_file_epoch(t.keyfile) != epoch + 1)
			failed = 1;	/* behind the seal of `epoch`: its key remakes it */
	}
	audit_close(&a);
	assert_int_equal(failed, 0);
	rmdir(tmp);
	verify_file(t.dir, &t.vkey, t.keyfile, &f);
	assert_int_equal(f.seals.epoch, 4);	/* every batch sealed: none held back */
	trail_rm(&t);
}

/* A new key file on a sealed trail is refused: moved past the trail's seals silently, neither key would verify
 * the whole trail, and a forgery would look like a key change. The key that made the last seal is taken (a stop
 * between a seal and the file's update leaves it so), and the trail verifies on. */
static void new_key_on_a_sealed_trail_is_refused(void **state)
{
	char saved[SEAL_FILE_LEN], hex[SEAL_HEX_LEN + 1];
	struct trail t;
	struct found f;
	struct audit_log a;

	(void)state;
	trail_new(&t);
	key_file_save(t.keyfile, saved);	/* epoch 1: as at keygen */
	trail_write(&t, 5, 5, 0);	/* the seal of epoch 1 */
	assert_int_equal(unlink(t.keyfile), 0);
	assert_int_equal(seal_keygen(t.keyfile, hex), 0);	/* another key, at epoch 1 */
	assert_int_equal(trail_open_ms(&t, &a, 0, 0), -1);
	key_file_put_back(t.keyfile, saved);	/* the first key at epoch 1: the key that made seal 1 */
	trail_write(&t, 5, 5, 0);	/* taken: it seals on from epoch 2 */
	want_none(&f, verify_file(t.dir, &t.vkey, t.keyfile, &f));
	assert_int_equal(f.seals.epoch, 2);
	trail_rm(&t);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* With no record since the last seal, a seal is made all the same once the idle interval passed, not before. */
static void idle_seal(void **state)
{
	struct trail t;
	struct found f;
	struct audit_log a;
	uint64_t after_batch, too_soon, idle;
	int failed;

	(void)state;
	trail_new(&t);
	assert_int_equal(trail_open_ms(&t, &a, 0, 500), 0);
	failed = trail_add(&a, 2, 2);	/* a seal at 3 */
	after_batch = a.seal.k->epoch;
	audit_tick(&a, now_ns());	/* nothing to seal yet */
	too_soon = a.seal.k->epoch;
	usleep(600 * 1000);
	audit_tick(&a, now_ns());	/* an idle seal at 4 */
	idle = a.seal.k->epoch;
	audit_close(&a);
	assert_int_equal(failed, 0);
	assert_int_equal(too_soon, after_batch);
	assert_int_equal(idle, after_batch + 1);
	want_none(&f, verify_file(t.dir, &t.vkey, t.keyfile, &f));
	assert_true(f.seals.seq >= 4);
	trail_rm(&t);
}

/* verify --key's work is bounded: a seal of an epoch 2^40 (the chain recomputed) stops the walk, and a key file at
 * such an epoch is not walked; neither takes 2^40 evolutions. */
static void verify_walks_no_forged_distance(void **state)
{
	struct trail t;
	struct found f;
	struct seal_key k = { .epoch = 1ull << 40 };
	char path[120], hex[SEAL_HEX_LEN + 1];
	FILE *kf;

	(void)state;
	trail_new(&t);
	trail_write(&t, 30, 5, 0);
	snprintf(path, sizeof(path), "%s/far.key", t.dir);
	seal_hex(&k, hex);
	kf = fopen(path, "w");
	assert_non_null(kf);
	fprintf(kf, "mcpwarden-seal-key v1 epoch %020" PRIu64 " key %s\n", k.epoch, hex);
	fclose(kf);
	assert_int_equal(verify_file(t.dir, &t.vkey, path, &f), 1);
	want(&f, "the key file is at epoch 1099511627776, more than 16777216 epochs past the trail's last seal (epoch 6)");
	forge(t.dir, far_epoch_12, NULL);
	assert_true(verify(t.dir, &t.vkey, &f) > 0);
	want(&f, "seal at seq 12 of epoch 1099511627776, too far past 2, the next, to walk");
	trail_rm(&t);
}

/* --key and no seal to check: an empty directory, and a trail written without sealing, both fail. */
static void no_seal_fails(void **state)
{
	struct trail t;
	struct found f;

	(void)state;
	trail_new(&t);
	assert_int_equal(verify(t.dir, &t.vkey, &f), 1);
	want(&f, "no seal at all, nor any record");
	unsealed_write(&t, 5);
	assert_int_equal(verify(t.dir, NULL, &f), 0);
	assert_int_equal(verify(t.dir, &t.vkey, &f), 1);
	want(&f, "seq 1: no seal at all: nothing vouches for the trail");
	trail_rm(&t);
}

/* Records a daemon wrote without sealing them (here: it did not seal), then a start: they are flagged as unsealed
 * up to that start, though the next seal covers them. */
static void unsealed_run_before_a_start_is_flagged(void **state)
{
	struct trail t;
	struct found f;
	struct audit_log a;
	int failed;

	(void)state;
	trail_new(&t);
	trail_write(&t, 5, 5, 0);	/* 1-5, the seal at 6 */
	unsealed_write(&t, 3);	/* 7-9 */
	trail_open(&t, &a, 0);
	failed = audit_append(&a, "daemon_start", cJSON_CreateObject()) || trail_add(&a, 2, 2);
	audit_close(&a);
	assert_int_equal(failed, 0);
	assert_int_equal(verify(t.dir, &t.vkey, &f), 1);
	want(&f, "seq 7: records 7..9 came after the last seal and before a daemon's start at seq 10: the daemon that "
		 "wrote them did not seal them");
	trail_rm(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(key_evolves_and_macs),
		cmocka_unit_test(keygen_writes_epoch_1),
		cmocka_unit_test(key_file_refused),
		cmocka_unit_test(sealed_trail_verifies),
		cmocka_unit_test(forged_trails_fail),
		cmocka_unit_test(cut_back_to_a_seal_shows_against_the_key_file),
		cmocka_unit_test(stolen_key_cannot_reseal_the_past),
		cmocka_unit_test(lost_newest_segment_is_recorded_and_flagged),
		cmocka_unit_test(restart_after_a_crash_reuses_no_epoch),
		cmocka_unit_test(start_refuses_a_seal_too_far_ahead),
		cmocka_unit_test(key_file_write_failure_stops_sealing),
		cmocka_unit_test(key_file_follows_when_head_fails),
		cmocka_unit_test(new_key_on_a_sealed_trail_is_refused),
		cmocka_unit_test(idle_seal),
		cmocka_unit_test(verify_walks_no_forged_distance),
		cmocka_unit_test(no_seal_fails),
		cmocka_unit_test(unsealed_run_before_a_start_is_flagged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
