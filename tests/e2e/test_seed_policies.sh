#!/usr/bin/env bash
# E2E: every shipped policy validates, and each seed-server fixture runs under its own policy:
# an ordinary snippet runs, a dangerous one is refused by the named rule, hidden tools stay hidden.
# No daemon runs: the policies' sandboxes need --allow-unsandboxed here (tool-call policy is the subject).
source "$(dirname "$0")/../lib.sh"
"$MCPWARDEN" policy check "$TOP"/policies/*.yaml || fail "a shipped policy does not validate"
pass "all shipped policies validate"

# fixture | policy | tool | allowed arguments | denied arguments | rule that denies
cases=(
	"shibing624_server.py|shibing624-run-python-code.yaml|run_python_code|{\"code\":\"print(6*7)\"}|{\"code\":\"import os; os.system('id')\"}|no-os-access"
	"pwno_server.py|pwno-execute-python-code.yaml|execute_python_code|{\"code\":\"print(6*7)\"}|{\"code\":\"print(1)\",\"timeout\":600}|bounded-timeout"
	"dumpling_server.py|dumpling-run-python-code.yaml|run-python-code|{\"python_code\":\"print(6*7)\"}|{\"python_code\":\"import socket\"}|no-shell-or-network"
	"sandbox_server.py|mcp-sandbox-execute-python-code.yaml|execute_python_code|{\"code\":\"print(6*7)\",\"sandbox_id\":\"s1\"}|{\"code\":\"print(1)\",\"sandbox_id\":\"../../etc\"}|plain-sandbox-id"
	"stellify_server.py|stellify-run-code.yaml|run_code|{\"code\":\"print(6*7)\",\"language\":\"python\"}|{\"code\":\"id\",\"language\":\"bash\"}|python-only"
)
for c in "${cases[@]}"; do
	IFS='|' read -r fixture policy tool good bad rule <<< "$c"
	{
		echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
		echo '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'; echo "#wait 1"
		echo '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"'"$tool"'","arguments":'"$good"'}}'; echo "#wait 2"
		echo '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"'"$tool"'","arguments":'"$bad"'}}'; echo "#wait 3"
		echo '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"fixture_secret","arguments":{}}}'; echo "#wait 4"
	} > "$TMP/script"
	raw "$TMP/script" "$MCPWARDEN" run --allow-unsandboxed --policy "$TOP/policies/$policy" -- python3 "$FIXTURES/$fixture"
	assert_contains "$(reply 1)" "\"name\": \"$tool\"" "$fixture: lists $tool"
	assert_contains "$(reply 2)" '42' "$fixture: an ordinary $tool call runs"
	assert_contains "$(reply 3)" "\"rule\": \"$rule\"" "$fixture: dangerous call refused by $rule"
	assert_contains "$(reply 4)" '"rule": "(default deny)"' "$fixture: tools outside the policy refused"
done

# Execution semantics match the originals: in-process for shibing624, a child for Pwno.
pid_of() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["result"]["content"][0]["text"])' "$1"; }
for f in shibing624_server.py pwno_server.py; do
	tool=run_python_code; [ "$f" = pwno_server.py ] && tool=execute_python_code
	{
		echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
		echo '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"'"$tool"'","arguments":{"code":"import os; print(os.getpid())"}}}'; echo "#wait 1"
	} > "$TMP/script"
	raw "$TMP/script" sh -c 'echo $$ > '"$TMP/srvpid"'; exec python3 '"$FIXTURES/$f"
	got=$(pid_of "$(reply 1)" | head -n 1)
	if [ "$f" = shibing624_server.py ]; then
		assert_eq "$got" "$(cat "$TMP/srvpid")" "shibing624 fixture runs code in the server process"
	else
		[ "$got" != "$(cat "$TMP/srvpid")" ] || fail "pwno fixture ran code in-process"
		pass "pwno fixture runs code in a child process"
	fi
done

# The real mcp-server-commands under its shipped policy.
{
	echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
	echo '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"run_command","arguments":{"command":"echo policed-ok"}}}'; echo "#wait 1"
	echo '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_command","arguments":{"command":"echo x; touch '"$TMP"'/pwned"}}}'; echo "#wait 2"
	echo '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"run_command","arguments":{"command":"python3","stdin":"open(\"'"$TMP"'/pwned\",\"w\")"}}}'; echo "#wait 3"
	echo '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"run_command","arguments":{"command":"ls \ntouch '"$TMP"'/pwned"}}}'; echo "#wait 4"
	echo '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"run_command","arguments":{"command":"ls \rtouch '"$TMP"'/pwned"}}}'; echo "#wait 5"
} > "$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --allow-unsandboxed --policy "$TOP/policies/mcp-server-commands.yaml" -- \
	node "$NODE_DIR/node_modules/mcp-server-commands/build/index.js"
assert_contains "$(reply 1)" "policed-ok" "mcp-server-commands: a read-only command runs"
assert_contains "$(reply 2)" '"rule": "read-only-commands"' "mcp-server-commands: shell operators refused"
assert_contains "$(reply 3)" '"rule": "read-only-commands"' "mcp-server-commands: interpreters refused"
assert_contains "$(reply 4)" '"rule": "read-only-commands"' "mcp-server-commands: a second line refused (the shell would run it)"
assert_contains "$(reply 5)" '"rule": "read-only-commands"' "mcp-server-commands: a carriage return refused"
[ ! -e "$TMP/pwned" ] || fail "a refused command ran"
pass "no refused command ran"
