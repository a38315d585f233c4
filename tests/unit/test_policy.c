/* test_policy.c: unit tests of policy loading (three formats, errors) and decisions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "policy/duration.h"
#include "policy/eval.h"
#include "policy/load.h"

static struct policy *load(const char *text, char *err)
{
	return policy_load_text("t.yaml", text, strlen(text), 0, err, 1024);
}

static void load_fails(const char *text, const char *want)
{
	char err[1024];
	struct policy *p = load(text, err);

	if (p || !strstr(err, want))
		fail_msg("want error containing '%s', got '%s'", want, p ? "(loaded)" : err);
}

static const char *intercept =
	"version: \"1\"\n"
	"description: every op\n"
	"default: allow\n"
	"hide: [drop_db]\n"
	"tools:\n"
	"  charge:\n"
	"    timeout: 1500ms\n"
	"    rules:\n"
	"      - name: max-amount\n"
	"        conditions:\n"
	"          - {path: args.amount, op: lte, value: 500}\n"
	"          - {path: args.amount, op: gt, value: 0}\n"
	"          - {path: args.currency, op: in, value: [usd, eur]}\n"
	"          - {path: args.note, op: regex, value: \"^[a-z ]*$\"}\n"
	"        on_deny: amount out of range\n"
	"      - name: daily-spend\n"
	"        conditions:\n"
	"          - {path: state.charge.spent, op: lte, value: 1000}\n"
	"        state: {counter: spent, window: day, increment_from: args.amount}\n"
	"        on_deny: daily cap reached\n"
	"  search:\n"
	"    rules:\n"
	"      - name: q\n"
	"        conditions:\n"
	"          - {path: args.q, op: exists}\n"
	"          - {path: args.q, op: neq, value: \"\"}\n"
	"          - {path: args.tags, op: contains, value: safe}\n"
	"          - {path: args.lang, op: not_in, value: [bash]}\n"
	"          - {path: args.n, op: gte, value: 1}\n"
	"          - {path: args.n, op: lt, value: 10}\n"
	"          - {path: args.mode, op: eq, value: fast}\n"
	"      - name: hourly\n"
	"        rate_limit: 2/hour\n"
	"  wipe:\n"
	"    rules:\n"
	"      - {name: never, action: deny, on_deny: destructive}\n"
	"  deploy:\n"
	"    rules:\n"
	"      - {name: human, action: require_approval}\n"
	"  \"*\":\n"
	"    rules:\n"
	"      - {name: global, rate_limit: 100/minute}\n";

static bool decide(struct policy *p, struct counters *c, const char *tool, const char *args,
		   struct decision *d)
{
	cJSON *a = args ? cJSON_Parse(args) : NULL;
	struct call_ctx cx = { .tool = tool, .args = a, .now = 1000000 };

	policy_decide(p, c, &cx, d);
	cJSON_Delete(a);
	return d->allow;
}

static void intercept_ops_decide(void **state)
{
	char err[1024];
	struct policy *p = load(intercept, err);
	struct counters *c = counters_new();
	struct decision d;

	(void)state;
	if (!p)
		fail_msg("%s", err);
	assert_true(decide(p, c, "charge", "{\"amount\":100,\"currency\":\"usd\",\"note\":\"ok\"}", &d));
	assert_int_equal(d.timeout_ms, 1500);
	assert_false(decide(p, c, "charge", "{\"amount\":600,\"currency\":\"usd\",\"note\":\"ok\"}", &d));
	assert_string_equal(d.rule, "max-amount");
	assert_string_equal(d.reason, "amount out of range");
	assert_false(decide(p, c, "charge", "{\"amount\":10,\"currency\":\"gbp\",\"note\":\"ok\"}", &d));
	assert_false(decide(p, c, "charge", "{\"amount\":10,\"currency\":\"usd\",\"note\":\"BAD!\"}", &d));
	/* State: 100 spent. 450 + 400 fit under the 1000 cap; 100 more would overshoot it
	 * (the condition sees the value after the call); 50 fits exactly; then nothing does. */
