#!/usr/bin/env bash
# E2E: the real SDK client drives server-everything through the shim: tools, hide, deny,
# progress, cancellation and server->client requests all keep working.
source "$(dirname "$0")/../lib.sh"
server=$NODE_DIR/node_modules/@modelcontextprotocol/server-everything/dist/index.js
out=$(cd "$NODE_DIR" && node client.mjs everything -- "$MCPWARDEN" run \
	--policy "$TOP/policies/server-everything.yaml" --audit "$TMP/audit.jsonl" -- node "$server" stdio 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "SDK client scenario failed"
assert_contains "$out" "scenario everything: passed" "client scenario passed"
audit=$(cat "$TMP/audit.jsonl")
assert_contains "$audit" '"outcome":"cancelled"' "cancellation recorded in the audit file"
assert_contains "$audit" '"decision":"deny","rule":"no-images"' "denial recorded with its rule"
assert_contains "$audit" '"tool":"trigger-sampling-request"' "sampling call recorded"
