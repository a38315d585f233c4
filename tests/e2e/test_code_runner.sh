#!/usr/bin/env bash
# E2E: the real SDK client runs mcp-server-code-runner under the shipped policy: an allowed
# run-code works, denied ones are refused, and the rate limit trips on call N+1. No daemon runs, so
# the policy's sandbox needs --allow-unsandboxed (test_unsandboxed.sh shows the refusal without it).
source "$(dirname "$0")/../lib.sh"
runner=$NODE_DIR/node_modules/mcp-server-code-runner/dist/cli.js
# A day window: a fixed window that a 2-second test will not straddle.
sed 's|rate_limit: 30/minute|rate_limit: 3/day|' "$TOP/policies/mcp-server-code-runner.yaml" > "$TMP/policy.yaml"
grep -q "rate_limit: 3/day" "$TMP/policy.yaml" || fail "could not lower the rate limit for the test"
out=$(cd "$NODE_DIR" && RATE_N=3 node client.mjs coderunner -- "$MCPWARDEN" run --allow-unsandboxed \
	--policy "$TMP/policy.yaml" --audit "$TMP/audit.jsonl" -- node "$runner" 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "SDK client scenario failed"
assert_contains "$out" "ok: call 4 refused by rule rate" "rate limit trips on call N+1"
assert_contains "$out" "Code Runner MCP Server running on stdio" "the server's stdout banner reached stderr"
allows=$(grep -c '"decision":"allow"' "$TMP/audit.jsonl")
assert_eq "$allows" 3 "three allowed decisions audited"