#define CHARGE(n) "{\"amount\":" #n ",\"currency\":\"eur\",\"note\":\"\"}"
	assert_true(decide(p, c, "charge", CHARGE(450), &d));
	assert_true(decide(p, c, "charge", CHARGE(400), &d));
	assert_false(decide(p, c, "charge", CHARGE(100), &d));
	assert_string_equal(d.rule, "daily-spend");
	assert_true(decide(p, c, "charge", CHARGE(50), &d));
	assert_false(decide(p, c, "charge", CHARGE(1), &d));
	assert_string_equal(d.rule, "daily-spend");
	assert_false(decide(p, c, "charge", "{\"currency\":\"eur\",\"note\":\"\"}", &d));

	const char *good = "{\"q\":\"x\",\"tags\":[\"safe\"],\"lang\":\"py\",\"n\":3,\"mode\":\"fast\"}";
	assert_true(decide(p, c, "search", good, &d));
	assert_false(decide(p, c, "search", "{\"tags\":[\"safe\"],\"lang\":\"py\",\"n\":3,\"mode\":\"fast\"}", &d));
	assert_false(decide(p, c, "search", "{\"q\":\"\",\"tags\":[\"safe\"],\"lang\":\"py\",\"n\":3,\"mode\":\"fast\"}", &d));
	assert_false(decide(p, c, "search", "{\"q\":\"x\",\"tags\":[\"no\"],\"lang\":\"py\",\"n\":3,\"mode\":\"fast\"}", &d));
	assert_false(decide(p, c, "search", "{\"q\":\"x\",\"tags\":[\"safe\"],\"lang\":\"bash\",\"n\":3,\"mode\":\"fast\"}", &d));
	assert_false(decide(p, c, "search", "{\"q\":\"x\",\"tags\":[\"safe\"],\"lang\":\"py\",\"n\":0,\"mode\":\"fast\"}", &d));
	assert_false(decide(p, c, "search", "{\"q\":\"x\",\"tags\":[\"safe\"],\"lang\":\"py\",\"n\":10,\"mode\":\"fast\"}", &d));
	assert_false(decide(p, c, "search", "{\"q\":\"x\",\"tags\":[\"safe\"],\"lang\":\"py\",\"n\":3,\"mode\":\"slow\"}", &d));
	/* Rate limit: only allowed calls count; the third allowed one trips. */
	assert_true(decide(p, c, "search", good, &d));
	assert_false(decide(p, c, "search", good, &d));
	assert_string_equal(d.rule, "hourly");

	assert_false(decide(p, c, "wipe", NULL, &d));
	assert_string_equal(d.reason, "destructive");
	assert_false(decide(p, c, "deploy", NULL, &d));
	assert_non_null(strstr(d.reason, "no approver is configured"));
	assert_false(decide(p, c, "drop_db", NULL, &d));
	assert_string_equal(d.rule, "(hidden)");
	assert_true(decide(p, c, "unlisted", NULL, &d));
	counters_free(c);
	policy_free(p);
}

static void wildcard_rate_limit_is_global(void **state)
{
	char err[1024];
	struct policy *p = load("default: deny\ntools:\n  a: {}\n  b: {}\n  \"*\":\n    rules:\n"
				"      - {name: g, rate_limit: 3/minute}\n", err);
	struct counters *c = counters_new();
	struct decision d;

	(void)state;
	assert_non_null(p);
	assert_true(decide(p, c, "a", NULL, &d));
	assert_true(decide(p, c, "b", NULL, &d));
	assert_true(decide(p, c, "a", NULL, &d));
	assert_false(decide(p, c, "b", NULL, &d));
	assert_string_equal(d.rule, "g");
	assert_false(decide(p, c, "zzz", NULL, &d));
	assert_string_equal(d.rule, "(default deny)");
	counters_free(c);
	policy_free(p);
}

