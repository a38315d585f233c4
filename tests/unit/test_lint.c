/* test_lint.c: unit tests of `policy check`'s warnings (policy/lint.h): each fires where its rule may not hold, and only there. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "policy/lint.h"
#include "policy/load.h"

struct seen {
	char text[4096];
	size_t len;
};

static void collect(void *ctx, const char *text)
{
	struct seen *s = ctx;

	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "%s\n", text);
}

/* Loads `yaml` as t.yaml and checks it gets `n` warnings, one of them containing `want` (when n > 0). */
static void expect(const char *yaml, size_t n, const char *want)
{
	struct seen s = { .len = 0 };
	char err[1024];
	struct policy *p = policy_load_text("t.yaml", yaml, strlen(yaml), 0, err, sizeof(err));
	size_t got;

	if (!p)
		fail_msg("does not load: %s", err);
	s.text[0] = '\0';
	got = policy_lint(p, collect, &s);
	policy_free(p);
	if (got != n || (want && !strstr(s.text, want)))
		fail_msg("for:\n%s\nwant %zu warning(s) with '%s', got %zu:\n%s", yaml, n, want ? want : "", got, s.text);
}

#define REGEX_ON(arg, re) \
	"tools:\n  run:\n    timeout: 5s\n    rules:\n      - conditions:\n          - {path: " arg ", op: regex, value: \"" re "\"}\n"

static void regex_on_code_needs_a_sandbox(void **state)
{
	(void)state;
	expect(REGEX_ON("args.code", "^print"), 1,
	       "t.yaml:6: warning: tools.run.rules[0].conditions[0]: a regex on code-like argument args.code is no boundary");
	expect(REGEX_ON("args.python_code", "x"), 1, "args.python_code");
	expect(REGEX_ON("args.shellCommand", "x"), 1, "args.shellCommand");
	expect(REGEX_ON("args.opts.script", "x"), 1, "args.opts.script");
	/* Not code: "languageId", "decoder" (no word of it is "code"), a path. */
	expect(REGEX_ON("args.languageId", "x"), 0, NULL);
	expect(REGEX_ON("args.decoder", "x"), 0, NULL);
	expect(REGEX_ON("args.path", "x"), 0, NULL);
	/* Any sandbox covering the tool: its own, "*"'s, the server's. */
	expect(REGEX_ON("args.code", "x") "    sandbox: {max_processes: 4}\n", 0, NULL);
	expect("sandbox: {max_runtime: 5s}\n" REGEX_ON("args.code", "x"), 0, NULL);
	expect(REGEX_ON("args.code", "x") "  \"*\":\n    sandbox: {max_runtime: 5s}\n", 0, NULL);
}

static void line_breaks_in_anchored_patterns(void **state)
{
	(void)state;
	expect(REGEX_ON("args.c", "^(ls|id)( [^;&|]*)?$"), 1,
	       "t.yaml:6: warning: tools.run.rules[0].conditions[0]: '[^;&|]' matches a line break in an anchored pattern");
	/* Excluded explicitly (YAML's "\n" is the character itself), or by a class that holds them. */
	expect(REGEX_ON("args.c", "^(ls|id)( [^;&|\\n\\r]*)?$"), 0, NULL);
	expect(REGEX_ON("args.c", "^(ls|id)( [^;[:cntrl:]]*)?$"), 0, NULL);
	expect(REGEX_ON("args.c", "^[]a-z]+$"), 0, NULL);
	/* Excluding one is not enough; a class that lists one lets it in; so does '.'. */
	expect(REGEX_ON("args.c", "^[^;\\n]*$"), 1, "'[^;\\n]' matches a line break");
	expect(REGEX_ON("args.c", "^ls[[:space:]]-l$"), 1, "'[[:space:]]'");
	expect(REGEX_ON("args.c", "^ls .*$"), 1, "'.' matches a line break");
	/* Escaped, or outside any anchored pattern, or in a deny rule (matching more refuses more): fine. */
	expect(REGEX_ON("args.c", "^ls\\\\.txt$"), 0, NULL);
	expect(REGEX_ON("args.c", "[^;]*"), 0, NULL);
	expect("tools:\n  run:\n    rules:\n      - action: deny\n        conditions:\n"
	       "          - {path: args.c, op: regex, value: \"^rm( [^;]*)?$\"}\n", 0, NULL);
}

