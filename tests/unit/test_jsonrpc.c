/* test_jsonrpc.c: unit tests of JSON-RPC scanning, strict parsing, ids and replies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc/message.h"
#include "jsonrpc/reply.h"
#include "jsonrpc/scan.h"

static void scan_finds_top_level_members(void **state)
{
	const char *s = "{\"result\":{\"id\":99,\"t\":\"a\\\"}b\"},\"jsonrpc\":\"2.0\",\"id\":7}";
	struct jsonrpc_top top;

	(void)state;
	assert_int_equal(jsonrpc_scan(s, strlen(s), &top), SCAN_OBJECT);
	assert_non_null(top.id.p);
	assert_int_equal(top.id.n, 1);
	assert_memory_equal(top.id.p, "7", 1);
	assert_non_null(top.result.p);
	assert_null(top.method.p);
}

static void scan_rejects_non_json_and_flags_complex(void **state)
{
	struct jsonrpc_top top;
	const char *banner = "Server running on stdio";
	const char *unterminated = "{\"id\":1,\"result\":\"abc}";
	const char *escaped_key = "{\"i\\u0064\":1,\"result\":{}}";
	const char *batch = "[{\"id\":1,\"result\":{}}]";

	(void)state;
	assert_int_equal(jsonrpc_scan(banner, strlen(banner), &top), SCAN_NOT_JSON);
	assert_int_equal(jsonrpc_scan(unterminated, strlen(unterminated), &top), SCAN_NOT_JSON);
	assert_int_equal(jsonrpc_scan(escaped_key, strlen(escaped_key), &top), SCAN_COMPLEX);
	assert_int_equal(jsonrpc_scan(batch, strlen(batch), &top), SCAN_COMPLEX);
	assert_int_equal(jsonrpc_scan("{\"a\":1} x", 9, &top), SCAN_NOT_JSON);
}

static void parse_refuses_trailing_bytes_and_nul(void **state)
{
	const char *why = NULL;
	char nul[] = "{\"a\":1}\0{\"b\":2}";

	(void)state;
	assert_null(jsonrpc_parse("{\"a\":1} {\"b\":2}", strlen("{\"a\":1} {\"b\":2}"), &why));
	assert_non_null(why);
	assert_null(jsonrpc_parse(nul, sizeof(nul) - 1, &why));
	assert_string_equal(why, "NUL byte in message");
}

static void duplicate_and_case_variant_keys_are_found(void **state)
{
	const char *why;
	char dup[64];
	cJSON *a = jsonrpc_parse("{\"params\":{\"name\":\"x\",\"Name\":\"y\"}}", strlen("{\"params\":{\"name\":\"x\",\"Name\":\"y\"}}"), &why);
	cJSON *b = jsonrpc_parse("{\"params\":{\"arguments\":{\"c\":1,\"c\":2}}}", strlen("{\"params\":{\"arguments\":{\"c\":1,\"c\":2}}}"), &why);
	cJSON *ok = jsonrpc_parse("{\"params\":{\"name\":\"x\"}}", strlen("{\"params\":{\"name\":\"x\"}}"), &why);

	(void)state;
	assert_non_null(a);
	assert_int_equal(jsonrpc_check_keys(a, 0, dup, sizeof(dup)), 0);
	assert_int_equal(jsonrpc_check_keys(a, 1, dup, sizeof(dup)), -1);
	assert_string_equal(dup, "name");	/* reported folded */
	assert_int_equal(jsonrpc_check_keys(b, 1, dup, sizeof(dup)), -1);
	assert_string_equal(dup, "c");
	assert_int_equal(jsonrpc_check_keys(ok, 1, dup, sizeof(dup)), 0);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(ok);
}

static void go_style_folding_and_many_keys(void **state)
{
	const char *why;
	char dup[64], *big = malloc(400000);
	const char *ls = "{\"params\":1,\"param\xc5\xbf\":2}";
	cJSON *longs = jsonrpc_parse(ls, strlen(ls), &why);
	size_t off = 0;
	cJSON *many;

	(void)state;
	assert_non_null(longs);
	assert_int_equal(jsonrpc_check_keys(longs, 0, dup, sizeof(dup)), -1);	/* long s folds to s */
	off += (size_t)sprintf(big, "{");
	for (int i = 0; i < 20000; i++)
		off += (size_t)sprintf(big + off, "%s\"k%d\":1", i ? "," : "", i);
	sprintf(big + off, ",\"K7\":2}");
	many = jsonrpc_parse(big, strlen(big), &why);
	assert_non_null(many);
	assert_int_equal(jsonrpc_check_keys(many, 1, dup, sizeof(dup)), -1);
	assert_string_equal(dup, "k7");
	cJSON_Delete(longs);
	cJSON_Delete(many);
	free(big);
}

static void ids_have_canonical_keys(void **state)
{
	char k1[ID_KEY_MAX], k2[ID_KEY_MAX], k3[ID_KEY_MAX];

	(void)state;
	assert_int_equal(jsonrpc_id_key_raw("7", 1, k1), 0);
	assert_int_equal(jsonrpc_id_key_raw("7.0", 3, k2), 0);
	assert_string_equal(k1, k2);
	assert_int_equal(jsonrpc_id_key_raw("\"7\"", 3, k3), 0);
	assert_string_not_equal(k1, k3);
	assert_int_equal(jsonrpc_id_key_raw("null", 4, k3), -1);
}

static void classify_and_head_id(void **state)
{
	const char *why;
	cJSON *req = jsonrpc_parse("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/call\"}", strlen("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/call\"}"), &why);
	cJSON *id = jsonrpc_head_id("{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\",\"params\":{\"x\":\"", 60);
	struct jsonrpc_msg m;

	(void)state;
	jsonrpc_classify(req, &m);
	assert_int_equal(m.kind, MSG_REQUEST);
	assert_string_equal(m.method, "tools/call");
	assert_non_null(id);
	assert_int_equal(id->valueint, 42);
	assert_null(jsonrpc_head_id("{\"params\":{\"id\":1}", 18));
	cJSON_Delete(req);
	cJSON_Delete(id);
}

static void denial_reply_keeps_id_and_marks_policy(void **state)
{
	cJSON *id = cJSON_CreateNumber(5);
	char *line = reply_tool_error(id, "denied", "deny", "run", "r1", "why");
	cJSON *msg = cJSON_Parse(line);
	cJSON *res = cJSON_GetObjectItem(msg, "result");
	cJSON *meta = cJSON_GetObjectItem(cJSON_GetObjectItem(res, "_meta"), POLICY_META_KEY);

	(void)state;
	assert_non_null(line);
	assert_int_equal(line[strlen(line) - 1], '\n');
	assert_int_equal(cJSON_GetObjectItem(msg, "id")->valueint, 5);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(res, "isError")));
	assert_string_equal(cJSON_GetObjectItem(meta, "rule")->valuestring, "r1");
	assert_string_equal(cJSON_GetObjectItem(meta, "decision")->valuestring, "deny");
	cJSON_Delete(msg);
	cJSON_Delete(id);
	free(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scan_finds_top_level_members),
		cmocka_unit_test(scan_rejects_non_json_and_flags_complex),
		cmocka_unit_test(parse_refuses_trailing_bytes_and_nul),
		cmocka_unit_test(duplicate_and_case_variant_keys_are_found),
		cmocka_unit_test(go_style_folding_and_many_keys),
		cmocka_unit_test(ids_have_canonical_keys),
		cmocka_unit_test(classify_and_head_id),
		cmocka_unit_test(denial_reply_keeps_id_and_marks_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
