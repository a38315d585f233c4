#!/usr/bin/env bash
# Intercept parity through the shim, as a client sees it: hide "*" hides and refuses every tool; a call the
# server answers with a JSON-RPC error uses up no rate limit; deny_text: intercept gives Intercept's text
# (with our _meta still there); Intercept's words for rate limits and its rule names; `policy check` lists
# every error of a file; --strict-intercept refuses our extensions, at check and at run.
source "$(dirname "$0")/../lib.sh"
SERVER=(python3 "$FIXTURES/shibing624_server.py")
call() { echo '{"jsonrpc":"2.0","id":'"$1"',"method":"tools/call","params":{"name":"'"$2"'","arguments":{"code":"print(1)"}}}'; echo "#wait $1"; }

# 1. hide: ["*"].
printf 'version: "1"\nhide: ["*"]\n' >"$TMP/hide.yaml"
{
	echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
	echo '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'; echo "#wait 1"
	call 2 run_python_code
} >"$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --policy "$TMP/hide.yaml" -- "${SERVER[@]}"
python3 -c 'import json,sys; t=json.loads(sys.argv[1])["result"]["tools"]; print(t); sys.exit(1 if t else 0)' \
	"$(reply 1)" || fail "hide: [\"*\"] left tools in tools/list"
assert_contains "$(reply 2)" '"rule": "(hidden)"' "a hidden tool's call is refused, rule (hidden)"
assert_contains "$(reply 2)" 'Tool \"run_python_code\" is hidden by policy' "in Intercept's words"
pass "hide: [\"*\"] hides and refuses every tool"

# 2. A JSON-RPC error gives the call's count back; a result keeps it.
cat >"$TMP/rate.yaml" <<'YAML'
version: "1"
tools:
  no_such_tool:
    rules:
      - {name: once, rate_limit: 1/minute}
  run_python_code:
    rules:
      - {name: once-too, rate_limit: 1/minute}
YAML
{
	echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
	call 1 no_such_tool; call 2 no_such_tool; call 3 no_such_tool
	call 4 run_python_code; call 5 run_python_code
} >"$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --policy "$TMP/rate.yaml" -- "${SERVER[@]}"
for id in 1 2 3; do
	assert_contains "$(reply $id)" '"error"' "call $id: the server's JSON-RPC error reaches the client"
	assert_not_contains "$(reply $id)" "Rate limit" "call $id: the failed calls before it counted nothing"
done
assert_contains "$(reply 4)" '"isError": false' "a call that succeeds"
assert_contains "$(reply 5)" "Rate limit of 1 per minute reached. Try again later." "counts, in Intercept's words"
pass "a call the server fails uses up no rate limit; one it answers does"

# 2b. Not so for a call the client cancelled or the shim timed out: its late error is swallowed, its count kept,
# and its id is not free for another call until that answer came (or a minute passed).
cat >"$TMP/late.yaml" <<'YAML'
version: "1"
tools:
  fixture_fail_late:
    timeout: 400ms
    rules:
      - {name: once, rate_limit: 1/hour}
YAML
late() { echo '{"jsonrpc":"2.0","id":'"$1"',"method":"tools/call","params":{"name":"fixture_fail_late","arguments":{"seconds":'"$2"'}}}'; }
{
	echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
	late 1 0.3; echo '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}'
	late 1 0; echo "#wait 1"	# the reused id, while the cancelled call's answer is due
	echo "#sleep 0.5"; late 2 0; echo "#wait 2"
} >"$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --policy "$TMP/late.yaml" -- "${SERVER[@]}"
assert_contains "$(reply 1)" "its id is already in flight" "a cancelled call's id is not taken again before its answer"
assert_not_contains "$(cat "$TMP/out")" "Request cancelled" "the cancelled call's late error went nowhere"
assert_contains "$(reply 2)" "Rate limit of 1 per hour reached" "the cancelled call kept its count"
{
	echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
	late 1 0.8; echo "#wait 1"; echo "#sleep 0.8"
	late 2 0; echo "#wait 2"
} >"$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --policy "$TMP/late.yaml" -- "${SERVER[@]}"
assert_contains "$(reply 1)" "timed out" "the first call timed out"
assert_contains "$(reply 2)" "Rate limit of 1 per hour reached" "the timed-out call kept its count"
pass "a cancelled or timed-out call keeps its count"

