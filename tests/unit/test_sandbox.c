/* test_sandbox.c: a policy's sandbox as the daemon gets it, a call's deadline and its rule, and a result turned into a sandbox refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "daemon/file_id.h"
#include "jsonrpc/reply.h"
#include "policy/load.h"
#include "policy/sandbox_json.h"
#include "shim/call_limits.h"

static struct policy *load(const char *text)
{
	char err[1024];
	struct policy *p = policy_load_text("t.yaml", text, strlen(text), err, sizeof(err));

	if (!p)
		fail_msg("%s", err);
	return p;
}

static const char *str(const cJSON *o, const char *path0, const char *path1)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, path0);

	if (path1)
		v = cJSON_GetObjectItemCaseSensitive(v, path1);
	return cJSON_GetStringValue(v);
}

static void sandbox_json_carries_every_rule(void **state)
{
	struct policy *p = load("sandbox:\n"
				"  exec: {allow: [python3], deny: [/usr/bin/id]}\n"
				"  network:\n    allow: [\"10.0.0.0/8\", \"[::1]:443\"]\n    deny: [\"10.1.2.3:22\"]\n"
				"  max_processes: 32\n  max_runtime: 5s\n");
	cJSON *j = sandbox_json(&p->sandbox), *allow, *deny;

	(void)state;
	assert_non_null(j);
	assert_string_equal(str(j, "network", "egress"), "deny");	/* an allow list means only it */
	allow = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "network"), "allow");
	deny = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "network"), "deny");
	assert_int_equal(cJSON_GetArraySize(allow), 2);
	assert_string_equal(str(cJSON_GetArrayItem(allow, 0), "addr", NULL), "10.0.0.0");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(allow, 0), "prefix")->valueint, 8);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(allow, 1), "family")->valueint, 6);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(allow, 1), "port")->valueint, 443);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(deny, 0), "port")->valueint, 22);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "exec"), "deny"), 0)), "/usr/bin/id");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "max_processes")->valueint, 32);
	assert_null(cJSON_GetObjectItemCaseSensitive(j, "max_runtime"));	/* the shim keeps deadlines */
	cJSON_Delete(j);
	policy_free(p);
}

static void sandbox_json_absent_and_egress_allow(void **state)
{
	struct policy *p = load("tools:\n  t:\n    sandbox:\n      network:\n        egress: allow\n"
				"        deny: [\"169.254.169.254\"]\n");
	cJSON *j;

	(void)state;
	assert_null(sandbox_json(&p->sandbox));		/* no server-level block */
	j = sandbox_json(&policy_tool(p, "t")->sandbox);
	assert_string_equal(str(j, "network", "egress"), "allow");
	assert_null(cJSON_GetObjectItemCaseSensitive(j, "exec"));
	cJSON_Delete(j);
	policy_free(p);
}

static void too_many_network_entries_fail(void **state)
{
	char text[2048] = "sandbox:\n  network:\n    deny: [", err[1024];
	struct policy *p;

	(void)state;
	for (int i = 0; i < 17; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s\"10.0.0.%d\"", i ? ", " : "", i);
	strcat(text, "]\n");
	p = policy_load_text("t.yaml", text, strlen(text), err, sizeof(err));
	assert_null(p);
	assert_non_null(strstr(err, "sandbox.network"));
	assert_non_null(strstr(err, "at most 16"));
}

static void earliest_limit_names_the_deadline(void **state)
{
	struct policy *p = load("sandbox: {max_runtime: 20s}\n"
				"tools:\n  a:\n    timeout: 30s\n    sandbox: {max_runtime: 10s, max_processes: 4}\n"
				"  b:\n    timeout: 5s\n  \"*\":\n    sandbox: {max_processes: 2}\n  c: {}\n");
	struct call_limits l;

	(void)state;
	call_limits_get(p, "a", 30000, &l);
	assert_int_equal(l.deadline_ms, 10000);
	assert_string_equal(l.deadline_rule, "tools.a.sandbox.max_runtime");
	assert_non_null(l.sandbox);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(l.sandbox, "max_processes")->valueint, 4);
	cJSON_Delete(l.sandbox);
	call_limits_get(p, "b", 5000, &l);
	assert_int_equal(l.deadline_ms, 5000);
	assert_string_equal(l.deadline_rule, "tools.b.timeout");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(l.sandbox, "max_processes")->valueint, 2);	/* "*" */
	cJSON_Delete(l.sandbox);
	call_limits_get(p, "c", 0, &l);
	assert_int_equal(l.deadline_ms, 20000);
	assert_string_equal(l.deadline_rule, "sandbox.max_runtime");
	cJSON_Delete(l.sandbox);
	policy_free(p);
}

