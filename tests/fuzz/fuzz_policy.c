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
	/* The input's length picks the mode: both loaders' error paths, which read on past each error, are fuzzed. */
	unsigned flags = size & 1 ? POLICY_STRICT_INTERCEPT : 0;
	char err[1024];	/* smaller than POLICY_ERR_SIZE: the overflow path too */
	struct policy *p = policy_load_text("fuzz.yaml", (const char *)data, size, flags, err, sizeof(err));
	struct counters *c;
	struct counter_add *added = NULL;
	cJSON *args;
	struct decision d;

	if (!p)
		return 0;
	policy_lint(p, ignore, NULL);
	c = counters_new();
	args = cJSON_Parse("{\"code\":\"print(1)\",\"amount\":5,\"tags\":[\"a\"],\"n\":{\"x\":1}}");
	for (size_t i = 0; i < p->ntools && i < 4; i++) {
		struct call_ctx cx = { .tool = p->tools[i].name, .args = args, .now = 1000, .undo = &added };

		policy_decide(p, c, &cx, &d);
		if (i & 1) {	/* a failed call's counts come back; a kept call's list is freed */
			counters_undo(c, added);
		} else {
			counter_adds_free(added);
		}
		added = NULL;
	}
	cJSON_Delete(args);
	counters_free(c);
	policy_free(p);
	return 0;
}
