#!/usr/bin/env bash
# E2E: both protocol eras, hide across paginated tools/list, schema validation learnt from the
# server, per-tool timeouts with notifications/cancelled, and denials as JSON-RPC errors.
source "$(dirname "$0")/../lib.sh"
cat > "$TMP/policy.yaml" <<'YAML'
version: "1"
default: allow
hide: [fixture_secret]
validate_schema: true
tools:
  fixture_sleep:
    timeout: 300ms
YAML
DISCOVER='{"jsonrpc":"2.0","id":0,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}'
meta='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","trace":"t-1"}'
{
	echo "$DISCOVER"; echo "#wait 0"
	echo '#sleep 0.5'	# the shim lists the tools itself after discover
	echo '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{'"$meta"'}}'
	echo '#wait 1'
	echo '{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":"1",'"$meta"'}}'
	echo '#wait 2'
	echo '{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"cursor":"2",'"$meta"'}}'
	echo '#wait 3'
	echo '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"run_python_code","arguments":{"code":"print(4)"},'"$meta"'}}'
	echo '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"run_python_code","arguments":{"code":5},'"$meta"'}}'
	echo '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"fixture_secret","arguments":{},'"$meta"'}}'
	echo '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"fixture_sleep","arguments":{"seconds":0.8}}}'
	echo '#wait 7'
	echo '#sleep 0.2'
	echo '{"jsonrpc":"2.0","id":8,"method":"ping"}'
	echo '#wait 8'
} > "$TMP/script"
raw "$TMP/script" env FIXTURE_PAGE_SIZE=1 "$MCPWARDEN" run --policy "$TMP/policy.yaml" \
	--audit "$TMP/audit.jsonl" -- python3 "$FIXTURES/shibing624_server.py"
cat "$TMP/out"
assert_contains "$(reply 0)" '"supportedVersions"' "server/discover answered"
pages="$(reply 1)$(reply 2)$(reply 3)"
assert_contains "$pages" '"run_python_code"' "page 1 listed"
assert_contains "$pages" '"fixture_sleep"' "page 3 listed"
assert_not_contains "$pages" '"fixture_secret"' "hidden tool removed from its page"
assert_contains "$(reply 2)" '"tools": []' "the hidden tool's page is emptied, not dropped"
assert_contains "$(reply 4)" '"trace": "t-1"' "per-request _meta reached the server untouched"
assert_contains "$(reply 4)" '4\n' "discover-era call ran"
assert_contains "$(reply 5)" "wrong type, schema wants string" "schema learnt from tools/list enforced"
assert_contains "$(reply 6)" '"rule": "(hidden)"' "hidden tool refused"
assert_contains "$(reply 7)" '"decision": "timeout"' "timed-out call answered by the shim"
assert_eq "$(reply 7 | wc -l)" 1 "the server's late reply was not forwarded"
assert_contains "$(cat "$TMP/err")" "cancelled 7" "the server got notifications/cancelled"
assert_contains "$(cat "$TMP/audit.jsonl")" '"outcome":"timeout"' "timeout audited"
assert_not_contains "$(cat "$TMP/out")" "mcpwarden-tools-" "the shim's own tools/list never reached the client"

# The initialize era, and deny_response: error.
printf 'version: "1"\ndeny_response: error\ndefault: deny\n' > "$TMP/deny.yaml"
{
	echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
	echo '{"jsonrpc":"2.0","id":"s-1","method":"tools/call","params":{"name":"run_python_code","arguments":{"code":"print(1)"}}}'
	echo '#wait "s-1"'
} > "$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --policy "$TMP/deny.yaml" -- python3 "$FIXTURES/shibing624_server.py"
cat "$TMP/out"
assert_contains "$(reply 0)" '"protocolVersion": "2025-06-18"' "initialize era works"
assert_contains "$(reply '"s-1"')" '"code": -32001' "denial as a JSON-RPC error, string id kept"
assert_contains "$(reply '"s-1"')" '"decision": "deny"' "error data marks the policy decision"