static void result_becomes_a_sandbox_refusal(void **state)
{
	cJSON *msg = cJSON_Parse("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":"
				 "[{\"type\":\"text\",\"text\":\"printed\"}],\"isError\":false}}");
	cJSON *v = cJSON_Parse("[{\"rule\":\"tools.t.sandbox.exec.allow\",\"what\":\"exec of /usr/bin/id killed\"},"
			       "{\"rule\":\"sandbox.network.egress\",\"what\":\"connect refused\"}]");
	cJSON *res, *content, *meta, *idv;
	char *line;

	(void)state;
	reply_mark_sandbox(msg, "t", v);
	res = cJSON_GetObjectItemCaseSensitive(msg, "result");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "isError")));
	content = cJSON_GetObjectItemCaseSensitive(res, "content");
	assert_int_equal(cJSON_GetArraySize(content), 2);
	assert_non_null(strstr(str(cJSON_GetArrayItem(content, 0), "text", NULL),
			       "[rule 'tools.t.sandbox.exec.allow'] exec of /usr/bin/id killed;"));
	assert_non_null(strstr(str(cJSON_GetArrayItem(content, 0), "text", NULL), "sandbox.network.egress"));
	assert_string_equal(str(cJSON_GetArrayItem(content, 1), "text", NULL), "printed");
	meta = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(res, "_meta"), POLICY_META_KEY);
	assert_string_equal(str(meta, "decision", NULL), "sandbox");
	assert_string_equal(str(meta, "rule", NULL), "tools.t.sandbox.exec.allow");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(msg, "id")->valueint, 7);
	cJSON_Delete(msg);

	msg = cJSON_Parse("{\"jsonrpc\":\"2.0\",\"id\":8,\"error\":{\"code\":-1,\"message\":\"boom\"}}");
	reply_mark_sandbox(msg, "t", v);
	assert_non_null(strstr(str(msg, "error", "message"), "tools.t.sandbox.exec.allow"));
	assert_string_equal(str(cJSON_GetObjectItemCaseSensitive(msg, "error"), "data", "decision"), "sandbox");
	cJSON_Delete(msg);

	/* A reply the shim could not read is replaced by the refusal alone, with its id. */
	line = reply_sandbox(cJSON_GetObjectItemCaseSensitive(v, "id"), "t", v);
	assert_non_null(line);
	msg = cJSON_Parse(line);
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(msg, "id")));
	res = cJSON_GetObjectItemCaseSensitive(msg, "result");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "isError")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(res, "content")), 1);
	assert_non_null(strstr(line, "tools.t.sandbox.exec.allow"));
	free(line);
	idv = cJSON_CreateNumber(9);
	line = reply_sandbox(idv, "t", v);
	assert_non_null(strstr(line, "\"id\":9"));
	free(line);
	cJSON_Delete(idv);
	cJSON_Delete(msg);
	cJSON_Delete(v);
}

/* On this host's ext4 the superblock device is stat's; the symlink /bin/sh resolves to its target. */
static void file_id_is_the_files_identity(void **state)
{
	uint64_t dev, ino;
	struct stat st;
	bool regular;

	(void)state;
	assert_int_equal(stat("/bin/sh", &st), 0);
	assert_int_equal(file_id("/bin/sh", &dev, &ino, &regular), 0);
	assert_true(regular);
	assert_int_equal(ino, st.st_ino);
	assert_int_equal(dev, (uint64_t)major(st.st_dev) << 20 | minor(st.st_dev));
	assert_int_equal(file_id("/", &dev, &ino, &regular), 0);
	assert_false(regular);
	assert_int_equal(file_id("/no/such/file", &dev, &ino, &regular), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sandbox_json_carries_every_rule),
		cmocka_unit_test(sandbox_json_absent_and_egress_allow),
		cmocka_unit_test(too_many_network_entries_fail),
		cmocka_unit_test(earliest_limit_names_the_deadline),
		cmocka_unit_test(result_becomes_a_sandbox_refusal),
		cmocka_unit_test(file_id_is_the_files_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