# 3. deny_text: intercept, and the default deny's name and words.
cat >"$TMP/text.yaml" <<'YAML'
version: "1"
default: deny
deny_text: intercept
tools:
  run_python_code:
    rules:
      - {name: never, action: deny, on_deny: "Code runs elsewhere"}
YAML
{ echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"; call 1 run_python_code; call 2 other_tool; } >"$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --policy "$TMP/text.yaml" -- "${SERVER[@]}"
assert_contains "$(reply 1)" '"text": "[INTERCEPT POLICY DENIED] Code runs elsewhere"' "Intercept's denial text"
assert_contains "$(reply 1)" '"io.mcpwarden/policy"' "our _meta is still there"
assert_contains "$(reply 2)" '"text": "[INTERCEPT POLICY DENIED] Tool \"other_tool\" is not permitted by policy"' \
	"the default deny in Intercept's words"
assert_contains "$(reply 2)" '"rule": "(default deny)"' "and its rule name"
pass "deny_text: intercept answers as Intercept does"

# 4. policy check lists every error, each file:line: field: message, in the file's order.
cat >"$TMP/bad.yaml" <<'YAML'
version: "1"
default: allow
hide: [a, a]
tools:
  t:
    rules:
      - {name: "", conditions: [{path: args.x, op: eq, value: 1}]}
      - {name: e, action: evaluate}
      - {name: r, rate_limit: 2/hour, action: deny}
      - name: s
        rate_limit: 2/hour
        conditions: [{path: args.x, op: eq, value: 1}]
      - name: c1
        conditions: [{path: state.t.n, op: lt, value: 5}]
        state: {counter: n, window: day}
      - name: c2
        conditions: [{path: state.t.n, op: lt, value: 9}]
        state: {counter: n, window: day}
YAML
out=$("$MCPWARDEN" policy check "$TMP/bad.yaml" 2>&1)
rc=$?
echo "$out"
assert_eq "$rc" 2 "an invalid file exits 2"
want="$TMP/bad.yaml:3: hide[1]: duplicate entry \"a\" (also hide[0])
$TMP/bad.yaml:7: tools.t.rules[0].name: a rule must have a name
$TMP/bad.yaml:8: tools.t.rules[1].conditions: an evaluate rule must have at least one condition
$TMP/bad.yaml:9: tools.t.rules[2]: rate_limit cannot be used with action deny
$TMP/bad.yaml:10: tools.t.rules[3]: rate_limit cannot be combined with conditions or state; use separate rules
$TMP/bad.yaml:16: tools.t.rules[5].state.counter: duplicate state counter 'n' (also tools.t.rules[4])"
assert_eq "$out" "$want" "every error, one per line, in the file's order"
"$MCPWARDEN" run --policy "$TMP/bad.yaml" -- "${SERVER[@]}" </dev/null >/dev/null 2>"$TMP/err"
assert_eq "$?" 2 "run refuses the file too"
assert_eq "$(grep -c "$TMP/bad.yaml:" "$TMP/err")" 6 "and says all six"

# 5. --strict-intercept: our extensions are refused, each named; Intercept's own files pass.
cat >"$TMP/ext.yaml" <<'YAML'
version: "1"
tools:
  run_python_code:
    timeout: 5s
    rules:
      - name: no-shell
        action: deny
        conditions: [{path: args.code, op: contains, value: "os.system"}]
YAML
"$MCPWARDEN" policy check "$TMP/ext.yaml" >/dev/null 2>&1 || fail "our extensions load without the flag"
out=$("$MCPWARDEN" policy check --strict-intercept "$TMP/ext.yaml" 2>&1)
assert_contains "$out" "$TMP/ext.yaml:4: tools.run_python_code.timeout: a mcpwarden extension, refused by --strict-intercept" \
	"timeout named"
assert_contains "$out" "$TMP/ext.yaml:8: tools.run_python_code.rules[0].conditions: a deny rule with conditions is a mcpwarden extension" \
	"deny with conditions named"
"$MCPWARDEN" run --strict-intercept --policy "$TMP/ext.yaml" -- "${SERVER[@]}" </dev/null >/dev/null 2>"$TMP/err"
assert_eq "$?" 2 "run --strict-intercept refuses it"
"$MCPWARDEN" policy check --strict-intercept "$TMP/rate.yaml" >/dev/null || fail "an Intercept file was refused"
pass "--strict-intercept refuses every extension and takes Intercept's files"