static void seed_style_and_schema_validation(void **state)
{
	char err[1024];
	struct policy *p = load("version: 1\ntools:\n  run_python_code:\n    rules:\n"
				"      - action: allow\n        reason: too many runs\n"
				"        rate_limit: {max: 2, window: minute}\n"
				"        validate: {required_args: true}\n"
				"  strict:\n    rules:\n      - validate: {schema: true}\n", err);
	cJSON *schema = cJSON_Parse("{\"type\":\"object\",\"properties\":{\"code\":{\"type\":\"string\"},"
				    "\"lang\":{\"enum\":[\"py\",\"sh\"]}},\"required\":[\"code\"],"
				    "\"additionalProperties\":false}");
	cJSON *ok = cJSON_Parse("{\"code\":\"1\"}"), *missing = cJSON_Parse("{}");
	cJSON *badtype = cJSON_Parse("{\"code\":1}"), *badenum = cJSON_Parse("{\"code\":\"x\",\"lang\":\"js\"}");
	cJSON *extra = cJSON_Parse("{\"code\":\"x\",\"evil\":1}");
	struct counters *c = counters_new();
	struct call_ctx cx = { .tool = "run_python_code", .schema = schema, .now = 50 };
	struct decision d;

	(void)state;
	if (!p)
		fail_msg("%s", err);
	cx.args = missing;
	policy_decide(p, c, &cx, &d);
	assert_false(d.allow);
	assert_non_null(strstr(d.reason, "args.code: required argument missing"));
	cx.args = badtype;	/* required_args only: types not checked */
	policy_decide(p, c, &cx, &d);
	assert_true(d.allow);
	cx.args = ok;
	policy_decide(p, c, &cx, &d);
	assert_true(d.allow);
	policy_decide(p, c, &cx, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "too many runs");

	cx.tool = "strict";
	cx.args = badtype;
	policy_decide(p, c, &cx, &d);
	assert_false(d.allow);
	assert_non_null(strstr(d.reason, "wrong type"));
	cx.args = badenum;
	policy_decide(p, c, &cx, &d);
	assert_false(d.allow);
	cx.args = extra;
	policy_decide(p, c, &cx, &d);
	assert_false(d.allow);
	cx.schema = NULL;
	cx.args = ok;
	policy_decide(p, c, &cx, &d);
	assert_false(d.allow);
	assert_non_null(strstr(d.reason, "not known"));
	cJSON_Delete(schema);
	cJSON_Delete(ok);
	cJSON_Delete(missing);
	cJSON_Delete(badtype);
	cJSON_Delete(badenum);
	cJSON_Delete(extra);
	counters_free(c);
	policy_free(p);
}

static void policylayer_json_loads(void **state)
{
	char err[1024];
	struct policy *p = load("{\n\t\"version\": \"1\",\n\t\"default\": \"deny\",\n\t\"tools\": {\n"
				"\t\t\"read_file\": {\"limits\": [{\"counter\": \"reads\", \"window\": \"minute\","
				" \"max\": 1, \"scope\": \"tool\"}]}\n\t}\n}\n", err);
	struct counters *c = counters_new();
	struct decision d;

	(void)state;
	if (!p)
		fail_msg("%s", err);
	assert_true(p->default_deny);
	assert_true(decide(p, c, "read_file", NULL, &d));
	assert_false(decide(p, c, "read_file", NULL, &d));
	assert_string_equal(d.rule, "reads");
	assert_false(decide(p, c, "write_file", NULL, &d));
	counters_free(c);
	policy_free(p);
}

static void intercept_equality_exists_and_global_state(void **state)
{
	char err[1024];
	struct policy *p = load("tools:\n  t:\n    rules:\n      - name: n\n        conditions:\n"
				"          - {path: args.n, op: eq, value: \"5\"}\n"
				"          - {path: args.flag, op: in, value: [true]}\n"
				"          - {path: args.opt, op: exists, value: false}\n"
				"  \"*\":\n    rules:\n      - name: budget\n        conditions:\n"
				"          - {path: state._global.calls, op: lte, value: 2}\n"
				"        state: {counter: calls, window: hour}\n", err);
	struct counters *c = counters_new();
	struct decision d;

	(void)state;
	if (!p)
		fail_msg("%s", err);
	assert_true(decide(p, c, "t", "{\"n\":5,\"flag\":\"true\",\"opt\":null}", &d));
	assert_true(decide(p, c, "t", "{\"n\":\"5.0\",\"flag\":true}", &d));
	assert_false(decide(p, c, "t", "{\"n\":6,\"flag\":true}", &d));
	assert_false(decide(p, c, "t", "{\"n\":5,\"flag\":true,\"opt\":1}", &d));
	assert_false(decide(p, c, "other", NULL, &d));	/* third call: global budget of 2 spent */
	assert_string_equal(d.rule, "budget");
	counters_free(c);
	policy_free(p);
}

