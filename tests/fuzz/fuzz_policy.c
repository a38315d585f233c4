/* fuzz_policy.c: libFuzzer harness for the policy loader, then `policy check`'s warnings and one decision on what loaded. */
#include <stdint.h>
#include <string.h>

#include "policy/eval.h"
#include "policy/lint.h"
#include "policy/load.h"

static void ignore(void *ctx, const char *text)
{
	(void)ctx;
	(void)text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	struct policy *p = policy_load_text("fuzz.yaml", (const char *)data, size, err, sizeof(err));
	struct counters *c;
	cJSON *args;
	struct decision d;

	if (!p)
		return 0;
	policy_lint(p, ignore, NULL);
	c = counters_new();
	args = cJSON_Parse("{\"code\":\"print(1)\",\"amount\":5,\"tags\":[\"a\"],\"n\":{\"x\":1}}");
	for (size_t i = 0; i < p->ntools && i < 4; i++) {
		struct call_ctx cx = { .tool = p->tools[i].name, .args = args, .now = 1000 };

		policy_decide(p, c, &cx, &d);
	}
	cJSON_Delete(args);
	counters_free(c);
	policy_free(p);
	return 0;
}
