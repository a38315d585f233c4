#!/usr/bin/env bash
# test_control_running_call.sh: nothing a peer sends loosens the rules of a running call. While a call of the
# real mcp-server-code-runner waits (SDK client, shim, daemon), a root peer on the control socket sends a
# call_start for that same call without rules (refused: it is active), a policy_reload without a sandbox
# (acked as deferred: the server-level rules stay until the call ends), and a track that would move the server
# process into a new server without rules (refused). The waiting call then runs an exec the server-level rule
# denies and one the tool's rule denies: both are killed. The next call runs under the reloaded (empty)
# server-level rules, and the tool's rule still holds.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon
source "$(dirname "$0")/exec_rules.sh"
exec_rules_policy "$TMP/policy.yaml"
execs=$EXEC_RULES_CODE
waiting="import os, time
open('$TMP/running', 'w').close()
for _ in range(300):
    if os.path.exists('$TMP/go'):
        break
    time.sleep(0.1)
$execs"
calls=$(python3 -c 'import json,sys
call = lambda code: {"name": "run-code", "arguments": {"code": code, "languageId": "python"}}
print(json.dumps([call(sys.argv[1]), call(sys.argv[2])]))' "$waiting" "$execs")
(cd "$NODE_DIR" && CALLS=$calls timeout 90 node client.mjs calls -- "$MCPWARDEN" run --socket "$SOCK" \
	--policy "$TMP/policy.yaml" -- env PATH=/usr/bin:/bin node node_modules/mcp-server-code-runner/dist/cli.js \
	>"$TMP/out" 2>&1) &
client=$!
test_cleanup() { kill "$client" 2>/dev/null; }
for _ in $(seq 300); do [ -e "$TMP/running" ] && break; sleep 0.1; done
[ -e "$TMP/running" ] || { cat "$TMP/out"; fail "the first call did not start"; }
read -r sid root call < <("$MCPWARDEN" ps --json --socket "$SOCK" | python3 -c 'import json,sys
s = json.load(sys.stdin)["servers"][0]
print(s["server_id"], s["root"], [c["call"] for c in s["calls"] if not c["ended"]][0])')
[ -n "$call" ] || fail "no running call in ps"

rep=$(request "{\"op\":\"call_start\",\"server_id\":$sid,\"call\":$call,\"tool\":\"run-code\",\"sandbox\":{}}")
assert_contains "$rep" "is already active" "a call_start for the running call is refused"
rep=$(request "{\"op\":\"policy_reload\",\"server_id\":$sid,\"file\":\"x\",\"trigger\":\"test\",\"ok\":true}")
assert_contains "$rep" '"deferred":true' "a reload without a sandbox during the call is acked as deferred"
rep=$(request "{\"op\":\"track\",\"pid\":$root}")
assert_contains "$rep" "stays in its server" "tracking the server process as a new server is refused"
rep=$(request "{\"op\":\"track\",\"pid\":$root,\"server_id\":$sid}")
assert_contains "$rep" '"ok":true' "tracking it again in its own server is acked"
psj=$("$MCPWARDEN" ps --json --socket "$SOCK")
python3 -c 'import json,sys; s = json.loads(sys.argv[1])["servers"]; assert [x for x in s if x["sandbox"]], s' "$psj" ||
	fail "the server-level rules left during the call: $psj"
pass "the server-level rules stay in force while the call runs"
touch "$TMP/go"

wait "$client" || { cat "$TMP/out"; fail "client session failed"; }
client=
cat "$TMP/out"
out=$(grep '^result 0' "$TMP/out")
assert_contains "$out" "/usr/bin/id returncode -9" "the running call: the exec the server-level rule denies is killed"
assert_contains "$out" "touch returncode -9" "the running call: the exec the tool's rule denies is killed"
assert_contains "$out" "child python ran" "the running call: what the rules allow runs"
out=$(grep '^result 1' "$TMP/out")
assert_contains "$out" "/usr/bin/id returncode 0" "the next call runs under the reloaded server-level rules (none)"
assert_contains "$out" "touch returncode -9" "the next call: the tool's rule still holds"
[ ! -e "$TMP/ran-touch" ] || fail "touch ran"
grep -q "new server-level rules wait until its running calls end" "$DAEMON_LOG" || fail "the daemon did not log the wait"
pass "the daemon logs that the reloaded rules waited for the call"