static void policylayer_all_tools(void **state)
{
	char err[1024];
	struct policy *p = load("{\"version\":\"1\",\"default\":\"allow\",\"all_tools\":{\"limits\":"
				"[{\"counter\":\"any\",\"window\":\"hour\",\"max\":1,\"scope\":\"grant\"}]}}", err);
	struct counters *c = counters_new();
	struct decision d;

	(void)state;
	if (!p)
		fail_msg("%s", err);
	assert_true(decide(p, c, "a", NULL, &d));
	assert_false(decide(p, c, "b", NULL, &d));
	assert_string_equal(d.rule, "any");
	counters_free(c);
	policy_free(p);
	load_fails("{\"all_tools\":{},\"tools\":{\"*\":{}}}", "all_tools: give either");
}

static void errors_name_line_and_field(void **state)
{
	(void)state;
	load_fails("version: \"1\"\nbogus: 1\n", "t.yaml:2: bogus: unknown key");
	load_fails("tools:\n  x:\n    rules:\n      - name: a\n        conditions:\n"
		   "          - {path: args.a, op: like, value: 1}\n",
		   "t.yaml:6: tools.x.rules[0].conditions[0].op: unknown op 'like'");
	load_fails("tools:\n  x:\n    rules:\n      - rate_limit: 5/fortnight\n",
		   "t.yaml:4: tools.x.rules[0].rate_limit:");
	load_fails("tools:\n  x:\n    timeout: soon\n", "t.yaml:3: tools.x.timeout:");
	load_fails("default: maybe\n", "t.yaml:1: default: must be allow or deny");
	load_fails("tools:\n  x: {}\n  x: {}\n", "tools.x: key repeated");
	load_fails("version: 2\n", "version");
	load_fails("tools:\n  x:\n    rules:\n      - conditions:\n          - {path: args.a, op: regex, value: \"(\"}\n",
		   "conditions[0].value: must be a valid extended regular expression");
	load_fails("tools:\n  x:\n    rules:\n      - {action: maybe}\n", "tools.x.rules[0].action");
	load_fails("tools:\n  x:\n    rules:\n      - conditions:\n          - {path: args.a, op: regex, value: \"((a{1,100}){1,100}){1,100}\"}\n",
		   "too costly: its repetitions expand past 20000 nodes");
	load_fails("tools:\n  x:\n    rules:\n      - conditions:\n          - {path: args.a, op: regex, value: \"x++++++++++++++++++++\"}\n",
		   "too costly");
	load_fails("tools:\n  x:\n    rules:\n      - conditions:\n          - {path: args.a, op: regex, value: \"(a)\\\\1\"}\n",
		   "back-references are not allowed");
	load_fails("tools: [\n", "t.yaml:");
	load_fails("", "empty");
	load_fails("sandbox:\n  network:\n    allow: [\"300.1.1.1\"]\n", "sandbox.network.allow[0]");
	load_fails("a: &a [*a]\n", "t.yaml:");
	/* The kernel counts processes in 32 bits: a limit the daemon could not hold is refused here. */
	load_fails("sandbox: {max_processes: 4294967296}\n", "sandbox.max_processes: must be a whole number from 1 to 4294967295");
	load_fails("sandbox: {max_processes: 0}\n", "sandbox.max_processes: must be a whole number from 1");
	/* The server's seccomp filter and capabilities are set once, at its start: names are checked here. */
	load_fails("sandbox:\n  syscalls: {deny: [chroot, frobnicate]}\n",
		   "t.yaml:2: sandbox.syscalls.deny[1]: no syscall 'frobnicate' on this architecture");
	load_fails("sandbox:\n  capabilities: {keep: [CAP_FROB]}\n", "sandbox.capabilities.keep[0]: no capability 'CAP_FROB'");
	load_fails("sandbox:\n  syscalls: {allow: [ptrace]}\n", "sandbox.syscalls.allow: unknown key");
	load_fails("tools:\n  x:\n    sandbox:\n      syscalls: {deny: [chroot]}\n",
		   "tools.x.sandbox.syscalls: only in the top-level sandbox");
}

