/* test_audit.c: unit tests of the audit chain: rotation, verify against each tampering,
 * crash recovery, and rebuilding a call's tree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/chain.h"
#include "audit/record_num.h"
#include "audit/segments.h"
#include "audit/show.h"
#include "audit/verify.h"
#include "audit_live.h"

struct found {
	char text[4096];
	int n;
};

static void collect(void *ctx, const char *segment, uint64_t seq, const char *what)
{
	struct found *f = ctx;
	size_t len = strlen(f->text);

	snprintf(f->text + len, sizeof(f->text) - len, "%s seq %llu: %s\n", segment,
		 (unsigned long long)seq, what);
	f->n++;
}

static int verify_dir(const char *dir, struct found *f)
{
	uint64_t records;

	memset(f, 0, sizeof(*f));
	return audit_verify(dir, NULL, collect, f, &records);
}

/* A fresh log of n small records in small segments; returns the directory. */
static char *make_log(int n)
{
	char tmpl[] = "/tmp/mcpwarden-audit.XXXXXX", *dir = strdup(mkdtemp(tmpl));
	struct audit_opts o = { .dir = dir, .host = "test-host", .max_segment_bytes = 1500, .fsync_ms = 0 };
	struct audit_log a;

	assert_int_equal(audit_open(&a, &o), 0);
	for (int i = 0; i < n; i++) {
		cJSON *r = cJSON_CreateObject();

		cJSON_AddNumberToObject(r, "i", i);
		cJSON_AddStringToObject(r, "pad", "some payload to fill segments");
		assert_int_equal(audit_append(&a, "test", r), 0);
	}
	audit_close(&a);
	return dir;
}

static void rm_dir(char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

/* Rewrites the live segment through a sed expression. */
static void sed_live(const char *dir, const char *expr)
{
	char path[512], cmd[1024];

	live_path(dir, path, sizeof(path));
	snprintf(cmd, sizeof(cmd), "sed -i '%s' '%s'", expr, path);
	assert_int_equal(system(cmd), 0);
}

static void intact_log_verifies_and_rotates(void **state)
{
	char *dir = make_log(60);
	struct segment *segs;
	struct found f;
	int n = segments_list(dir, &segs);

	(void)state;
	assert_true(n >= 3);
	assert_true(segs[0].compressed);
	assert_int_equal(segs[0].first_seq, 1);
	free(segs);
	assert_int_equal(verify_dir(dir, &f), 0);
	rm_dir(dir);
}

static void each_tampering_is_found(void **state)
{
	static const struct {
		const char *sed;	/* applied to the live segment; NULL: see below */
		const char *want;
	} cases[] = {
		{ "2s/some payload/SOME payload/", "was edited" },
		{ "2d", "record(s) deleted" },
		{ "2{h;d};3{G}", "out of order" },
		{ "$d", "truncated tail: records" },
		{ "$s/}$//", "truncated tail: a partial record" },
	};
	struct found f;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *dir = make_log(60);

		sed_live(dir, cases[i].sed);
		if (!strcmp(cases[i].sed, "$s/}$//")) {	/* also drop the newline: a torn write */
			char path[512];
			FILE *fp;
			long len;

			live_path(dir, path, sizeof(path));
			fp = fopen(path, "r+");
			fseek(fp, 0, SEEK_END);
			len = ftell(fp);
			fclose(fp);
			assert_int_equal(truncate(path, len - 1), 0);
		}
		assert_true(verify_dir(dir, &f) > 0);
		if (!strstr(f.text, cases[i].want))
			fail_msg("case %zu: want '%s' in:\n%s", i, cases[i].want, f.text);
		assert_non_null(strstr(f.text, "seq "));
		rm_dir(dir);
	}
}

static void deleted_middle_segment_is_found(void **state)
{
	char *dir = make_log(60), path[512];
	struct segment *segs;
	struct found f;
	int n = segments_list(dir, &segs);

	(void)state;
	assert_true(n >= 3);
	snprintf(path, sizeof(path), "%s/%s", dir, segs[1].name);
	assert_int_equal(unlink(path), 0);
	assert_true(verify_dir(dir, &f) > 0);
	assert_non_null(strstr(f.text, "a segment or records are missing"));
	assert_non_null(strstr(f.text, segs[2].name));
	free(segs);
	rm_dir(dir);
}