static void exec_deny_lists_need_an_allow_list(void **state)
{
	(void)state;
	expect("tools:\n  run:\n    timeout: 5s\n    sandbox:\n      exec:\n        deny: [/bin/sh]\n", 1,
	       "t.yaml:6: warning: tools.run.sandbox.exec.deny: a deny list without an allow list");
	expect("sandbox:\n  max_runtime: 5s\n  exec: {deny: [/bin/sh]}\n", 1, "t.yaml:3: warning: sandbox.exec.deny:");
	/* An allow list here or at the server, or deny ["*"], names what may run. */
	expect("tools:\n  run:\n    timeout: 5s\n    sandbox:\n      exec: {allow: [python3], deny: [/bin/sh]}\n", 0, NULL);
	expect("tools:\n  run:\n    timeout: 5s\n    sandbox:\n      exec: {deny: [\"*\"]}\n", 0, NULL);
	expect("sandbox:\n  max_runtime: 5s\n  exec: {allow: [python3]}\ntools:\n  run:\n    sandbox:\n"
	       "      exec: {deny: [/bin/sh]}\n", 0, NULL);
}

static void sandboxed_tools_need_a_deadline(void **state)
{
	(void)state;
	expect("default: deny\ntools:\n  run:\n    sandbox: {max_processes: 4}\n", 1,
	       "t.yaml:4: warning: tools.run: its calls are sandboxed but have no timeout");
	expect("default: deny\nsandbox: {max_processes: 4}\ntools:\n  run:\n    rules: []\n", 1, "tools.run: its calls");
	/* Under default allow, the tools the policy does not list are calls too. */
	expect("sandbox: {max_processes: 4}\n", 1,
	       "t.yaml:1: warning: sandbox: calls of tools this policy does not list are sandboxed but have no timeout");
	/* Any of the limits call_limits.c enforces. */
	expect("default: deny\ntools:\n  run:\n    timeout: 5s\n    sandbox: {max_processes: 4}\n", 0, NULL);
	expect("default: deny\ntools:\n  run:\n    sandbox: {max_runtime: 5s}\n", 0, NULL);
	expect("default: deny\nsandbox: {max_runtime: 5s}\ntools:\n  run:\n    sandbox: {max_processes: 4}\n", 0, NULL);
	expect("sandbox: {max_processes: 4}\ntools:\n  \"*\":\n    timeout: 5s\n", 0, NULL);
	/* No sandbox: the shim's own timeout is a matter of taste. */
	expect("tools:\n  run:\n    rules: []\n", 0, NULL);
}

/* Egress deny leaves unix sockets open unless network.unix says otherwise, here or in the server's sandbox. */
static void egress_deny_needs_unix_rules(void **state)
{
	(void)state;
	expect("tools:\n  run:\n    timeout: 5s\n    sandbox:\n      network: {egress: deny}\n", 1,
	       "t.yaml:5: warning: tools.run.sandbox.network: egress is denied but unix sockets are not");
	expect("tools:\n  run:\n    timeout: 5s\n    sandbox:\n      network: {egress: deny, unix: {deny: [\"/\"]}}\n",
	       0, NULL);
	expect("default: deny\nsandbox:\n  network: {unix: {allow: [/run/x.sock]}}\n"
	       "tools:\n  run:\n    timeout: 5s\n    sandbox:\n      network: {egress: deny}\n", 0, NULL);
	expect("tools:\n  run:\n    timeout: 5s\n    sandbox:\n      network: {egress: allow}\n", 0, NULL);
}

/* An allow list that allows everything is no allow list. */
static void allow_lists_that_allow_all(void **state)
{
	(void)state;
	expect("default: deny\ntools:\n  run:\n    timeout: 5s\n    sandbox:\n      exec: {allow: [python3, \"*\"]}\n", 1,
	       "t.yaml:6: warning: tools.run.sandbox: exec.allow[1] '*' names every program");
	expect("default: deny\ntools:\n  run:\n    timeout: 5s\n    sandbox:\n"
	       "      network: {egress: deny, allow: [\"0.0.0.0/0\"], unix: {deny: [\"/\"]}}\n", 1,
	       "network.allow[0] is the whole IPv4 internet");
	expect("default: deny\ntools:\n  run:\n    timeout: 5s\n    sandbox:\n"
	       "      exec: {allow: [python3]}\n      network: {egress: deny, allow: [\"10.0.0.0/8\", \"0.0.0.0/0:53\"], "
	       "unix: {deny: [\"/\"]}}\n", 0, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(regex_on_code_needs_a_sandbox),
		cmocka_unit_test(line_breaks_in_anchored_patterns),
		cmocka_unit_test(exec_deny_lists_need_an_allow_list),
		cmocka_unit_test(sandboxed_tools_need_a_deadline),
		cmocka_unit_test(egress_deny_needs_unix_rules),
		cmocka_unit_test(allow_lists_that_allow_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