/* Intercept's semantic checks: each refused on its own, naming the line and field. */
static void intercept_validation(void **state)
{
	(void)state;
	load_fails("tools:\n  x:\n    rules:\n      - name: \"\"\n        conditions: [{path: args.a, op: exists, value: true}]\n",
		   "t.yaml:4: tools.x.rules[0].name: a rule must have a name");
	load_fails("tools:\n  x:\n    rules:\n      - {name: a, action: evaluate}\n",
		   "t.yaml:4: tools.x.rules[0].conditions: an evaluate rule must have at least one condition");
	load_fails("tools:\n  x:\n    rules:\n      - name: a\n        rate_limit: 5/hour\n"
		   "        conditions: [{path: args.a, op: exists, value: true}]\n",
		   "t.yaml:4: tools.x.rules[0]: rate_limit cannot be combined with conditions or state");
	load_fails("tools:\n  x:\n    rules:\n      - name: a\n        rate_limit: 5/hour\n        state: {counter: n, window: day}\n",
		   "rate_limit cannot be combined with conditions or state");
	load_fails("tools:\n  x:\n    rules:\n      - {name: a, action: deny, rate_limit: 5/hour}\n",
		   "t.yaml:4: tools.x.rules[0]: rate_limit cannot be used with action deny");
	load_fails("tools:\n  x:\n    rules:\n"
		   "      - name: a\n        conditions: [{path: state.x.n, op: lt, value: 3}]\n        state: {counter: n, window: day}\n"
		   "      - name: b\n        conditions: [{path: state.x.n, op: lt, value: 9}]\n        state: {counter: n, window: day}\n",
		   "t.yaml:7: tools.x.rules[1].state.counter: duplicate state counter 'n' (also tools.x.rules[0])");
	load_fails("hide: [a, \"\"]\n", "t.yaml:1: hide[1]: entry must not be empty");
	load_fails("hide: [a, b, a]\n", "t.yaml:1: hide[2]: duplicate entry \"a\" (also hide[0])");
	load_fails("tools:\n  x:\n    rules:\n      - name: a\n        conditions: [{path: state.x.ghost, op: lt, value: 3}]\n",
		   "t.yaml:5: tools.x.rules[0].conditions[0].path: no rule of tool x keeps a state counter 'ghost'");
	load_fails("tools:\n  x:\n    rules:\n      - name: a\n        conditions: [{path: state.x.n, op: lt, value: 3}]\n"
		   "        state: {counter: \"\", window: day}\n", "tools.x.rules[0].state.counter: must not be empty");
	load_fails("tools:\n  x:\n    rules:\n      - {name: \"\", rate_limit: 5/minute}\n",
		   "tools.x.rules[0].name: a rule must have a name");
	load_fails("tools:\n  x:\n    rules:\n      - {name: a, rate_limit: 5/minute}\n      - {name: b, rate_limit: 9/minute}\n",
		   "t.yaml:5: tools.x.rules[1].rate_limit: duplicate state counter '_rate_minute' (also tools.x.rules[0])");
	load_fails("tools:\n  x:\n    rules:\n      - {name: a, rate_limit: 5/minute}\n"
		   "      - name: b\n        conditions: [{path: state.x._rate_minute, op: lt, value: 3}]\n",
		   "mcpwarden keeps a rate_limit's count apart: no condition reads '_rate_minute'");
	load_fails("hide: [\"\\v\\f\"]\n", "hide[0]: entry must not be empty");
	/* A key's newline can't start a line of its own in the error list. */
	load_fails("tools:\n  b:\n    \"bo\\nt.yaml:1: forged\": 1\n", "t.yaml:3: tools.b.bo?t.yaml:1: forged: unknown key");
}