static void torn_tail_is_recovered(void **state)
{
	char *dir = make_log(10), path[512];
	struct audit_opts o = { .host = "test-host", .fsync_ms = 0 };
	struct audit_log a;
	struct found f;
	FILE *fp;

	(void)state;
	live_path(dir, path, sizeof(path));
	fp = fopen(path, "a");
	fputs("{\"seq\":11,\"ts\":\"torn", fp);	/* a crash mid-write */
	fclose(fp);
	o.dir = dir;
	assert_int_equal(audit_open(&a, &o), 0);
	assert_int_equal(a.next_seq, 12);	/* 10 records + the recovered one */
	assert_int_equal(audit_append(&a, "after", cJSON_CreateObject()), 0);
	audit_close(&a);
	assert_int_equal(verify_dir(dir, &f), 0);
	rm_dir(dir);
}

/* A daemon that crashed while its compressor ran: the segment being compressed may look like the live one. The
 * next daemon never appends to it (the stray compressor, held off here by its lock, removes it once done, with
 * whatever was added meanwhile): it starts a new segment, and no record is lost once the stray finishes. */
static void reopen_never_appends_to_a_segment_a_compressor_may_hold(void **state)
{
	char *dir = make_log(3), path[512], name[64];
	struct audit_opts o = { .host = "test-host", .fsync_ms = 0 };
	struct segment *segs;
	struct audit_log a;
	struct found f;
	uint64_t records, next;
	int held, n, appended;
	bool elsewhere;

	(void)state;
	live_path(dir, path, sizeof(path));
	snprintf(name, sizeof(name), "%s", strrchr(path, '/') + 1);
	held = open(path, O_RDONLY);
	assert_int_equal(flock(held, LOCK_EX), 0);	/* the stray compressor is at it */
	o.dir = dir;
	assert_int_equal(audit_open(&a, &o), 0);
	next = a.next_seq;
	elsewhere = strcmp(a.live, name) != 0;
	appended = audit_append(&a, "after", cJSON_CreateObject());
	audit_close(&a);	/* first: an open log's thread must not outlive the test */
	assert_int_equal(next, 4);
	assert_true(elsewhere);
	assert_int_equal(appended, 0);
	assert_int_equal(access(path, F_OK), 0);	/* its own compressor left the held segment alone */
	close(held);
	assert_int_equal(segment_compress(dir, name), 0);	/* the stray finishes: the plain segment goes */
	assert_int_not_equal(access(path, F_OK), 0);
	assert_int_equal(audit_verify(dir, NULL, collect, memset(&f, 0, sizeof(f)), &records), 0);
	assert_int_equal(records, 4);
	n = segments_list(dir, &segs);
	assert_int_equal(n, 2);
	assert_true(segs[0].compressed);
	free(segs);
	rm_dir(dir);
}

/* A compressor given live segment L compresses the plain segments before L, never one after it: a rotation makes
 * the next live segment while the last one's compressor may still list the directory (it took that new segment for
 * closed, and the records written to it went with the file it removed). */
static void compressor_leaves_newer_segments_alone(void **state)
{
	char tmpl[] = "/tmp/mcpwarden-audit.XXXXXX", *dir = strdup(mkdtemp(tmpl)), path[512];
	static const char *const names[] = { "seg-00000000000000000001.jsonl", "seg-00000000000000000010.jsonl",
					     "seg-00000000000000000020.jsonl" };
	struct segment *segs;
	FILE *f;
	int n;

	(void)state;
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		assert_non_null(f = fopen(path, "w"));
		fprintf(f, "{\"seq\":%d}\n", i ? i * 10 : 1);
		fclose(f);
	}
	assert_int_equal(segment_compress_wait(segment_compress_child(dir, names[1]), true), 0);
	n = segments_list(dir, &segs);
	assert_int_equal(n, 3);
	assert_true(segs[0].compressed);
	assert_false(segs[1].compressed);
	assert_false(segs[2].compressed);
	free(segs);
	rm_dir(dir);
}

