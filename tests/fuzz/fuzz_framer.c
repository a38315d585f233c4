/* fuzz_framer.c: libFuzzer harness for the stdio framing path: framer, scanner, strict parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc/message.h"
#include "jsonrpc/scan.h"
#include "shim/linebuf.h"

/* A batch's element spans (what the shim forwards) are each exactly one element, equal to what the
 * strict parser read: the server must be shown what the policy saw. */
static void check_spans(const cJSON *arr, const char *line, size_t n)
{
	struct json_span sp[64];
	int count = cJSON_GetArraySize(arr), got;
	const cJSON *el = arr->child;
	const char *why;

	if (count > 64)
		return;
	got = jsonrpc_array_spans(line, n, sp, 64);
	if (got != count)
		abort();
	for (int i = 0; i < got; i++, el = el->next) {
		cJSON *again = jsonrpc_parse(sp[i].p, sp[i].n, &why);
		char *a = again ? cJSON_PrintUnformatted(again) : NULL, *b = cJSON_PrintUnformatted(el);

		/* Printed, not cJSON_Compare: that one can't match objects with repeated keys. */
		if (!again || (a && b && strcmp(a, b)))
			abort();
		free(a);
		free(b);
		cJSON_Delete(again);
	}
}

static int on_line(void *ctx, enum linebuf_event ev, const char *line, size_t len)
{
	size_t n = linebuf_trim(line, len);
	struct jsonrpc_top top;
	struct jsonrpc_msg m;
	char key[ID_KEY_MAX], dup[64];
	const char *why;
	cJSON *root, *id;

	(void)ctx;
	id = jsonrpc_head_id(line, len);
	cJSON_Delete(id);
	if (ev == LINEBUF_OVERSIZE)
		return 0;
	if (jsonrpc_scan(line, n, &top) == SCAN_OBJECT && top.id.p)
		jsonrpc_id_key_raw(top.id.p, top.id.n, key);
	root = jsonrpc_parse(line, n, &why);
	if (!root)
		return 0;
	if (cJSON_IsArray(root))
		check_spans(root, line, n);
	jsonrpc_check_keys(root, 1, dup, sizeof(dup));
	jsonrpc_classify(root, &m);
	if (m.id)
		jsonrpc_id_key(m.id, key);
	cJSON_Delete(root);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linebuf lb;
	size_t half = size / 2;

	/* A small cap, and two chunks, so oversize and split-line paths are reached. */
	linebuf_init(&lb, 8192);
	linebuf_feed(&lb, (const char *)data, half, on_line, NULL);
	linebuf_feed(&lb, (const char *)data + half, size - half, on_line, NULL);
	linebuf_finish(&lb, on_line, NULL);
	linebuf_free(&lb);
	return 0;
}