/* Every error of a file, one per line in the file's order, each file:line: field: message. */
static void all_errors_listed(void **state)
{
	const char *text = "version: \"2\"\n"
			   "default: maybe\n"
			   "tools:\n"
			   "  x:\n"
			   "    rules:\n"
			   "      - {name: a, action: evaluate}\n"
			   "      - name: b\n"
			   "        conditions: [{path: nowhere, op: like, value: 1}]\n"
			   "hide: [\"\"]\n";
	const char *want = "t.yaml:1: version: only version \"1\" is known\n"
			   "t.yaml:2: default: must be allow or deny\n"
			   "t.yaml:6: tools.x.rules[0].conditions: an evaluate rule must have at least one condition\n"
			   "t.yaml:8: tools.x.rules[1].conditions[0].path: must start with args. or be state.TOOL.COUNTER\n"
			   "t.yaml:8: tools.x.rules[1].conditions[0].op: unknown op 'like'\n"
			   "t.yaml:9: hide[0]: entry must not be empty";
	char err[POLICY_ERR_SIZE], small[200];

	(void)state;
	assert_null(policy_load_text("t.yaml", text, strlen(text), 0, err, sizeof(err)));
	assert_string_equal(err, want);
	/* Past the buffer, the rest are counted, not cut mid-line unsaid. */
	assert_null(policy_load_text("t.yaml", text, strlen(text), 0, small, sizeof(small)));
	assert_non_null(strstr(small, "more errors"));
}

/* hide: ["*"] hides, and so refuses, every tool (Intercept's wildcard). */
static void hide_star(void **state)
{
	char err[1024];
	struct policy *p = load("hide: [\"*\"]\ntools:\n  a: {}\n", err);
	struct counters *c = counters_new();
	struct decision d;

	(void)state;
	assert_non_null(p);
	assert_true(policy_hidden(p, "a"));
	assert_true(policy_hidden(p, "anything"));
	assert_false(decide(p, c, "a", NULL, &d));
	assert_string_equal(d.rule, "(hidden)");
	assert_string_equal(d.reason, "Tool \"a\" is hidden by policy");
	counters_free(c);
	policy_free(p);
}

/* Intercept's words where the policy has none of its own. */
static void intercept_wording(void **state)
{
	char err[1024];
	struct policy *p = load("default: deny\ntools:\n  a:\n    rules:\n      - {name: r, rate_limit: 1/day}\n"
				"  b:\n    rules:\n      - {name: s, rate_limit: 1/hour, on_deny: slow down}\n", err);
	struct counters *c = counters_new();
	struct decision d;

	(void)state;
	assert_non_null(p);
	assert_true(decide(p, c, "a", NULL, &d));
	assert_false(decide(p, c, "a", NULL, &d));
	assert_string_equal(d.reason, "Rate limit of 1 per day reached. Try again later.");
	assert_true(decide(p, c, "b", NULL, &d));
	assert_false(decide(p, c, "b", NULL, &d));
	assert_string_equal(d.reason, "slow down");
	assert_false(decide(p, c, "zz", NULL, &d));
	assert_string_equal(d.rule, "(default deny)");
	assert_string_equal(d.reason, "Tool \"zz\" is not permitted by policy");
	counters_free(c);
	policy_free(p);
	/* A rule without on_deny: Intercept's "Denied by rule", and "Rate limit exceeded" for its own counter's cap. */
	p = load("tools:\n  d:\n    rules:\n      - {name: no, action: deny}\n"
		 "  e:\n    rules:\n      - {name: small, conditions: [{path: args.n, op: lt, value: 3}]}\n"
		 "  s:\n    rules:\n      - name: cap\n        conditions: [{path: state.s.k, op: lte, value: 1}]\n"
		 "        state: {counter: k, window: day, increment: 0}\n", err);
	c = counters_new();
	assert_non_null(p);
	assert_false(decide(p, c, "d", NULL, &d));
	assert_string_equal(d.reason, "Denied by rule \"no\"");
	assert_false(decide(p, c, "e", "{\"n\": 5}", &d));
	assert_string_equal(d.reason, "Denied by rule \"small\"");
	assert_true(decide(p, c, "s", NULL, &d));	/* increment 0 counts 1, as Intercept has it */
	assert_false(decide(p, c, "s", NULL, &d));
	assert_string_equal(d.reason, "Rate limit exceeded for cap");
	counters_free(c);
	policy_free(p);
}