static void records_cannot_forge_chain_fields_and_twins_are_skipped(void **state)
{
	char *dir = make_log(60), cmd[1024];
	struct audit_opts o = { .host = "test-host", .fsync_ms = 0 };
	struct segment *segs;
	struct audit_log a;
	struct found f;
	int n;

	(void)state;
	o.dir = dir;
	assert_int_equal(audit_open(&a, &o), 0);
	assert_int_equal(audit_append(&a, "forged",
				      cJSON_Parse("{\"seq\":1,\"prev\":\"x\",\"kind\":\"y\",\"host\":\"z\",\"ok\":1}")), 0);
	audit_close(&a);
	assert_int_equal(verify_dir(dir, &f), 0);
	/* A crash after compressing, before removing the original: both files exist. */
	n = segments_list(dir, &segs);
	assert_true(n >= 2 && segs[0].compressed);
	snprintf(cmd, sizeof(cmd), "zcat '%s/%s' > '%s/%.*s'", dir, segs[0].name, dir,
		 (int)(strlen(segs[0].name) - 3), segs[0].name);
	assert_int_equal(system(cmd), 0);
	free(segs);
	assert_int_equal(segments_list(dir, &segs), n);
	free(segs);
	assert_int_equal(verify_dir(dir, &f), 0);
	rm_dir(dir);
}

static void call_tree_is_rebuilt(void **state)
{
	char tmpl[] = "/tmp/mcpwarden-audit.XXXXXX", *dir = strdup(mkdtemp(tmpl));
	struct audit_opts o = { .dir = dir, .host = "h", .fsync_ms = 1000 };
	static const char *const recs[][2] = {
		{ "call_start", "{\"server_id\":2,\"call\":7,\"tool\":\"run-code\",\"args_sha256\":\"ab\",\"decision\":\"allow\"}" },
		{ "fork", "{\"server_id\":2,\"calls\":[7],\"pid\":101,\"ppid\":100}" },
		{ "exec", "{\"server_id\":2,\"calls\":[7],\"pid\":101,\"ppid\":100,\"exe\":\"/bin/sh\",\"argv\":[\"sh\",\"-c\",\"id\"]}" },
		{ "exec", "{\"server_id\":2,\"calls\":[7],\"pid\":102,\"ppid\":101,\"exe\":\"/usr/bin/id\",\"argv\":[\"id\"]}" },
		{ "net", "{\"server_id\":2,\"calls\":[7],\"pid\":101,\"ppid\":100,\"op\":\"connect\",\"addr\":\"127.0.0.1\",\"port\":8080,\"result\":0}" },
		{ "exec", "{\"server_id\":2,\"calls\":[8],\"pid\":103,\"ppid\":100,\"exe\":\"/bin/other\",\"argv\":[\"other\"]}" },
		{ "exit", "{\"server_id\":2,\"calls\":[7],\"pid\":102,\"ppid\":101,\"exit_code\":0}" },
		{ "call_end", "{\"server_id\":2,\"call\":7,\"outcome\":\"result\"}" },
	};
	struct audit_log a;
	const char *why;
	cJSON *t, *roots, *sh, *kids;
	char *text;

	(void)state;
	assert_int_equal(audit_open(&a, &o), 0);
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		assert_int_equal(audit_append(&a, recs[i][0], cJSON_Parse(recs[i][1])), 0);
	audit_close(&a);
	t = audit_call_tree(dir, 7, 2, &why);
	assert_non_null(t);
	text = cJSON_PrintUnformatted(t);
	roots = cJSON_GetObjectItem(t, "processes");
	assert_int_equal(cJSON_GetArraySize(roots), 1);
	sh = cJSON_GetArrayItem(roots, 0);
	assert_int_equal(cJSON_GetObjectItem(sh, "pid")->valueint, 101);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(sh, "connections")), 1);
	kids = cJSON_GetObjectItem(sh, "children");
	assert_int_equal(cJSON_GetArraySize(kids), 1);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(kids, 0), "exe")->valuestring, "/usr/bin/id");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(t, "call"), "outcome")->valuestring, "result");
	assert_null(strstr(text, "/bin/other"));
	free(text);
	cJSON_Delete(t);
	assert_null(audit_call_tree(dir, 99, 0, &why));
	assert_string_equal(why, "no such call in the audit log");
	rm_dir(dir);
}

