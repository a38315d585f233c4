#!/usr/bin/env bash
# E2E: the shim fails closed on every ambiguous tools/call, with a fixture server that would
# otherwise run the code (each attack tries to create a marker file).
source "$(dirname "$0")/../lib.sh"
cat > "$TMP/policy.yaml" <<'YAML'
version: "1"
default: allow
tools:
  run_python_code:
    rules:
      - name: no-markers
        action: deny
        conditions:
          - {path: args.code, op: contains, value: "marker"}
        on_deny: "no marker files"
YAML
M=$TMP/marker
call() { # id code
	printf '{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":"run_python_code","arguments":{"code":"%s"}}}' "$1" "$2"
}
mk="open('$TMP/m'+'arker','w').write('x')"
{
	echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
	# 1 unparseable tools/call
	echo '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"run_python_code","arguments":{"code":"'"$mk"'"}}'
	# 2 duplicate key: policy would read the first, a last-wins server the second
	echo '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_python_code","arguments":{"code":"print(1)","code":"'"$mk"'"}}}'
	# 3 case-variant key
	echo '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"run_python_code","Name":"fixture_secret","arguments":{"code":"print(3)"}}}'
	# 4 tools/call as a notification
	echo '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"run_python_code","arguments":{"code":"'"$mk"'"}}}'
	# 5 a batch: one allowed, one denied, one ping
	echo '['"$(call 51 'print(51)')"','"$(call 52 'marker')"',{"jsonrpc":"2.0","id":53,"method":"ping"}]'
	echo "#wait 53"
	# 6 escaped method and tool name are still policed
	echo '{"jsonrpc":"2.0","id":6,"method":"tools\/call","params":{"name":"run\u005fpython_code","arguments":{"code":"x=\"marker\""}}}'
	# 7 an oversized line, then the stream must still be in sync
	printf '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"run_python_code","arguments":{"code":"%s"}}}\n' "$(head -c 9000 /dev/zero | tr '\0' '#')"
	echo '{"jsonrpc":"2.0","id":8,"method":"ping"}'
	echo "#wait 8"
	# 9 CRLF framing is accepted
	printf '%s\r\n' "$(call 9 'print(9)')"
	echo "#wait 9"
	# 10 trailing garbage after a valid object
	echo "$(call 10 'print(10)') {\"x\":1}"
	echo "#wait 10"
	# 11 a bare CR hides a second message from line readers that split on CR
	printf '{"jsonrpc":"2.0","id":11,"method":"ping","params":{"x":" \r%s\r"}}\n' "$(call 12 "$mk" | sed 's/"/\\"/g')"
	echo "#wait 11"
	# 13 an escaped NUL cuts C strings short: the policy would see less than the server
	echo '{"jsonrpc":"2.0","id":13,"method":"tools/call","params":{"name":"run_python_code","arguments":{"code":"print(13)\u0000marker"}}}'
	echo "#wait 13"
	# 14 a lone case-variant argument key, as a Go server would bind it
	echo '{"jsonrpc":"2.0","id":14,"method":"tools/call","params":{"name":"run_python_code","arguments":{"Code":"x=\"marker\""}}}'
	echo "#wait 14"
	# 15 a nested batch, and an empty one
	echo '[['"$(call 15 'marker')"']]'
	echo '[]'
	# 16 an id already in flight
	echo '{"jsonrpc":"2.0","id":16,"method":"tools/call","params":{"name":"fixture_sleep","arguments":{"seconds":0.5}}}'
	echo '{"jsonrpc":"2.0","id":16,"method":"ping"}'
	echo "#wait 16"
	echo "#sleep 0.7"
} > "$TMP/script"
raw "$TMP/script" env FIXTURE_BANNER="fixture banner on stdout" \
	"$MCPWARDEN" run --max-line 4096 --policy "$TMP/policy.yaml" -- python3 "$FIXTURES/shibing624_server.py"
cat "$TMP/out"
[ ! -e "$M" ] || fail "an attack ran code: the marker file exists"
pass "no attack created the marker file"
assert_contains "$(reply 1)" '"code": -32700' "unparseable tools/call refused with a parse error"
assert_not_contains "$(cat "$TMP/out")" "Parse error" "no unparseable line reached the server"
assert_contains "$(reply 2)" "appears twice" "duplicate keys refused"
assert_contains "$(reply 3)" "appears twice" "case-variant keys refused"
assert_contains "$(cat "$TMP/err")" "tools/call sent as a notification" "tools/call notification refused"
assert_contains "$(reply 51)" '51\n' "batch: allowed element ran"
assert_contains "$(reply 52)" '"rule": "no-markers"' "batch: denied element refused"
assert_contains "$(reply 53)" '"result": {}' "batch: ping answered"
assert_contains "$(reply 6)" '"rule": "no-markers"' "escaped method and tool name still policed"
assert_contains "$(reply 7)" "line cap" "oversized line refused with its id"
assert_contains "$(reply 8)" '"result": {}' "stream in sync after the oversized line"
assert_contains "$(reply 9)" '9\n' "CRLF-terminated request relayed"
assert_contains "$(reply 10)" '"code": -32700' "trailing bytes after the object refused"
assert_not_contains "$(cat "$TMP/out")" "fixture banner" "banner kept from the client"
assert_contains "$(cat "$TMP/err")" "fixture banner on stdout" "banner sent to stderr"
assert_contains "$(tail -n 1 "$TMP/out")" "EXIT 0" "clean exit after client EOF"
assert_contains "$(reply 11)" "raw control character" "a bare CR inside a message is refused"
assert_eq "$(reply 12)" "" "the message hidden behind the CR never reached the server"
assert_contains "$(reply 13)" 'u0000 in a string' "an escaped NUL is refused"
assert_contains "$(reply 14)" '"rule": "no-markers"' "a case-variant argument key is policed as the server reads it"
assert_contains "$(grep -c 'batch element refused: not an object' "$TMP/out")" "1" "a nested batch is refused"
assert_contains "$(cat "$TMP/out")" '"message":"empty batch"' "an empty batch gets an error"
assert_contains "$(reply 16 | head -n 1)$(reply 16 | tail -n 1)" "already in flight" "a request reusing an id in flight is refused"
assert_contains "$(reply 16)" "slept" "the first request with that id still completes"