/* A call that fails gives back what it counted: its rate limit and its state amount, in their window. */
static void failed_call_counts_nothing(void **state)
{
	char err[1024];
	struct policy *p = load("tools:\n  a:\n    rules:\n      - {name: r, rate_limit: 2/minute}\n"
				"      - name: spend\n        conditions: [{path: state.a.total, op: lte, value: 10}]\n"
				"        state: {counter: total, window: day, increment_from: args.n}\n", err);
	struct counters *c = counters_new();
	cJSON *args = cJSON_Parse("{\"n\": 6}");
	struct counter_add *added = NULL, *old;
	struct call_ctx cx = { .tool = "a", .args = args, .now = 1000000, .undo = &added };
	struct decision d;

	(void)state;
	assert_non_null(p);
	for (int i = 0; i < 5; i++) {	/* each fails and gives back: the limit of 2 and the 10 never bind */
		policy_decide(p, c, &cx, &d);
		assert_true(d.allow);
		assert_non_null(added);
		counters_undo(c, added);
		added = NULL;
	}
	policy_decide(p, c, &cx, &d);	/* this one is kept, its undo held back */
	assert_true(d.allow);
	old = added;
	added = NULL;
	cx.undo = NULL;
	policy_decide(p, c, &cx, &d);	/* 12 > 10 */
	assert_false(d.allow);
	assert_string_equal(d.rule, "spend");
	/* Two minutes on, the rate window is a new one: it fills, and the old call's undo takes nothing from it. */
	cx.now += 120;
	args->child->valuedouble = 0;
	policy_decide(p, c, &cx, &d);
	assert_true(d.allow);
	policy_decide(p, c, &cx, &d);
	assert_true(d.allow);
	policy_decide(p, c, &cx, &d);
	assert_false(d.allow);
	assert_string_equal(d.rule, "r");
	counters_undo(c, old);
	policy_decide(p, c, &cx, &d);
	assert_false(d.allow);
	assert_string_equal(d.rule, "r");
	cJSON_Delete(args);
	counters_free(c);
	policy_free(p);
}

/* --strict-intercept: every extension refused, each named; a file Intercept reads passes. */
static void strict_intercept(void **state)
{
	static const struct {
		const char *text, *want;
	} ext[] = {
		{ "tools:\n  x:\n    rules:\n      - name: a\n        action: deny\n        conditions: [{path: args.a, op: exists, value: true}]\n",
		  "t.yaml:6: tools.x.rules[0].conditions: a deny rule with conditions is a mcpwarden extension" },
		{ "tools:\n  x:\n    timeout: 5s\n", "t.yaml:3: tools.x.timeout: a mcpwarden extension" },
		{ "sandbox: {max_processes: 3}\n", "t.yaml:1: sandbox: a mcpwarden extension" },
		{ "deny_text: intercept\n", "deny_text: a mcpwarden extension" },
		{ "tools:\n  x:\n    rules:\n      - {name: a, action: allow}\n", "'allow' is a mcpwarden extension" },
		{ "tools:\n  x:\n    rules:\n      - {name: a, rate_limit: {max: 3, window: hour}}\n", "a map {max, window} is a mcpwarden extension" },
		{ "tools:\n  x:\n    rules:\n      - {name: a, rate_limit: 3/second}\n", "must be N/minute, N/hour or N/day" },
		{ "tools:\n  x:\n    rules:\n      - name: a\n        conditions: [{path: state.x.n, op: lt, value: 3}]\n"
		  "        state: {counter: n, window: 10m}\n", "must be minute, hour or day" },
		{ "tools:\n  x:\n    rules:\n      - {name: a, reason: no, conditions: [{path: args.a, op: exists, value: true}]}\n",
		  "tools.x.rules[0].reason: a mcpwarden extension" },
		{ "version: \"1\"\ntools:\n  x:\n    rules:\n      - {conditions: [{path: args.a, op: exists, value: true}]}\n",
		  "tools.x.rules[0].name: a rule must have a name (rule-N is a mcpwarden extension" },
		{ "tools: {}\n", "version: is required" },
		{ "tools:\n  x:\n    rules:\n      - {name: a, conditions: [{path: args, op: exists, value: true}]}\n",
		  "conditions[0].path: must start with args." },
		{ "tools:\n  x:\n    rules:\n      - name: a\n        conditions: [{path: state.x.n, op: lt, value: 3}]\n"
		  "        state: {counter: n, window: day, increment: 1.5}\n", "a fractional increment is a mcpwarden extension" },
	};
	const char *ok = "version: \"1\"\ndefault: deny\nhide: [drop]\ntools:\n  x:\n    rules:\n"
			 "      - {name: a, action: deny, on_deny: no}\n      - {name: b, rate_limit: 3/hour}\n"
			 "      - name: c\n        conditions: [{path: state.x.n, op: lt, value: 3}]\n"
			 "        state: {counter: n, window: day, increment_from: args.k}\n";
	char err[POLICY_ERR_SIZE];
	struct policy *p;

	(void)state;
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		p = policy_load_text("t.yaml", ext[i].text, strlen(ext[i].text), 0, err, sizeof(err));
		if (!p)
			fail_msg("case %zu does not load without --strict-intercept: %s", i, err);
		policy_free(p);
		p = policy_load_text("t.yaml", ext[i].text, strlen(ext[i].text), POLICY_STRICT_INTERCEPT, err,
				     sizeof(err));
		if (p || !strstr(err, ext[i].want))
			fail_msg("case %zu: want '%s', got '%s'", i, ext[i].want, p ? "(loaded)" : err);
	}
	p = policy_load_text("t.yaml", ok, strlen(ok), POLICY_STRICT_INTERCEPT, err, sizeof(err));
	if (!p)
		fail_msg("an Intercept policy refused: %s", err);
	policy_free(p);
}