/* head.json's seq, or -1 when it can't be read. */
static long long head_seq(const char *dir)
{
	char path[600], buf[256] = "";
	FILE *f;
	long long seq = -1;

	snprintf(path, sizeof(path), "%s/" AUDIT_HEAD_FILE, dir);
	if (!(f = fopen(path, "r")))
		return -1;
	if (fgets(buf, sizeof(buf), f) && sscanf(buf, "{\"seq\":%lld", &seq) != 1)
		seq = -1;
	fclose(f);
	return seq;
}

/* With an interval, the tick hands the sync to the sync thread and returns: head.json follows once the thread
 * synced, the next tick within the interval asks nothing, and the close syncs what is left before it returns. */
static void tick_syncs_off_the_loop(void **state)
{
	char tmpl[] = "/tmp/mcpwarden-audit.XXXXXX", *dir = strdup(mkdtemp(tmpl));
	struct audit_opts o = { .dir = dir, .host = "test-host", .fsync_ms = 1000 };
	struct audit_log a;
	long long seq = -1, before, within;
	bool dirty_after_sync, dirty_within;
	int failed = 0;

	(void)state;
	assert_int_equal(audit_open(&a, &o), 0);
	for (int i = 0; i < 3; i++)
		failed |= audit_append(&a, "test", cJSON_CreateObject());
	before = head_seq(dir);	/* nothing synced yet: no head */
	audit_tick(&a, a.last_sync_ns + 1000000000ull);
	for (int i = 0; i < 500 && (seq = head_seq(dir)) != 3; i++)
		usleep(10000);
	dirty_after_sync = a.dirty;
	failed |= audit_append(&a, "test", cJSON_CreateObject());
	audit_tick(&a, a.last_sync_ns + 1);	/* within the interval: no sync asked */
	usleep(50000);
	within = head_seq(dir);
	dirty_within = a.dirty;
	audit_close(&a);	/* before any assert: an open log's thread must not outlive the test */
	assert_int_equal(failed, 0);
	assert_int_equal(before, -1);
	assert_int_equal(seq, 3);
	assert_false(dirty_after_sync);
	assert_int_equal(within, 3);
	assert_true(dirty_within);
	assert_int_equal(head_seq(dir), 4);
	rm_dir(dir);
}

/* A hostile file's numbers: only exact integers from 0 to 2^53 are seqs; nothing converts out of range. */
static void record_numbers_are_checked(void **state)
{
	static const char *const bad[] = { "-1", "1.5", "1e300", "-0.5", "9007199254740994", "\"7\"", "null", "[1]" };
	uint64_t n;
	cJSON *v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = cJSON_Parse(bad[i]);
		assert_false(record_num(v, &n));
		assert_int_equal(n, 0);
		cJSON_Delete(v);
	}
	v = cJSON_Parse("9007199254740992");
	assert_true(record_num(v, &n));
	assert_int_equal(n, 9007199254740992ull);
	cJSON_Delete(v);
	v = cJSON_Parse("0");
	assert_true(record_num(v, &n));
	assert_int_equal(n, 0);
	cJSON_Delete(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(intact_log_verifies_and_rotates),
		cmocka_unit_test(each_tampering_is_found),
		cmocka_unit_test(deleted_middle_segment_is_found),
		cmocka_unit_test(torn_tail_is_recovered),
		cmocka_unit_test(reopen_never_appends_to_a_segment_a_compressor_may_hold),
		cmocka_unit_test(compressor_leaves_newer_segments_alone),
		cmocka_unit_test(records_cannot_forge_chain_fields_and_twins_are_skipped),
		cmocka_unit_test(call_tree_is_rebuilt),
		cmocka_unit_test(tick_syncs_off_the_loop),
		cmocka_unit_test(record_numbers_are_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
