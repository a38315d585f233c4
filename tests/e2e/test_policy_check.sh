#!/usr/bin/env bash
# E2E: `mcpwarden policy check` exits 0 on valid files and 2 on invalid ones, naming file:line
# and the field; a shim started with an invalid policy refuses to start (exit 2).
source "$(dirname "$0")/../lib.sh"
printf 'version: "1"\ntools:\n  run:\n    rules:\n      - name: r\n        rate_limit: 10/fortnight\n' > "$TMP/bad1.yaml"
printf '{"version":"1","tools":{"x":{"limits":[{"counter":"c","window":"minute","max":0}]}}}' > "$TMP/bad2.json"
printf 'version: "1"\ndefault: allow\nhidden: [x]\n' > "$TMP/bad3.yaml"
out=$("$MCPWARDEN" policy check "$TOP/policies/default.yaml" 2>&1)
assert_eq "$?" 0 "a valid policy passes"
assert_contains "$out" "default.yaml: ok" "valid policy reported ok"
out=$("$MCPWARDEN" policy check "$TMP/bad1.yaml" "$TOP/policies/default.yaml" "$TMP/bad2.json" "$TMP/bad3.yaml" 2>&1)
assert_eq "$?" 2 "invalid policies exit 2"
assert_contains "$out" "bad1.yaml:6: tools.run.rules[0].rate_limit: '10/fortnight' is not N/second|minute|hour|day" "rate limit error names line and field"
assert_contains "$out" "bad2.json:1: tools.x.limits[0].max: must be a whole number above 0" "JSON error names the field"
assert_contains "$out" "bad3.yaml:3: hidden: unknown key" "unknown keys are errors"
assert_contains "$out" "default.yaml: ok" "valid files among invalid ones still checked"
"$MCPWARDEN" policy check /nonexistent.yaml 2> "$TMP/err"
assert_eq "$?" 2 "missing file exits 2"
assert_contains "$(cat "$TMP/err")" "/nonexistent.yaml: cannot open" "missing file named"
"$MCPWARDEN" run --policy "$TMP/bad1.yaml" -- cat < /dev/null 2> "$TMP/err"
assert_eq "$?" 2 "the shim will not start with an invalid policy"
assert_contains "$(cat "$TMP/err")" "bad1.yaml:6:" "and says why"
"$MCPWARDEN" run 2> /dev/null
assert_eq "$?" 2 "usage error exits 2"

# Warnings: rules that load but may not hold. Each names file:line; they fail only under --strict (exit 2).
cat >"$TMP/weak.yaml" <<'YAML'
version: "1"
default: deny
tools:
  run_command:
    rules:
      - name: read-only
        conditions:
          - {path: args.command, op: regex, value: "^(ls|cat)( [^;&|]*)?$"}
  run_code:
    sandbox:
      exec:
        deny: [/bin/sh, /bin/bash]
YAML
out=$("$MCPWARDEN" policy check "$TMP/weak.yaml" 2>"$TMP/err")
assert_eq "$?" 0 "warnings alone do not fail policy check"
assert_contains "$out" "weak.yaml: ok (2 tool entries, default deny, 4 warnings)" "the summary counts the warnings"
err=$(cat "$TMP/err")
assert_contains "$err" "weak.yaml:8: warning: tools.run_command.rules[0].conditions[0]: a regex on code-like argument args.command is no boundary" "a regex guarding code without a sandbox"
assert_contains "$err" "weak.yaml:8: warning: tools.run_command.rules[0].conditions[0]: '[^;&|]' matches a line break in an anchored pattern" "a class that lets a newline through"
assert_contains "$err" "weak.yaml:12: warning: tools.run_code.sandbox.exec.deny: a deny list without an allow list" "an exec deny list without an allow list"
assert_contains "$err" "weak.yaml:10: warning: tools.run_code: its calls are sandboxed but have no timeout" "a sandboxed tool without a timeout"
"$MCPWARDEN" policy check --strict "$TOP/policies/default.yaml" "$TMP/weak.yaml" >"$TMP/out" 2>/dev/null
assert_eq "$?" 2 "--strict fails on warnings"
assert_contains "$(cat "$TMP/out")" "weak.yaml: failed --strict" "and names the file"
"$MCPWARDEN" policy --strict check "$TMP/weak.yaml" >/dev/null 2>&1
assert_eq "$?" 2 "--strict may come before check too"
out=$("$MCPWARDEN" policy check --strict "$TOP"/policies/*.yaml 2>&1)
assert_eq "$?" 0 "every shipped policy passes --strict: $out"