static void sandbox_block_loads(void **state)
{
	char err[1024];
	struct policy *p = load("sandbox:\n  exec: {allow: [/usr/bin/python3*], deny: [/bin/sh]}\n"
				"  network: {egress: deny, allow: [\"127.0.0.1:8080\", \"10.0.0.0/8\", \"[::1]:443\"]}\n"
				"  max_processes: 32\n  max_runtime: 30s\n", err);

	(void)state;
	if (!p)
		fail_msg("%s", err);
	assert_int_equal(p->sandbox.egress, 0);
	assert_int_equal(p->sandbox.nnet_allow, 3);
	assert_int_equal(p->sandbox.net_allow[0].port, 8080);
	assert_int_equal(p->sandbox.net_allow[1].prefix, 8);
	assert_int_equal(p->sandbox.net_allow[2].port, 443);
	assert_int_equal(p->sandbox.max_processes, 32);
	assert_int_equal(p->sandbox.max_runtime_ms, 30000);
	policy_free(p);
}

static void durations_and_rates(void **state)
{
	long max, win;

	(void)state;
	assert_int_equal(duration_ms("250ms"), 250);
	assert_int_equal(duration_ms("2m"), 120000);
	assert_int_equal(duration_ms("3"), 3000);
	assert_int_equal(duration_ms("x"), -1);
	assert_int_equal(window_seconds("hours"), 3600);
	assert_int_equal(window_seconds("10m"), 600);
	assert_int_equal(rate_parse("5/day", &max, &win), 0);
	assert_int_equal(max, 5);
	assert_int_equal(win, 86400);
	assert_int_equal(rate_parse("0/day", &max, &win), -1);
	assert_int_equal(rate_parse("5", &max, &win), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(intercept_ops_decide),
		cmocka_unit_test(wildcard_rate_limit_is_global),
		cmocka_unit_test(seed_style_and_schema_validation),
		cmocka_unit_test(policylayer_json_loads),
		cmocka_unit_test(intercept_equality_exists_and_global_state),
		cmocka_unit_test(policylayer_all_tools),
		cmocka_unit_test(errors_name_line_and_field),
		cmocka_unit_test(intercept_validation),
		cmocka_unit_test(all_errors_listed),
		cmocka_unit_test(hide_star),
		cmocka_unit_test(intercept_wording),
		cmocka_unit_test(failed_call_counts_nothing),
		cmocka_unit_test(strict_intercept),
		cmocka_unit_test(sandbox_block_loads),
		cmocka_unit_test(durations_and_rates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
